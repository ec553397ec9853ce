"""Golden taps of the TFLite teachers from TensorFlow Lite itself, for
factory/tests/test_tflite_teachers.py: the original .tflite files run in TFLite's own interpreter
(npm @tensorflow/tfjs-tflite@0.0.1-alpha.10's WebAssembly build under Node, through
factory/tflite_wasm.mjs, which shares no code with factory/tflite_torch.py) on three synthetic
images at each model's native size; the tap tensors are requested as extra graph outputs and
stored pooled (mean over H and W), plus a 4x4 corner of the first tap's map (layout check).

  factory/run.sh make_teacher_golden.py       # -> factory/tests/data/tflite-teacher-golden.npz

Needs npm (the package is installed into <cache>/npm) and the microt CLI (the teachers' dumps).
"""
import argparse
import base64
import json
import os
import subprocess

import numpy as np

from factory import tflite_teachers
from factory.cifar import cache_dir
from factory.tflite_torch import TFLiteNet

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "tests", "data", "tflite-teacher-golden.npz")
RUNTIME = "@tensorflow/tfjs-tflite@0.0.1-alpha.10"
# teacher -> (native px, taps checked)
CASES = {"mnv3": (224, ["b2", "b8", "b10", "conv1", "feat"]),
         "ssd": (300, ["b3", "b12", "b16", "conv1"])}


def images(px):
    """Three synthetic RGB images in [0, 1], float32 [3, px, px, 3]: gradients, LCG noise, blocks
    (integers / 255, so any implementation rebuilds them exactly)."""
    y, x = np.mgrid[0:px, 0:px]
    grad = np.stack([x * 255 // (px - 1), y * 255 // (px - 1), (x + y) * 255 // (2 * px - 2)], -1)
    state, noise = 12345, np.empty(px * px * 3, np.int64)
    for i in range(noise.size):
        state = (1103515245 * state + 12345) % 2 ** 31
        noise[i] = state >> 23
    blocks = ((x // 16 + y // 16) % 2 * 200 + 20)[..., None] * np.array([1, 0.5, 0.25])
    out = np.stack([grad, noise.reshape(px, px, 3), np.floor(blocks)]).astype(np.float32) / 255.0
    return out


def npm_runtime():
    """The pinned runtime in its own npm prefix (as factory/make_tflite_golden.py installs it:
    without peer dependencies, only its wasm is used)."""
    d = os.path.join(cache_dir(), "npm-tflite")
    if not os.path.isdir(os.path.join(d, "node_modules", "@tensorflow", "tfjs-tflite")):
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "package.json"), "w") as f:
            json.dump({"name": "microt-tflite-runtime", "private": True}, f)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--save-exact", "--legacy-peer-deps",
                        "--prefix", d, RUNTIME], check=True)
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--microt", default=None)
    args = ap.parse_args()
    npm = npm_runtime()
    arrays, meta = {}, {"generator": "factory/make_teacher_golden.py via factory/tflite_wasm.mjs",
                        "runtime": RUNTIME}
    for short, (px, taps) in CASES.items():
        spec = tflite_teachers.TEACHERS[short]
        dump = tflite_teachers.fetch(short, args.microt)
        real = [spec["aliases"].get(t, t) for t in taps]
        net = TFLiteNet(dump, real)
        tensors = [net.ops[net.tap_ops[r]]["outputs"][0] for r in real]
        lo, hi = spec["input"]
        x = images(px) * (hi - lo) + lo
        job = {"models": [{"path": os.path.join(tflite_teachers.teacher_dir(short), short + ".tflite"),
                           "outputs": tensors,
                           "inputs": [base64.b64encode(np.ascontiguousarray(im[None]).tobytes()).decode()
                                      for im in x]}]}
        r = subprocess.run(["node", os.path.join(HERE, "tflite_wasm.mjs"), npm], input=json.dumps(job),
                           capture_output=True, text=True, check=True)
        res = json.loads(r.stdout)
        meta[short] = {"wasm_sha256": res["wasm_sha256"], "node": res["node"], "px": px,
                       "taps": taps, "profile": res["models"][0]["profile"],
                       "delegated_nodes": res["models"][0]["delegated"],
                       "teacher": json.load(open(os.path.join(tflite_teachers.teacher_dir(short), "meta.json")))}
        for i, case in enumerate(res["models"][0]["cases"]):
            for t, ti in zip(taps, tensors):
                shape = net.graph["tensors"][ti]["shape"]
                v = np.frombuffer(base64.b64decode(case[str(ti)]), np.float32).reshape(shape)
                arrays["%s/%d/%s" % (short, i, t)] = v.mean((1, 2))[0] if v.ndim == 4 else v[0]
                if t == taps[0]:
                    arrays["%s/%d/%s/corner" % (short, i, t)] = v[0, -4:, -4:, :4]
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    np.savez_compressed(args.out, __meta__=np.array(json.dumps(meta)), **arrays)
    print("golden: %d arrays -> %s (%d bytes)" % (len(arrays), args.out, os.path.getsize(args.out)))


if __name__ == "__main__":
    main()
