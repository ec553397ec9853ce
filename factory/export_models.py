"""Exports trained checkpoints to the shipped models: <cache>/runs/RUN/final.pt -> quantize.py ->
models/NAME.mtm, checked by `microt inspect`, recorded in models/manifest.json, and the model
card models/NAME.md (data, teacher, hyper-parameters, wall time, size, MACs and arena per
stage, float and int8 probe accuracy from models/probe.json once evaluate.py wrote it).

  factory/run.sh export_models.py mcunet-microt-64=mcunet-microt-t928-64 mcunet-ttl-64 ...
  factory/run.sh export_models.py --cards          # rewrite every card from the manifest

NAME=RUN ships run RUN under NAME (the file name and the card); a bare NAME ships run NAME.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from types import SimpleNamespace

import torch

from factory import env
from factory import cifar
from factory import mtm
from factory import netspec
from factory import quantize
from factory import students
from factory.runtime_features import DEFAULT_MICROT, REPO

MODELS_DIR = os.path.join(REPO, "models")
MANIFEST = "manifest.json"
PROBE = "probe.json"
SIZE_LIMIT = 1024 * 1024  # every shipped file < 1 MB


def runs_dir(path=""):
    return path or os.path.join(cifar.cache_dir(), "runs")


def load_json(path, default):
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return default


def save_json(obj, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def teacher_target(path):
    """'<cache>/teacher/mnv2.b13-96.npy' -> ('mnv2.b13', 96); '' or 'fake' -> (path, 0)."""
    base = os.path.basename(path or "")
    m = re.match(r"(.+)-(\d+)\.npy$", base)
    return (m.group(1), int(m.group(2))) if m else (base, 0)


def inspect(mtm_path, microt=DEFAULT_MICROT):
    """Runs `microt inspect` (it validates the file) and parses its per-stage table:
    {'part'|'rest'|'full': {'macs', 'weights_bytes', 'arena_bytes'}, 'arena_bytes',
    'flash_bytes', 'text'}."""
    r = subprocess.run([microt, "inspect", mtm_path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, check=False)
    text = r.stdout.decode(errors="replace")
    if r.returncode != 0:
        raise RuntimeError("microt inspect %s failed (%d):\n%s" % (mtm_path, r.returncode, text))
    out = {"text": text}
    for stage in ("part", "rest", "full"):
        m = re.search(r"^%s\s+(\d+)\s+([\d.]+)%%\s+(\d+)\s+(\d+)\s*$" % stage, text, re.M)
        if not m:
            raise RuntimeError("cannot parse the %s row of microt inspect:\n%s" % (stage, text))
        out[stage] = {"macs": int(m.group(1)), "share": float(m.group(2)),
                      "weights_bytes": int(m.group(3)), "arena_bytes": int(m.group(4))}
    out["arena_bytes"] = int(re.search(r"^arena peak (\d+) bytes", text, re.M).group(1))
    m = re.search(r"^\s+(\d+) bytes with the reference kernels, (\d+) with the ([^\n]*) kernels",
                  text, re.M)
    out["arena_other"] = ("; %s with the reference kernels, %s with the %s kernels"
                          % (format(int(m.group(1)), ","), format(int(m.group(2)), ","), m.group(3))
                          if m else "")
    k = re.search(r"^arena peak \d+ bytes with the ([^(]*) kernels", text, re.M)
    out["arena_kernels"] = k.group(1).strip() if k else ""
    out["flash_bytes"] = int(re.search(r"^flash\s+(\d+) bytes", text, re.M).group(1))
    return out


def export(name, run, args):
    ck_path = os.path.join(runs_dir(args.runs_dir), run, "final.pt")
    ck = torch.load(ck_path, map_location="cpu")
    spec = ck["spec"]
    model = netspec.build(spec)
    model.load_state_dict(ck["state_dict"])
    model.eval()
    qargs = SimpleNamespace(seed=args.calib_seed, calib_npy=args.calib_npy, cifar=args.cifar,
                            n_calib=args.n_calib)
    t0 = time.time()
    calib = quantize._load_calibration(qargs, spec)
    m = quantize.quantize(model, spec, calib, ck["mean"], ck["std"],
                          percentile=args.percentile, name=name[:31],
                          margin=args.range_margin)
    buf = mtm.write(m)
    mtm.read(buf)
    if len(buf) >= SIZE_LIMIT:
        raise ValueError("%s: %d bytes, over the 1 MB limit" % (name, len(buf)))
    os.makedirs(args.out_dir, exist_ok=True)
    out = os.path.join(args.out_dir, name + ".mtm")
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buf)
    os.replace(tmp, out)
    info = inspect(out, args.microt)
    target, tpx = teacher_target(ck.get("teacher", ""))
    entry = {"run": run, "student": ck["args"]["student"], "mode": ck["mode"],
             "teacher": target, "teacher_px": tpx, "bytes": len(buf),
             "fingerprint": "%016x" % m.fingerprint,
             "sha256": hashlib.sha256(buf).hexdigest(),
             "checkpoint_sha256": hashlib.sha256(open(ck_path, "rb").read()).hexdigest(),
             "calibration": {"images": len(calib), "seed": args.calib_seed,
                             "source": args.calib_npy or "CIFAR-10 train (random subset)",
                             "percentile": args.percentile, "margin": args.range_margin},
             }
    print("%s <- %s: %d bytes, fingerprint %s, MACs part %d / full %d, arena %d B (%.1f s)"
          % (out, run, len(buf), entry["fingerprint"], info["part"]["macs"], info["full"]["macs"],
             info["arena_bytes"], time.time() - t0), flush=True)
    return entry


# ---------------------------------------------------------------- model cards

TASK_NAMES = {"cifar10": "CIFAR-10 (in-domain)", "fashion": "Fashion-MNIST", "digits": "digits"}


def _cell(r):
    return "%.1f ± %.1f" % (r[0], r[1]) if r else "–"


def probe_rows(results, name):
    """Markdown rows of one shipped model's probe results (float and int8, part and full)."""
    rows = []
    ext = results.get("extractors", {})
    for stage in ("part", "full"):
        for kind in ("float", "int8"):
            key = "%s/%s/%s" % (name, stage, kind)
            if key not in ext:
                continue
            r = ext[key]["tasks"]
            cells = [_cell(r.get(t, {}).get(str(k))) for t in TASK_NAMES for k in (10, 100)]
            rows.append("| %s | %s | %s |" % (stage, kind, " | ".join(cells)))
    return rows


