"""The teacher study: which teacher, tap, input size and combination gives the best features
on the SELECTION tasks (factory/selection.py), the ceiling a student distilled from it aims at.

  factory/run.sh teacher_study.py mnv3.feat mnv3.b8 ssd.b12 mnv2.b13 --px 96 160
  factory/run.sh teacher_study.py 'mnv3.feat+incv3.mixed5' --px 160     # a combination
  factory/run.sh teacher_study.py pixels

Each image is first resized to the student's input (--via, default 64 px: the student cannot
see more) and then to the teacher's --px. Features: each '+'-part's pooled taps; a combination
standardises each part and weighs it by 1/sqrt(its dimension), so every teacher counts the same
(per-teacher whitening). Probe: standardised features, logistic regression (lbfgs, C = 1),
k samples per class from each of selection.N_DRAWS draws. Pooled features are cached per teacher,
tap, size and task in <cache>/study/.
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from factory import env
from factory import selection
from factory.cifar import cache_dir


def resize_u8(images, px):
    """uint8 [N, H, W, 3] (or grey [N, H, W] / [N, H, W, 1], repeated to RGB) -> float NCHW
    [0, 1] at px (bilinear; antialiased when shrinking)."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.shape[3] == 1:
        images = np.repeat(images, 3, axis=3)
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float().div_(255.0)
    if x.shape[2] != px:
        x = F.interpolate(x, size=(px, px), mode="bilinear", align_corners=False,
                          antialias=px < x.shape[2])
    return x


def view(images, via, px):
    """What a teacher at px sees of an image the student sees at via px."""
    x = resize_u8(images, via) if via else resize_u8(images, images.shape[1])
    if x.shape[2] != px:
        x = F.interpolate(x, size=(px, px), mode="bilinear", align_corners=False,
                          antialias=px < x.shape[2])
    return x.contiguous(memory_format=torch.channels_last)


def part_features(part, px, via, task, images, batch=100):
    """[N, D] pooled taps of one target part ('mnv3.b8.feat') on a task's images, cached per tap."""
    from factory.teacher import Teacher, parse_target
    (short, taps, sym, repair), = parse_target(part)
    key = short + (".sym" if sym else "") + ("." + repair if repair else "")
    path = os.path.join(cache_dir(), "study", "%s-%d-via%d-%s.npz" % (key, px, via, task))
    have = dict(np.load(path)) if os.path.exists(path) else {}
    missing = [t for t in part.split(".")[1:] if t not in ("sym", "recal", "fixvar") and t not in have]
    if missing:
        teacher = Teacher(short + "." + ".".join(missing), px)
        outs = []
        with torch.no_grad():
            for i in range(0, len(images), batch):
                outs.append(teacher(view(images[i:i + batch], via, px)).numpy())
        feats = np.concatenate(outs).astype(np.float32)
        # split the concatenated taps back per tap (one forward computed them all)
        sizes = _tap_sizes(teacher, px)
        start = 0
        for t, n in zip(missing, sizes):
            have[t] = feats[:, start:start + n]
            start += n
        os.makedirs(os.path.dirname(path), exist_ok=True)
        np.savez(path + ".tmp.npz", **have)
        os.replace(path + ".tmp.npz", path)
    return np.concatenate([have[t] for t in part.split(".")[1:] if t not in ("sym", "recal", "fixvar")], 1)


def _tap_sizes(teacher, px):
    with torch.no_grad():
        x = torch.zeros(1, 3, px, px)
        sizes = []
        for net in teacher.nets:
            out = net(x)
            sizes += [out[t].shape[1] for t in net.taps]
        return sizes


def target_features(target, px, via, task, images):
    """A target's features; parts of a combination balanced (standardised / sqrt(dim))."""
    if target == "pixels":
        return resize_u8(images, 32).reshape(len(images), -1).numpy()
    parts = [part_features(p, px, via, task, images) for p in target.split("+")]
    if len(parts) == 1:
        return parts[0]
    out = []
    for f in parts:
        sd = f.std(0) + 1e-6
        out.append((f - f.mean(0)) / sd / np.sqrt(f.shape[1]))
    return np.concatenate(out, 1).astype(np.float32)


def study(targets, pxs, via, tasks, log=print):
    """{(target, px): {task: accuracies}} with a row printed per (target, px)."""
    data = {t: selection.load(t) for t in tasks}
    res = {}
    for target in targets:
        for px in ([32] if target == "pixels" else pxs):
            t0, row, dim = time.time(), {}, 0
            for task in tasks:
                x, y, _ = data[task]
                f = target_features(target, px, via, task, x)
                dim = f.shape[1]
                spec = selection.TASKS[task]
                row[task] = selection.probe(f, y, spec["k"], spec["test_cap"])
            res[(target, px)] = row
            mean = np.mean([a.mean() for a in row.values()])
            log("| %s | %d | %d | %s | **%.1f** |" % (
                target, px, dim, " | ".join("%.1f ± %.1f" % (a.mean(), a.std(ddof=1)) for a in row.values()),
                mean) + "  (%.0f s)" % (time.time() - t0))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("targets", nargs="+", help="teacher targets (factory/teacher.py syntax) or 'pixels'")
    ap.add_argument("--px", type=int, nargs="+", default=[160], help="teacher input sizes")
    ap.add_argument("--via", type=int, default=64, help="student input size the image passes through (0: none)")
    ap.add_argument("--tasks", nargs="+", default=list(selection.TASKS), choices=list(selection.TASKS))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    env.set_up(args.threads)
    print("| target | px | D | " + " | ".join(args.tasks) + " | mean |")
    print("|---|---|---|" + "---|" * len(args.tasks) + "---|")
    study(args.targets, args.px, args.via, args.tasks, log=lambda s: print(s, flush=True))


if __name__ == "__main__":
    main()
