"""The teachers that ship as TFLite files inside pinned npm packages: fetched with
`npm pack --ignore-scripts` into the cache (never the repository), read by the CLI's TFLite
reader (`microt tflite-dump`), run as float PyTorch graphs (factory/tflite_torch.py).

  factory/run.sh tflite_teachers.py            # fetch + dump both, print their bottlenecks

| short | package | file | what | input |
|---|---|---|---|---|
| mnv3 | @websr/websr@0.0.15 | package/weights/tflite/content_detection_mobilenet_v3.tflite | TF-Hub ImageNet MobileNetV3-Small-0.75 feature vector (+ a 2-way head), fp32 | RGB [0, 1] (the graph rescales to [-1, 1]), 224 px native |
| ssd | @mediapipe/objectron@0.4.1675468480 | bytes 184..9,987,912 of package/objectron_solution_packed_assets.data | SSD-MobileNetV2 on Open Images v4, fp16 weights | RGB [-1, 1], 300 px native |
"""
import argparse
import hashlib
import json
import os
import subprocess
import tarfile

import torch
from torch import nn

from factory.cifar import cache_dir
from factory.tflite_torch import TFLiteNet, bottleneck_ops, load_dump

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TEACHERS = {
    "mnv3": {"package": "@websr/websr@0.0.15",
             "member": "package/weights/tflite/content_detection_mobilenet_v3.tflite",
             "range": None, "input": (0.0, 1.0),
             "sha256": "",
             "aliases": {"conv1": "op104", "feat": "op107"}},   # 432-d last conv, 1024-d feature vector
    "ssd": {"package": "@mediapipe/objectron@0.4.1675468480",
            "member": "package/objectron_solution_packed_assets.data",
            # the offsets objectron_solution_packed_assets_loader.js gives the embedded .tflite
            "range": (184, 9987912), "input": (-1.0, 1.0),
            "sha256": "",
            "aliases": {"conv1": "op173"}},                    # 1280-d last backbone conv
}


def teacher_dir(short):
    return os.path.join(cache_dir(), "teacher", short + "-tflite")


def _microt():
    for b in ("build/tools/microt", "build-asan/tools/microt"):
        p = os.path.join(REPO, b)
        if os.access(p, os.X_OK):
            return p
    raise FileNotFoundError("the microt CLI is not built (make build): it reads the TFLite files")


def fetch(short, microt=None):
    """npm pack the pinned package, cut out the .tflite, dump it; returns the dump folder."""
    spec = TEACHERS[short]
    out = teacher_dir(short)
    dump = os.path.join(out, "dump")
    if os.path.exists(os.path.join(dump, "graph.json")):
        return dump
    os.makedirs(out, exist_ok=True)
    name = spec["package"].lstrip("@").replace("/", "-").replace("@", "-") + ".tgz"
    tgz = os.path.join(out, name)
    if not os.path.exists(tgz):
        subprocess.run(["npm", "pack", "--ignore-scripts", "--silent", "--pack-destination", out,
                        spec["package"]], check=True, stdout=subprocess.DEVNULL)
    with tarfile.open(tgz) as tar:
        data = tar.extractfile(spec["member"]).read()
    if spec["range"]:
        a, b = spec["range"]
        data = data[a:b]
    if data[4:8] != b"TFL3":
        raise ValueError("%s: %s is not a TFLite file (no TFL3 identifier)" % (short, spec["member"]))
    model = os.path.join(out, short + ".tflite")
    with open(model + ".tmp", "wb") as f:
        f.write(data)
    os.replace(model + ".tmp", model)
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"package": spec["package"], "member": spec["member"], "range": spec["range"],
                   "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}, f, indent=1)
    subprocess.run([microt or _microt(), "tflite-dump", model, "-o", dump], check=True,
                   stdout=subprocess.DEVNULL)
    return dump


class TFLiteTeacherNet(nn.Module):
    """forward(x NCHW RGB in [0, 1]) -> {tap: pooled [B, C]} for one TFLite teacher."""

    def __init__(self, short, taps):
        super().__init__()
        spec = TEACHERS[short]
        self.short = short
        self.taps = list(taps)
        real = [spec["aliases"].get(t, t) for t in taps]
        self.net = TFLiteNet(fetch(short), real)
        self._names = dict(zip(real, taps))
        lo, hi = spec["input"]
        self.scale, self.shift = hi - lo, lo

    def forward(self, x):
        out = self.net(x * self.scale + self.shift)
        return {self._names[k]: v for k, v in out.items()}


def main():
    ap = argparse.ArgumentParser(description="Fetch and dump the TFLite teachers; list their taps.")
    ap.add_argument("--teachers", nargs="+", default=list(TEACHERS), choices=list(TEACHERS))
    ap.add_argument("--microt", default=None, help="the microt CLI (default: build/tools/microt)")
    args = ap.parse_args()
    for short in args.teachers:
        dump = fetch(short, args.microt)
        g, _ = load_dump(dump)
        T = g["tensors"]
        taps = ["b%d %s" % (k, T[g["operators"][i]["outputs"][0]]["shape"][1:])
                for k, i in enumerate(bottleneck_ops(g))]
        with open(os.path.join(teacher_dir(short), "meta.json")) as f:
            meta = json.load(f)
        print("%s: %s, sha256 %s, %d operators; taps %s; aliases %s" % (
            short, meta["package"], meta["sha256"][:16], len(g["operators"]), ", ".join(taps),
            TEACHERS[short]["aliases"]))


if __name__ == "__main__":
    with torch.no_grad():
        main()