def write_card(name, entry, args, results):
    ck = torch.load(os.path.join(runs_dir(args.runs_dir), entry["run"], "final.pt"),
                    map_location="cpu")
    a = ck["args"]
    spec = ck["spec"]
    mtm_path = os.path.join(args.out_dir, name + ".mtm")
    info = inspect(mtm_path, args.microt)
    mode = entry["mode"]
    what = {"microt": "MicroT extractor: self-supervised distillation from a frozen teacher "
                      "(no labels), part and full stage trained jointly",
            "ttl": "TTL baseline: the same network trained supervised on CIFAR-10 labels "
                   "(cross-entropy through a linear classifier on the full feature)",
            "none": "\"none\" baseline: the untrained, seeded random initialisation "
                    "(BatchNorm statistics untouched)"}[mode]
    L = ["# %s" % name, "",
         "`models/%s.mtm` — %s student (%s), %d px RGB input, part + full stages in one file." %
         (name, entry["student"], {"mcunet": "MCUNet-style", "proxyless": "ProxylessNAS-style"}
          .get(entry["student"], entry["student"]), spec["input_px"]),
         "", "**What**: %s." % what, ""]
    if entry.get("note"):
        L += ["**Note**: %s" % entry["note"], ""]
    L += ["## Data"]
    if mode == "none":
        L += ["No training data (random init, seed %d). Calibration only (below)." % ck["seed"]]
    else:
        L += ["CIFAR-10 train split, 50,000 images (32 px, resized bilinearly to %d px, ImageNet "
              "mean/std), %s; augmentation %s." %
              (spec["input_px"], "labels ignored" if mode == "microt" and not a["label_weight"]
               else "labels used", "crop + flip" if a["augment"] else "none (as the paper)")]
    if mode == "microt":
        L += ["", "## Teacher",
              "`%s` at %d px (docs/teacher.md): pooled embeddings cached once from the npm "
              "`nsfwjs@4.3.0` ImageNet MobileNetV2/InceptionV3 port, %d-d." %
              (entry["teacher"], entry["teacher_px"], ck["heads"]["match_full.weight"].shape[0])]
    L += ["", "## Hyper-parameters"]
    if mode == "none":
        L += ["`factory/run.sh distill.py --student %s --mode none` (seed %d)." % (a["student"], a["seed"])]
    else:
        L += ["| setting | value |", "|---|---|"]
        keys = ["mode", "joint", "loss", "label_weight", "augment", "epochs", "batch_size", "lr",
                "momentum", "wd", "warmup_epochs", "seed", "px", "split_block"]
        L += ["| %s | %s |" % (k, a[k] if k != "split_block" or a[k] else
                               "0 (auto: %d)" % spec["split_block"]) for k in keys]
        L += ["", "Optimiser: SGD with momentum, linear warm-up then cosine decay to 0 "
              "(factory/distill.py)."]
        last = ck["curve"][-1] if ck["curve"] else {}
        where = ("on 2 shared CPU cores (%.0f images/s at the end; the machine was shared with "
                 "other jobs)" % ck["images_per_s"] if a.get("device", "cpu") == "cpu" else
                 "on a lent GPU (`--device %s`, PyTorch %s, %.0f images/s at the end; the same "
                 "command on 2 CPU cores runs the same recipe, not bit for bit: docs/factory.md "
                 "\"Runs\")" % (a["device"], ck.get("torch", "?"), ck["images_per_s"]))
        L += ["", "## Training", "Wall time **%.0f s (%.1f min)** %s, run `%s`." %
              (ck["wall_s"], ck["wall_s"] / 60, where, entry["run"]),
              "Final-epoch mean losses: %s." % ", ".join("%s %.4f" % (k, v) for k, v in last.items()
                                                         if k not in ("epoch", "epoch_s"))]
    sd = students.describe(spec)
    L += ["", "## Size and cost (from `build/tools/microt inspect models/%s.mtm`)" % name,
          "| stage | MACs | share | weights B | arena peak B |", "|---|---|---|---|---|"]
    for st in ("part", "rest", "full"):
        s = info[st]
        L.append("| %s | %s | %.1f%% | %s | %s |" % (st, format(s["macs"], ","), s["share"],
                                                    format(s["weights_bytes"], ","),
                                                    format(s["arena_bytes"], ",")))
    L += ["", "File %s bytes (flash, used in place); arena %s bytes%s%s; %s parameters; feature "
          "dims part/full %d/%d; split after block %d; fingerprint `%s`." %
          (format(entry["bytes"], ","), format(info["arena_bytes"], ","),
           " (%s kernels" % info["arena_kernels"] if info["arena_kernels"] else "",
           info["arena_other"] + ")" if info["arena_kernels"] else "", format(sd["params"], ","),
           sd["part_dim"], sd["full_dim"],
           spec["split_block"], entry["fingerprint"])]
    c = entry["calibration"]
    L += ["", "## Quantization",
          "Per-channel symmetric int8 weights, per-tensor asymmetric int8 activations "
          "(docs/quantization.md), ranges %s over %d calibration images (%s, seed %d)%s." %
          ("min/max" if c["percentile"] is None else "at the %g percentile" % c["percentile"],
           c["images"], c["source"], c["seed"],
           ", widened ×%g (docs/factory.md \"Runs\", int8)" % c["margin"]
           if c.get("margin", 1.0) != 1.0 else "")]
    rows = probe_rows(results, name)
    L += ["", "## Linear probe (top-1 %, mean ± std over 3 seeds)"]
    if rows:
        L += [results.get("protocol", ""), "",
              "| stage | weights | " + " | ".join("%s k=%d" % (TASK_NAMES[t], k)
                                                  for t in TASK_NAMES for k in (10, 100)) + " |",
              "|---|---|" + "---|" * (2 * len(TASK_NAMES))] + rows
        L += ["", "float = the PyTorch model (BN in eval mode) on training's pre-processing; "
              "int8 = this file through the C runtime (`microt extract`) on 8-bit frames. "
              "All extractors: docs/results-factory.md."]
    else:
        L += ["Not evaluated yet: `factory/run.sh evaluate.py` then `export_models.py --cards`."]
    L += ["", "## Reproduce", "```sh", "factory/make_factory.sh        # everything, from scratch",
          "```", "or this model alone: the run (`factory/run.sh distill.py %s`), then "
          "`factory/run.sh export_models.py %s` and `factory/run.sh evaluate.py`." %
          (" ".join(_cli_args(a)), name if name == entry["run"] else "%s=%s" % (name, entry["run"]))]
    with open(os.path.join(args.out_dir, name + ".md"), "w") as f:
        f.write("\n".join(L) + "\n")


