"""Linear probe: logistic regression on frozen pooled features, k labelled samples per class.

probe_accuracy() is the shared scorer (any extractor: pass features). The CLI scores teacher
targets on the downstream tasks (factory/downstream.py) and caches their features in
<cache>/probe/ (never in the repo). Protocol: for each seed, draw k samples per class from the
task's pool, standardise features with the training set's mean/std, fit sklearn
LogisticRegression (lbfgs, max_iter 1000, C 1.0), score on the task's held-out test set.
"""
import argparse
import os
import time

import numpy as np

from factory import env
from factory.cifar import DEFAULT_ARCHIVE, cache_dir
from factory.downstream import TASKS, load_task

KS = (10, 100)
SEEDS = (0, 1, 2, 3, 4)   # >= 5 draws (issue 12's goals; sample std over them)


def probe_accuracy(pool_x, pool_y, test_x, test_y, k, seed, max_iter=1000):
    """Top-1 accuracy (0..1) of a logistic regression fitted on k samples/class of the pool."""
    from sklearn.linear_model import LogisticRegression
    rng = np.random.default_rng(seed)
    idx = np.concatenate([rng.choice(np.flatnonzero(pool_y == c), k, replace=False)
                          for c in np.unique(pool_y)])
    xtr = pool_x[idx].astype(np.float64)
    mu, sd = xtr.mean(0), xtr.std(0) + 1e-6
    clf = LogisticRegression(max_iter=max_iter, solver="lbfgs")
    clf.fit((xtr - mu) / sd, pool_y[idx])
    return float((clf.predict((test_x.astype(np.float64) - mu) / sd) == test_y).mean())


def probe_task(pool_x, pool_y, test_x, test_y, ks=KS, seeds=SEEDS):
    """{k: (mean %, sample std %, [per-seed %])} over seeds (the per-seed values let two
    extractors be compared draw by draw: the same seed draws the same samples)."""
    out = {}
    for k in ks:
        acc = [100 * probe_accuracy(pool_x, pool_y, test_x, test_y, k, s) for s in seeds]
        out[k] = (float(np.mean(acc)), float(np.std(acc, ddof=1)) if len(acc) > 1 else 0.0, acc)
    return out


def _pixels(images, px=32):
    """Raw-pixel floor: grey/RGB resized to px (3 channels), flattened."""
    from factory.teacher import to_input
    return to_input(images, px).permute(0, 2, 3, 1).reshape(len(images), -1).numpy()


def teacher_features(part, px, task, images, batch=250):
    """Pooled taps of one target part (e.g. 'mnv2.b10.b13.recal') for one task's images, cached
    per tap in <cache>/probe/<model+options>-<px>-<task>-<which>.npz. Returns [N, D]."""
    import torch
    from factory.teacher import TAPS, TFLITE_TEACHERS, Teacher, parse_target, repair_images_default
    (short, taps, sym, repair), = parse_target(part)
    if short in TFLITE_TEACHERS:
        # as in distillation: the teacher sees the student's 64 px view, upsampled to px
        from factory import teacher_study
        return teacher_study.part_features(part, px, 64, "report-" + task, images)
    opts = (".sym" if sym else "") + (f".{repair}" if repair else "")
    path = os.path.join(cache_dir(), "probe", f"{short}{opts}-{px}-{task}.npz")
    have = dict(np.load(path)) if os.path.exists(path) else {}
    if len(images) and any(have.get(t, np.zeros(0)).shape[:1] != (len(images),) for t in taps):
        alias = {v: k for k, v in TAPS[short].items()}
        teacher = Teacher(f"{short}." + ".".join(alias[t] for t in taps) + opts, px,
                          repair_images=repair_images_default() if repair else None)
        net = teacher.nets[0]
        from factory.teacher import to_input
        outs = {t: [] for t in taps}
        with torch.no_grad():
            for i in range(0, len(images), batch):
                o = net(to_input(images[i:i + batch], px))
                for t in taps:
                    outs[t].append(o[t].numpy())
        for t in taps:
            have[t] = np.concatenate(outs[t]).astype(np.float32)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp.npz"
        np.savez(tmp, **have)
        os.replace(tmp, path)
    return np.concatenate([have[t] for t in taps], 1)


def target_features(target, px, task, images):
    if target == "pixels":
        return _pixels(images)
    return np.concatenate([teacher_features(p, px, task, images) for p in target.split("+")], 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("targets", nargs="+", help="teacher targets (factory/teacher.py names) or 'pixels'")
    ap.add_argument("--px", type=int, default=96)
    ap.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    ap.add_argument("--cifar", default=DEFAULT_ARCHIVE)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--markdown", action="store_true", help="print a markdown table row per target")
    args = ap.parse_args()
    env.set_up(args.threads)
    data = {}
    for t in args.tasks:
        try:
            data[t] = load_task(t, args.cifar)
        except FileNotFoundError as e:
            print(f"skip {t}: {e}")
    for target in args.targets:
        t0, cells = time.time(), []
        for t, d in data.items():
            # pool and test in one call so the per-task cache holds both, pool first
            x = np.concatenate([d["pool"][0], d["test"][0]])
            f = target_features(target, args.px, t, x)
            n = len(d["pool"][0])
            r = probe_task(f[:n], d["pool"][1], f[n:], d["test"][1])
            cells += [f"{t} k={k}: {m:.1f} ± {s:.1f}" for k, (m, s, _) in r.items()]
            dim = f.shape[1]
        if args.markdown:
            vals = [c.split(": ")[1] for c in cells]
            print(f"| {target} | {args.px} | {dim} | " + " | ".join(vals) + " |", flush=True)
        else:
            print(f"{target} @{args.px}px D={dim} ({time.time() - t0:.0f} s): " + "; ".join(cells),
                  flush=True)


if __name__ == "__main__":
    main()
