"""Scores trained extractors on the SELECTION tasks (factory/selection.py): the numbers every
recipe choice is made on. Report tasks are never touched here (factory/evaluate.py does them,
after the choices).

  factory/run.sh select_eval.py --runs RUN [RUN ...]        # float checkpoints (<cache>/runs)
  factory/run.sh select_eval.py --mtm models/x.mtm ...      # int8 files through the C runtime

Per stage (part, full) and task: mean +- sample std over the selection draws, and the mean over
tasks. Images reach the student as they reach it in deployment: resized to its input size
(bilinear, antialiased when shrinking), ImageNet-normalised (float) or rounded to 8-bit frames
(int8, `microt extract`). Features are cached in <cache>/select/.
"""
import argparse
import hashlib
import os

import numpy as np
import torch
import torch.nn.functional as F

from factory import env
from factory import netspec
from factory import runtime_features as rf
from factory import selection
from factory.cifar import cache_dir


def student_input(images, px, mean=None, std=None):
    """uint8 [N, H, W, 3] -> float NCHW at px: [0, 1], or normalised when mean/std are given."""
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float().div_(255.0)
    if x.shape[2] != px:
        x = F.interpolate(x, size=(px, px), mode="bilinear", align_corners=False, antialias=px < x.shape[2])
    if mean is not None:
        x = (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
    return x


def _cached(key, compute):
    path = os.path.join(cache_dir(), "select", key + ".npz")
    if os.path.exists(path):
        with np.load(path) as z:
            return z["part"], z["full"]
    part, full = compute()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez(path + ".tmp.npz", part=part, full=full)
    os.replace(path + ".tmp.npz", path)
    return part, full


def _sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


def float_features(ck_path, task, batch=250):
    ck = torch.load(ck_path, map_location="cpu")
    x, _, _ = selection.load(task)

    def compute():
        model = netspec.build(ck["spec"])
        model.load_state_dict(ck["state_dict"])
        model.eval()
        px = ck["spec"]["input_px"]
        parts, fulls = [], []
        with torch.no_grad():
            for i in range(0, len(x), batch):
                p, f = model(student_input(x[i:i + batch], px, ck["mean"], ck["std"]))
                parts.append(p.numpy())
                fulls.append(f.numpy())
        return np.concatenate(parts), np.concatenate(fulls)
    return _cached("float-%s-%s" % (_sha(ck_path), task), compute)


def int8_features(mtm_path, task, microt=rf.DEFAULT_MICROT):
    x, _, _ = selection.load(task)

    def compute():
        px = rf.model_info(mtm_path)[0]
        frames = torch.floor(student_input(x, px) * 255.0 + 0.5).clamp_(0, 255)
        frames = np.ascontiguousarray(frames.permute(0, 2, 3, 1).numpy().astype(np.uint8))
        return rf.extract_frames(mtm_path, frames, microt)
    return _cached("int8-%s-%s" % (_sha(mtm_path), task), compute)


def evaluate(features_of, tasks=tuple(selection.TASKS)):
    """{stage: {task: accuracies}} from features_of(task) -> (part, full)."""
    feats = {t: features_of(t) for t in tasks}
    return {stage: selection.score({t: f[i] for t, f in feats.items()})
            for i, stage in enumerate(("part", "full"))}


def row(label, res):
    """Markdown rows (one per stage) and the per-stage means."""
    lines, means = [], {}
    for stage, by_task in res.items():
        m = float(np.mean([a.mean() for a in by_task.values()]))
        means[stage] = m
        lines.append("| %s | %s | %s | **%.1f** |" % (
            label, stage, " | ".join("%.1f ± %.1f" % (a.mean(), a.std(ddof=1)) for a in by_task.values()), m))
    return lines, means


def _summary(by_task):
    return {"tasks": {t: {"mean": round(float(a.mean()), 2), "std": round(float(a.std(ddof=1)), 2),
                          "accs": [round(float(x), 2) for x in a]} for t, a in by_task.items()},
            "mean": round(float(np.mean([a.mean() for a in by_task.values()])), 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", nargs="*", default=[], help="run names (or final.pt paths)")
    ap.add_argument("--runs-dir", default="", help="default: <cache>/runs")
    ap.add_argument("--mtm", nargs="*", default=[], help=".mtm files (int8, C runtime)")
    ap.add_argument("--teachers", nargs="*", default=[], metavar="TARGET@PX",
                    help="teacher rows (factory/teacher_study.py targets, seen through 64 px)")
    ap.add_argument("--json", default="", help="also write the scores here (models/selection.json)")
    ap.add_argument("--tasks", nargs="+", default=list(selection.TASKS), choices=list(selection.TASKS))
    ap.add_argument("--microt", default=rf.DEFAULT_MICROT)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    env.set_up(args.threads)
    tasks = tuple(args.tasks)
    print("| extractor | stage | " + " | ".join(tasks) + " | mean |")
    print("|---|---|" + "---|" * len(tasks) + "---|")
    out = {"tasks": list(tasks), "draws": selection.N_DRAWS, "models": {}, "runs": {},
           "teachers": {}}
    runs_dir = args.runs_dir or os.path.join(cache_dir(), "runs")
    for r in args.runs:
        ck = r if r.endswith(".pt") else os.path.join(runs_dir, r, "final.pt")
        res = evaluate(lambda t: float_features(ck, t), tasks)
        print("\n".join(row(r + " (float)", res)[0]), flush=True)
        out["runs"][r] = {stage: _summary(v) for stage, v in res.items()}
    for m in args.mtm:
        res = evaluate(lambda t: int8_features(m, t, args.microt), tasks)
        print("\n".join(row(os.path.basename(m) + " (int8)", res)[0]), flush=True)
        out["models"][os.path.basename(m)[:-4]] = {stage: _summary(v) for stage, v in res.items()}
    for spec in args.teachers:
        from factory import teacher_study
        target, px = spec.rsplit("@", 1)
        res = {t: teacher_study.target_features(target, int(px), 64, t, selection.load(t)[0])
               for t in tasks}
        scores = selection.score(res)
        m = float(np.mean([a.mean() for a in scores.values()]))
        print("| teacher %s @%s | – | %s | **%.1f** |" % (target, px, " | ".join(
            "%.1f ± %.1f" % (a.mean(), a.std(ddof=1)) for a in scores.values()), m), flush=True)
        out["teachers"][spec] = _summary(scores)
    if args.json:
        import json
        with open(args.json + ".tmp", "w") as f:
            json.dump(out, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    main()