def _cli_args(a):
    """The distill.py arguments that differ from its defaults (the run's command line)."""
    out = ["--student", a["student"]]
    if a["mode"] != "microt":
        out += ["--mode", a["mode"]]
    if not a["joint"]:
        out.append("--no-joint")
    if a["loss"] != "mse":
        out += ["--loss", a["loss"]]
    if a["label_weight"]:
        out += ["--label-weight", "%g" % a["label_weight"]]
    if a.get("part_weight", 1.0) != 1.0:
        out += ["--part-weight", "%g" % a["part_weight"]]
    if a["augment"]:
        out.append("--augment")
    if a["epochs"] != 8:
        out += ["--epochs", str(a["epochs"])]
    if a["seed"] != 1:
        out += ["--seed", str(a["seed"])]
    if a["mode"] == "microt" and a.get("teacher"):
        out += ["--teacher", "<cache>/teacher/" + os.path.basename(a["teacher"])]
    if a.get("run_name"):
        out += ["--run-name", a["run_name"]]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="*", help="NAME or NAME=RUN (run folder under the runs dir)")
    ap.add_argument("--cards", action="store_true", help="(re)write the cards of every model "
                    "in the manifest (after evaluate.py)")
    ap.add_argument("--out-dir", default=MODELS_DIR)
    ap.add_argument("--runs-dir", default="", help="default: <cache>/runs")
    ap.add_argument("--cifar", default=cifar.DEFAULT_ARCHIVE)
    ap.add_argument("--calib-npy", default="", help="uint8 NHWC calibration images (default: "
                    "CIFAR-10 train)")
    ap.add_argument("--n-calib", type=int, default=512)
    ap.add_argument("--calib-seed", type=int, default=0)
    ap.add_argument("--percentile", type=float, default=None)
    ap.add_argument("--range-margin", type=float, default=1.25,
                    help="widen every calibrated activation range by this factor")
    ap.add_argument("--note", default="", help="a line for the card of every model exported now")
    ap.add_argument("--microt", default=DEFAULT_MICROT)
    args = ap.parse_args()
    torch.manual_seed(0)
    env.set_up(2)
    man_path = os.path.join(args.out_dir, MANIFEST)
    manifest = load_json(man_path, {})
    for item in args.models:
        name, _, run = item.partition("=")
        entry = export(name, run or name, args)
        if args.note:
            entry["note"] = args.note
        elif name in manifest and manifest[name].get("run") == entry["run"] and manifest[name].get("note"):
            entry["note"] = manifest[name]["note"]
        manifest[name] = entry
        save_json(manifest, man_path)
    if args.cards or args.models:
        results = load_json(os.path.join(args.out_dir, PROBE), {})
        for name in (manifest if args.cards else [i.partition("=")[0] for i in args.models]):
            write_card(name, manifest[name], args, results)
            print("wrote %s" % os.path.join(args.out_dir, name + ".md"))


if __name__ == "__main__":
    main()
