"""Exports trained checkpoints to the shipped models: <cache>/runs/RUN/final.pt -> quantize.py ->
models/NAME.mtm, checked by `microt inspect`, recorded in models/manifest.json (with the tasks
the model was selected on), and the model card models/NAME.md (factory/model_cards.py).

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
import time
from types import SimpleNamespace

import torch

from factory import env
from factory import cifar
from factory import mtm
from factory import netspec
from factory import quantize
from factory import model_cards
from factory import selection
from factory.runtime_features import DEFAULT_MICROT, REPO

MODELS_DIR = os.path.join(REPO, "models")
MANIFEST = "manifest.json"
PROBE = "probe.json"
SELECTION = "selection.json"   # select_eval.py --json: the selection-task scores of the models
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
                            n_calib=args.n_calib, calib_corpus=args.calib_corpus)
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
    a = ck["args"]
    if a.get("targets"):   # function matching: the taps of view_targets.py's teacher
        from factory import view_targets
        _, meta = view_targets.load(a["targets"], need_epochs=a["epochs"])
        taps = [t["name"] for t in meta["taps"]]
        target = "+".join(a.get("full_tap") or taps)
        part_target = "+".join(a.get("part_tap") or a.get("full_tap") or taps)
        tpx = meta["px"]
    else:
        (target, tpx), part_target = teacher_target(ck.get("teacher", "")), None
    selected = args.selected_on or (list(selection.TASKS) if a.get("targets") or ck["mode"] == "none"
                                    else ["fashion-mnist", "digits"])
    entry = {"run": run, "student": ck["args"]["student"], "mode": ck["mode"],
             "teacher": target, "teacher_px": tpx, "bytes": len(buf),
             "selected_on": selected,
             "fingerprint": "%016x" % m.fingerprint,
             "sha256": hashlib.sha256(buf).hexdigest(),
             "checkpoint_sha256": hashlib.sha256(open(ck_path, "rb").read()).hexdigest(),
             "calibration": {"images": len(calib), "seed": args.calib_seed,
                             "source": args.calib_npy or ("corpus %s (random whole images)" % args.calib_corpus
                                                          if args.calib_corpus else "CIFAR-10 train (random subset)"),
                             "percentile": args.percentile, "margin": args.range_margin},
             }
    if part_target and ck["mode"] == "microt":
        entry["teacher_part"] = part_target
    rep = re.fullmatch(r"(.+)-s(\d+)", name)
    if rep:   # NAME-s2: another training seed of NAME (same recipe), read by the bench as such
        entry["replicate_of"] = rep.group(1)
    print("%s <- %s: %d bytes, fingerprint %s, MACs part %d / full %d, arena %d B (%.1f s)"
          % (out, run, len(buf), entry["fingerprint"], info["part"]["macs"], info["full"]["macs"],
             info["arena_bytes"], time.time() - t0), flush=True)
    return entry


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
    ap.add_argument("--calib-corpus", default="",
                    help="calibrate on random whole images of this corpus (factory/corpus.py) "
                         "instead of CIFAR-10 train")
    ap.add_argument("--calib-seed", type=int, default=0)
    ap.add_argument("--percentile", type=float, default=None)
    ap.add_argument("--range-margin", type=float, default=1.0,
                    help="widen every calibrated activation range by this factor (1.0: chosen "
                         "on the selection tasks, docs/factory.md 'int8')")
    ap.add_argument("--note", default="", help="a line for the card of every model exported now")
    ap.add_argument("--selected-on", nargs="*", default=None, metavar="TASK",
                    help="the tasks this model's choices were made on (default: the selection "
                         "tasks for function-matching and none runs; fashion-mnist and digits "
                         "for runs of the recipe chosen before docs/protocol.md)")
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
        sel = load_json(os.path.join(args.out_dir, SELECTION), {})
        for name in (manifest if args.cards else [i.partition("=")[0] for i in args.models]):
            entry = manifest[name]
            ck_path = os.path.join(runs_dir(args.runs_dir), entry["run"], "final.pt")
            if args.cards and not os.path.exists(ck_path):
                # a model whose run is not in this cache (made on another machine): its card
                # stays as it was rather than losing its training facts
                print("kept %s.md: run %s is not in %s" % (name, entry["run"], runs_dir(args.runs_dir)))
                continue
            info = inspect(os.path.join(args.out_dir, name + ".mtm"), args.microt)
            a = torch.load(ck_path, map_location="cpu")["args"]
            model_cards.write_card(name, entry, args.out_dir, ck_path, info, results, sel,
                                   model_cards.cli_args(a))
            print("wrote %s" % os.path.join(args.out_dir, name + ".md"))


if __name__ == "__main__":
    main()
