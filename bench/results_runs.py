"""The runs behind every figure of the results, each cached under <cache>/bench by its inputs.

device    `microt personalize` (one int8 extractor pass per labelled sample, s8 feature cache,
          L-BFGS heads, τ cross-validated on the training samples) then `microt eval --sweep`
          on the test images: the C runtime end to end, as a device runs it
pixels    scikit-learn LogisticRegression on area-resized raw pixels (host)
teacher   the same on the MicroT model's teacher's pooled features (host, factory/probe.py)
baselines factory/baselines.py's TinyTL / SparseUpdate from the shipped TTL .mtm, on the very
          images of the other rows, scored after each epoch of the curve
A cache key holds every input (CLI and model bytes, images, seeds, sources), so a re-run only
computes what changed.
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import warnings

import numpy as np

import results_rows as R

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TEST_MODEL = os.path.join(ROOT, "tests", "data", "test-model.mtm")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sha(path, n=16):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:n]


def sources_sha(paths):
    """One hash over source files (relative to the repo): code that changes results changes it."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.encode() + b"\0" + sha(os.path.join(ROOT, p), 64).encode())
    return h.hexdigest()[:16]


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} -> exit {p.returncode}\n{p.stderr[-2000:]}")
    return p.stdout


def cached(ctx, kind, key, fn):
    """fn()'s JSON-able result, cached in <cache>/<kind>/<hash of key>.json; None when absent
    and --cached-only."""
    h = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:20]
    path = os.path.join(ctx.cache, kind, h + ".json")
    if os.path.exists(path) and not ctx.fresh:
        with open(path) as f:
            return json.load(f)["value"]
    if ctx.cached_only:
        return None
    v = fn()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump({"key": key, "value": v}, f)
    os.replace(path + ".tmp", path)
    return v


# ---------------------------------------------------------------- the C runtime
def _num(pattern, text, cast=float):
    m = re.search(pattern, text, re.M)
    if not m:
        raise ValueError(f"no match for {pattern!r} in:\n{text[:1500]}")
    return cast(m.group(1))


def parse_personalize(out):
    """`microt personalize --json`'s report (docs/cli.md) as the bench's dict. The one place that
    reads it. n_train: the samples the heads trained on (the device's cache keeps at most
    per_class_limit per class under its SRAM budget, a seeded reservoir of what was given);
    offered: the samples given (each one extracted). calib_iters: [(iterations, samples per
    fold)], the 5 calibration folds' total iterations on 4/5 of the samples each. dim_b: head B's
    input (part + full features by default)."""
    try:
        j = json.loads(out)
    except ValueError as e:
        raise ValueError(f"microt personalize --json printed no JSON ({e}):\n{out[:1500]}") from None
    a, b = j["heads"]
    n, cal, z = j["samples"]["kept"], j["calibration"], j["sram"]
    folds = cal.get("folds", 0)
    return {"train_acc_a": a["train_accuracy"], "train_acc_b": b["train_accuracy"],
            "iters_a": a["iterations"], "iters_b": b["iterations"],
            "converged": [a["converged"], b["converged"]],
            "calib_iters": [(cal["iterations"], n * (folds - 1) / folds)] if folds else [],
            "tau": cal["tau"], "sram": z["total"],
            "sram_line": (f"heads {z['heads']} + names {z['names']} + cache {z['cache']} + work "
                          f"{z['work']} (arena {z['arena']}, training {z['train_scratch']}, "
                          f"calibration {z['calib_scratch']}) = {z['total']} bytes"),
            "n_train": n, "offered": j["samples"]["offered"],
            "per_class_limit": j["samples"]["per_class_limit"], "budget": z.get("budget"),
            "dim_a": a["dim"], "dim_b": b["dim"], "full_dim": j["features"]["full"]}


def parse_eval(out):
    """What `microt eval --sweep` reports (accuracy, exit share, each head alone, the sweep)."""
    r = {"acc": _num(r"^accuracy ([\d.]+) %", out),
         "exit": _num(r"^early exit ([\d.]+) %", out),
         "macs": _num(r"^mean macs ([\d.]+) per image", out),
         "full_macs": _num(r"vs (\d+) full model", out, int),
         "acc_part": _num(r"part head alone ([\d.]+) %", out),
         "acc_full": _num(r"full head alone ([\d.]+) %", out),
         "n_test": _num(r"^test (\d+) samples", out, int), "sweep": []}
    for m in re.finditer(r"^\s+([\d.]+)\s+([-\d.]+)\s+([\d.]+)%\s+([\d.]+)%\s+(\d+)\s*$", out, re.M):
        r["sweep"].append({"r": float(m.group(1)), "tau": float(m.group(2)), "acc": float(m.group(3)),
                           "exit": float(m.group(4)), "macs": float(m.group(5))})
    if len(r["sweep"]) != 5:
        raise ValueError("eval --sweep printed no 5-point ratio table")
    return r


def keep_all(labels):
    """`personalize --per-class` that keeps every training sample: the largest class's count.
    The CLI's default SRAM budget (256 KiB) would cap the samples per class (80 for the MCUNet
    extractors) with a reservoir; every other row trains on all the images, so the device rows
    must too, and the SRAM they report is then what the protocol really needs."""
    return int(np.bincount(np.asarray(labels, np.int64)).max())


def device_run(ctx, model, task, train, test, seed, standardize=False, per_class=None):
    """personalize on train (IDX pair) then eval on test; cached. {personalize, eval, wall_s}.
    per_class: keep that many samples per class (keep_all), else the CLI's default budget."""
    flags = ["--standardize"] if standardize else []
    if per_class:
        flags += ["--per-class", str(per_class)]
    key = [ctx.cli_sha, sha(model), sha(train[0]), sha(train[1]), sha(test[0]), sha(test[1]),
           seed, R.RATIO, "json"] + flags

    def compute():
        head = os.path.join(ctx.tmp, hashlib.sha256(json.dumps(key).encode()).hexdigest()[:12] + ".head")
        t0 = time.time()
        names = ctx.names[task]
        p = run([ctx.microt, "personalize", model, "--train", train[0], "--labels", train[1],
                 "-o", head, "--ratio", str(R.RATIO), "--seed", str(seed + 1), "--names", names,
                 "--quiet", "--json", "--no-cache"] + flags)
        e = run([ctx.microt, "eval", model, head, "--test", test[0], "--labels", test[1],
                 "--names", names, "--sweep", "--quiet"])
        os.remove(head)
        return {"personalize": parse_personalize(p), "eval": parse_eval(e), "wall_s": time.time() - t0}
    return cached(ctx, "runs", key, compute)


# ---------------------------------------------------------------- host methods
def fit_score(xtr, ytr, xte, yte, max_iter=1000):
    """Accuracy (%) of LogisticRegression(C=1, lbfgs) on standardised inputs."""
    from sklearn.linear_model import LogisticRegression
    xtr, xte = xtr.astype(np.float64), xte.astype(np.float64)
    mu, sd = xtr.mean(0), xtr.std(0) + 1e-6
    clf = LogisticRegression(C=1.0, max_iter=max_iter, solver="lbfgs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter: the score is still valid
        clf.fit((xtr - mu) / sd, ytr)
    return 100.0 * float((clf.predict((xte - mu) / sd) == yte).mean())


PIXEL_PX = 16


def pixel_features(images, px=PIXEL_PX):
    """uint8 images -> px x px (area-averaged, PIL), flattened, in [0, 1]; grey stays one channel."""
    from PIL import Image
    ch = 3 if images.ndim == 4 else 1
    out = np.empty((len(images), px * px * ch), np.float32)
    for i, im in enumerate(images):
        out[i] = np.asarray(Image.fromarray(im).resize((px, px), Image.BOX), np.float32).reshape(-1) / 255.0
    return out


def teacher_features(target, px, tag, images):
    """Pooled teacher features (factory/probe.py, cached there per tag); raises when the npm
    weights are missing (factory/teacher_import.py, run by `make factory`). Grey images are
    given to the teacher as three equal channels, as the C runtime's input conversion does."""
    from factory.probe import teacher_features as tf
    if images.ndim == 3:
        images = np.repeat(images[..., None], 3, axis=-1)
    return tf(target, px, tag, images)


def teacher_macs(target, px):
    """Conv MACs of the teacher up to its tap at px: its layers call F.conv2d (not modules),
    so the count wraps that function for one forward."""
    import torch
    import torch.nn.functional as F
    from factory.teacher import Teacher
    t = Teacher(target, px)
    total, orig = [0], F.conv2d

    def counting(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
        y = orig(x, w, b, stride, padding, dilation, groups)
        total[0] += y[0].numel() * w.shape[1] * w.shape[2] * w.shape[3]
        return y
    F.conv2d = counting
    try:
        with torch.no_grad():
            t(torch.zeros(1, 3, px, px))
    finally:
        F.conv2d = orig
    return int(total[0])


# ---------------------------------------------------------------- backprop baselines
BASELINE_SOURCES = ["factory/baselines.py", "factory/baselines_cost.py", "factory/baselines_mtm.py",
                    "factory/netspec.py", "factory/mtm.py", "factory/runtime_features.py"]


def baseline_run(ctx, method, model, xtr, ytr, xte, yte, seed, epochs):
    """factory/baselines.run_images on these images; cached. The network is not kept."""
    key = [method, sha(model), sources_sha(BASELINE_SOURCES), hashlib.sha256(
        xtr.tobytes() + ytr.tobytes() + xte.tobytes() + yte.tobytes()).hexdigest()[:16], seed, list(epochs)]

    def compute():
        from factory import baselines, baselines_mtm
        info = baselines_mtm.load(model)[1]
        r = baselines.run_images(method, model, xtr, ytr, xte, yte, seed, epochs)
        return {"extractor_macs": info["macs"],
                "head_macs": info["full_dim"] * (int(max(ytr.max(), yte.max())) + 1),
                "frame_bytes": info["px"] * info["px"] * info["in_ch"],"curve": [dict(c, acc=100.0 * c["acc"]) for c in r["curve"]],
                "step_macs_per_sample": r["step_macs_per_sample"],
                "fwd_macs_per_sample": r["fwd_macs_per_sample"],
                "n_train": r["n_train"], "trainable_params": r["trainable_params"],
                "memory": r["memory"], "train_s": r["train_s"], "opts": r["opts"]}
    return cached(ctx, "baselines", key, compute)
