"""The probe table of the shipped extractors on the REPORT tasks: linear probes with k = 10 and
100 labelled samples per class, 5 draws, scored on held-out images of CIFAR-10 test (in-domain:
the students saw CIFAR-10 train), Fashion-MNIST and digits.png (factory/downstream.py subsets,
factory/probe.py's scorer -- the protocol of docs/teacher.md's teacher table).

Rows, per student: the teacher each MicroT model was distilled from, then for every shipped model
(models/manifest.json) its part and full feature, float (the PyTorch checkpoint, BN in eval mode,
training's pre-processing) and int8 (the .mtm through the C runtime, `microt extract`, on 8-bit
frames made by runtime_features.py), and raw pixels. Writes models/probe.json (the cards read it)
and docs/results-factory.md. Features are cached in <cache>/eval/ (never in the repo).

  factory/run.sh evaluate.py                          # every model in models/manifest.json
  factory/run.sh evaluate.py --candidates RUN ...     # also float-only rows for unshipped runs
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import time

import numpy as np
import torch

from factory import env
from factory import cifar
from factory import downstream
from factory import netspec
from factory import probe
from factory import runtime_features as rf
from factory import goals
from factory.export_models import MANIFEST, MODELS_DIR, PROBE, SELECTION, load_json, runs_dir, save_json
from factory.model_cards import TASK_NAMES

UNSEEN = ("fashion", "digits")
NOTES_MARK = "<!-- notes: written by hand, kept when evaluate.py regenerates the tables above -->"
DOC = os.path.join(rf.REPO, "docs", "results-factory.md")
PROTOCOL = ("Protocol: standardised features, sklearn LogisticRegression (lbfgs, max_iter 1000), "
            "k labelled samples per class drawn from a fixed pool of %d/class, seeds %s, scored on "
            "held-out images: CIFAR-10 test %d/class (in-domain), Fashion-MNIST t10k %d/class, "
            "digits.png the %d/class not in the pool (factory/downstream.py, factory/probe.py).")


def epochs_label(a):
    """'12', or '12 + 12' for a warm restart (distill.py --init) of a 12-epoch run."""
    base = a.get("epoch_base", 0)
    return "%d + %d" % (base, a["epochs"]) if base else a["epochs"]


def file_sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class FeatureCache:
    """<cache>/eval/<key>-<task>.npz holding 'part' and 'full' (None: no caching)."""

    def __init__(self, root):
        self.root = root
        if root:   # scores.json lives here too, also when no feature file was written yet
            os.makedirs(root, exist_ok=True)

    def get(self, key, task, n, compute):
        path = os.path.join(self.root, "%s-%s.npz" % (key, task)) if self.root else None
        if path and os.path.exists(path):
            with np.load(path) as z:
                if len(z["part"]) == n:
                    return z["part"], z["full"]
        part, full = compute()
        if path:
            os.makedirs(self.root, exist_ok=True)
            tmp = path + ".tmp.npz"
            np.savez(tmp, part=part, full=full)
            os.replace(tmp, path)
        return part, full


def float_features(ck, images, batch=500):
    model = netspec.build(ck["spec"])
    model.load_state_dict(ck["state_dict"])
    model.eval()
    px = ck["spec"]["input_px"]
    parts, fulls = [], []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            p, f = model(rf.normalised(images[i:i + batch], px, ck["mean"], ck["std"],
                                       ck["spec"]["in_ch"]))
            parts.append(p.numpy())
            fulls.append(f.numpy())
    return np.concatenate(parts), np.concatenate(fulls)


def rel_err(q, f):
    """mean |int8 - float| / mean |float| over all images and dimensions."""
    q, f = q.astype(np.float64), f.astype(np.float64)
    return float(np.abs(q - f).mean() / (np.abs(f).mean() + 1e-30))


def score(feats, d, n_pool, ks, seeds):
    """{task: {k: (mean, std)}} for one feature matrix per task (pool rows first)."""
    out = {}
    for t, f in feats.items():
        y_pool, y_test = d[t]["pool"][1], d[t]["test"][1]
        r = probe.probe_task(f[:n_pool[t]], y_pool, f[n_pool[t]:], y_test, ks, seeds)
        out[t] = {str(k): [round(m, 2), round(s, 2), [round(a, 2) for a in acc]]
                  for k, (m, s, acc) in r.items()}
    return out


def export_replicate(name, run, args):
    """The .mtm of a replicate run: the shipped one when the manifest has it (e.g.
    models/NAME-s2.mtm), else exported like the shipped model `name` into the cache."""
    manifest = load_json(os.path.join(args.models_dir, MANIFEST), {})
    for shipped, e in manifest.items():
        if e.get("run") == run and os.path.exists(os.path.join(args.models_dir, shipped + ".mtm")):
            return os.path.join(args.models_dir, shipped + ".mtm")
    out = os.path.join(cifar.cache_dir(), "eval", "replicates", run)
    mtm = os.path.join(out, name + ".mtm")
    ck = os.path.join(runs_dir(args.runs_dir), run, "final.pt")
    if not (os.path.exists(mtm) and os.path.getmtime(mtm) > os.path.getmtime(ck)):
        cmd = [sys.executable, "-m", "factory.export_models", "%s=%s" % (name, run),
               "--out-dir", out, "--cifar", args.cifar, "--microt", args.microt]
        # the replicate is calibrated like the shipped model it replicates
        calib = manifest.get(name, {}).get("calibration", {})
        source = calib.get("source", "")
        if source.startswith("corpus "):
            cmd += ["--calib-corpus", source.split()[1]]
        if calib.get("margin") is not None:
            cmd += ["--range-margin", str(calib["margin"])]
        if args.runs_dir:
            cmd += ["--runs-dir", args.runs_dir]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return mtm


def unseen_mean(tasks, ks):
    vals = [tasks[t][str(k)][0] for t in UNSEEN if t in tasks for k in ks]
    return float(np.mean(vals)) if vals else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", nargs="*", help="shipped names (default: all in the manifest)")
    ap.add_argument("--candidates", nargs="*", default=[],
                    help="extra runs (folders under the runs dir): float rows only")
    ap.add_argument("--replicates", nargs="*", default=[], metavar="NAME=RUN",
                    help="another training seed of shipped model NAME: exported to int8 in the "
                         "cache and probed like it; the MicroT-vs-TTL checks average over seeds")
    ap.add_argument("--models-dir", default=MODELS_DIR)
    ap.add_argument("--runs-dir", default="")
    ap.add_argument("--cifar", default=cifar.DEFAULT_ARCHIVE)
    ap.add_argument("--tasks", nargs="+", default=list(downstream.TASKS), choices=downstream.TASKS)
    ap.add_argument("--no-teacher", action="store_true", help="skip the teacher rows")
    ap.add_argument("--markdown", default=DOC, help="the results page ('' = none)")
    ap.add_argument("--json", default="", help="default: <models-dir>/probe.json")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny subsets (10/class pool, 10/class test), k=5, 1 seed, no cache")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-rel-err", type=float, default=0.0,
                    help="fail when a model's int8 features differ from its float features by "
                         "more than this (mean |int8 - float| / mean |float|; smoke assertion)")
    ap.add_argument("--microt", default=rf.DEFAULT_MICROT)
    args = ap.parse_args()
    env.set_up(args.threads)
    t_start = time.time()
    pool_n, test_n = (10, 10) if args.smoke else (downstream.POOL_PER_CLASS, downstream.TEST_PER_CLASS)
    ks, seeds = ((5,), (0,)) if args.smoke else (probe.KS, probe.SEEDS)
    cache = FeatureCache(None if args.smoke else os.path.join(cifar.cache_dir(), "eval"))

    data, images, n_pool = {}, {}, {}
    for t in args.tasks:
        try:
            data[t] = downstream.load_task(t, args.cifar, pool=pool_n, test=test_n)
        except FileNotFoundError as e:
            print("skip %s: %s" % (t, e), flush=True)
            continue
        if args.smoke:  # digits' test set is "the rest": cut it to the smoke size too
            y = data[t]["test"][1]
            keep = downstream._per_class_subset(y, min(test_n, np.bincount(y).min()), 1)
            data[t]["test"] = (data[t]["test"][0][keep], y[keep])
        images[t] = np.concatenate([data[t]["pool"][0], data[t]["test"][0]])
        n_pool[t] = len(data[t]["pool"][0])
    if not data:
        raise SystemExit("no task data available")

    manifest = load_json(os.path.join(args.models_dir, MANIFEST), {})
    names = args.models if args.models else sorted(manifest)
    runs_info = {}
    ext = {}   # key -> {"dim", "tasks", "student", "label", ...}
    order = []

    score_path = os.path.join(cache.root, "scores.json") if cache.root else None
    scores = load_json(score_path, {}) if score_path else {}
    proto = "|%s|%d|%d|%s|%s" % (os.path.realpath(args.cifar) if "cifar10" in data else "", pool_n, test_n,
                                 ",".join(map(str, ks)), ",".join(map(str, seeds)))

    def add(key, meta, ident, feats_by_task):
        """One row; ident names the features exactly (checkpoint hash, file fingerprint), so
        its scores are reused from <cache>/eval/scores.json when they were computed before."""
        t0 = time.time()
        sk = ident + proto + "|" + ",".join(sorted(data))
        if sk not in scores:
            f = feats_by_task() if callable(feats_by_task) else feats_by_task
            scores[sk] = {"dim": int(next(iter(f.values())).shape[1]),
                          "tasks": score(f, data, n_pool, ks, seeds)}
            if score_path:
                save_json(scores, score_path)
        ext[key] = dict(meta, **scores[sk])
        order.append(key)
        cells = "; ".join("%s k=%s %.1f" % (t, k, v[0]) for t, r in ext[key]["tasks"].items()
                          for k, v in r.items())
        print("%-40s D=%-4d %s (probe %.0f s)" % (key, ext[key]["dim"], cells, time.time() - t0),
              flush=True)

    def run_ck(run):
        path = os.path.join(runs_dir(args.runs_dir), run, "final.pt")
        return path, torch.load(path, map_location="cpu")

    # teachers first (one row per distinct target of the MicroT models)
    teachers = []
    if not args.no_teacher:
        for n in names:
            e = manifest[n]
            if e["mode"] == "microt" and e.get("teacher_px") and (e["teacher"], e["teacher_px"]) not in teachers:
                teachers.append((e["teacher"], e["teacher_px"]))
    for target, tpx in teachers:
        add("teacher:%s" % target, {"label": "teacher %s (%d px)" % (target, tpx),
                                    "kind": "teacher", "teacher_px": tpx},
            "teacher-%s-%d" % (target, tpx),
            lambda: {t: probe.target_features(target, tpx, t, images[t]) for t in data})

    def add_model_rows(prefix, n, e, ck, sha, mtm_path, fp, meta):
        """float (checkpoint) and int8 (the .mtm through the C runtime) rows of both stages."""
        run = meta["run"]
        t0 = time.time()
        fl = {t: cache.get("float-%s-%s" % (run, sha[:12]), t, len(images[t]),
                           lambda t=t: float_features(ck, images[t])) for t in data}
        t1 = time.time()
        q = {t: cache.get("int8-%s-%s" % (n, fp), t, len(images[t]),
                          lambda t=t: rf.extract(mtm_path, images[t], args.microt)) for t in data}
        t2 = time.time()
        print("%s: float features %.0f s, int8 (C runtime) %.0f s, %d images"
              % (prefix, t1 - t0, t2 - t1, sum(len(v) for v in images.values())), flush=True)
        for si, stage in enumerate(("part", "full")):
            err = rel_err(np.concatenate([q[t][si] for t in data]),
                          np.concatenate([fl[t][si] for t in data]))
            for kind, fs in (("float", fl), ("int8", q)):
                add("%s/%s/%s" % (prefix, stage, kind),
                    dict(meta, model=n, student=e["student"], mode=e["mode"], stage=stage,
                         weights=kind, rel_err_int8=round(err, 4)),
                    ("float-%s-%s" % (run, sha[:12]) if kind == "float"
                     else "int8-%s" % fp) + "-" + stage,
                    {t: fs[t][si] for t in data})

    for n in names:
        e = manifest[n]
        path, ck = run_ck(e["run"])
        sha = e.get("checkpoint_sha256") or file_sha(path)
        runs_info[n] = {"run": e["run"], "mode": e["mode"], "teacher": e.get("teacher", ""),
                        "wall_s": round(float(ck.get("wall_s", 0.0)), 1),
                        "images_per_s": round(float(ck.get("images_per_s", 0.0)), 1),
                        "epochs": epochs_label(ck["args"]) if e["mode"] != "none" else 0,
                        "bytes": e["bytes"]}
        mtm_path = os.path.join(args.models_dir, n + ".mtm")
        add_model_rows(n, n, e, ck, sha, mtm_path, e.get("fingerprint") or file_sha(mtm_path)[:16],
                       {"kind": "model", "run": e["run"]})

    for rep in args.replicates:
        n, run = rep.split("=", 1)
        e = manifest[n]
        path, ck = run_ck(run)
        if ck["args"]["student"] != e["student"] or ck["mode"] != e["mode"]:
            raise SystemExit("replicate %s is not a %s %s run" % (run, e["student"], e["mode"]))
        mtm_path = export_replicate(n, run, args)
        add_model_rows("replicate:" + run, n, e, ck, file_sha(path), mtm_path,
                       file_sha(mtm_path)[:16],
                       {"kind": "replicate", "run": run, "seed": ck["args"]["seed"]})

    for run in args.candidates:
        path, ck = run_ck(run)
        sha = file_sha(path)
        fl = {t: cache.get("float-%s-%s" % (run, sha[:12]), t, len(images[t]),
                           lambda t=t: float_features(ck, images[t])) for t in data}
        for si, stage in enumerate(("part", "full")):
            add("candidate:%s/%s/float" % (run, stage),
                {"run": run, "student": ck["args"]["student"], "mode": ck["mode"], "stage": stage,
                 "weights": "float", "kind": "candidate",
                 "teacher": os.path.basename(ck.get("teacher", ""))},
                "float-%s-%s-%s" % (run, sha[:12], stage), {t: fl[t][si] for t in data})

    add("pixels", {"label": "raw pixels (32 px RGB, flattened)", "kind": "pixels"}, "pixels",
        lambda: {t: probe._pixels(images[t]) for t in data})

    checks = compute_checks(ext, ks)
    for c in checks:
        print("check: " + c["text"], flush=True)
    if args.max_rel_err:
        bad = sorted({(v["model"], v["stage"], v["rel_err_int8"]) for v in ext.values()
                      if v.get("rel_err_int8", 0.0) > args.max_rel_err})
        if bad:
            raise SystemExit("int8 features disagree with float (relative error > %g): %s"
                             % (args.max_rel_err, bad))
    res = {"protocol": PROTOCOL % (pool_n, ",".join(map(str, seeds)), test_n, test_n,
                                   500 - pool_n),
           "ks": list(ks), "seeds": list(seeds), "tasks": list(data), "order": order,
           "extractors": ext, "checks": checks, "runs": runs_info, "smoke": args.smoke,
           "eval_s": round(time.time() - t_start, 1)}
    sel = load_json(os.path.join(args.models_dir, SELECTION), {})
    res["goals"] = goals.compute(res, sel, manifest) if not args.smoke else []
    out_json = args.json or os.path.join(args.models_dir, PROBE)
    save_json(res, out_json)
    print("wrote %s (%.0f s)" % (out_json, time.time() - t_start), flush=True)
    if args.markdown:
        notes = ""
        if os.path.exists(args.markdown):  # keep the hand-written part below the marker
            with open(args.markdown) as f:
                old = f.read()
            if NOTES_MARK in old:
                notes = old[old.index(NOTES_MARK):]
        text = markdown(res, manifest) + "\n" + (notes or NOTES_MARK + "\n")
        tmp = args.markdown + ".tmp"   # whole page, then rename: a failure keeps the old page
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, args.markdown)
        print("wrote %s" % args.markdown)


REPORT_TASKS = ("fashion-mnist", "digits", "cifar10-test")   # docs/protocol.md


def compute_checks(ext, ks):
    """The issue's criteria, evaluated (true or false) per student."""
    checks = []
    models = [v for v in ext.values() if v.get("kind") == "model"]
    # int8 vs float, every model and stage, every task and k
    for v in models:
        if v["weights"] != "int8":
            continue
        f = ext["%s/%s/float" % (v["model"], v["stage"])]
        d = [(f["tasks"][t][str(k)][0] - v["tasks"][t][str(k)][0], t, k)
             for t in v["tasks"] for k in ks]
        worst = max(d)
        checks.append({"check": "int8_loss", "model": v["model"], "stage": v["stage"],
                       "worst": round(worst[0], 2), "mean": round(float(np.mean([x[0] for x in d])), 2),
                       "ok": worst[0] <= 1.0,
                       "text": "%s %s: int8 loses at most %.1f points (mean %.2f) vs float (%s k=%d) %s"
                               % (v["model"], v["stage"], worst[0], np.mean([x[0] for x in d]),
                                  worst[1], worst[2], "OK" if worst[0] <= 1.0 else "FAILS <= 1")})
    for student in sorted({v["student"] for v in models}):
        def compared(v, mode):
            """The two extractors the issue compares are named <student>-<mode>-<px>
            (ablations such as <student>-microt-nojoint-<px> are not)."""
            return re.fullmatch(r"%s-%s-\d+" % (student, mode), v["model"]) is not None

        def get(mode, stage, weights="int8"):
            for v in models:
                if compared(v, mode) and (v["stage"], v["weights"]) == (stage, weights):
                    return v
            return None
        for stage in ("part", "full"):
            m, t = get("microt", stage), get("ttl", stage)
            if not (m and t):
                continue
            cells = [(tk, k, m["tasks"][tk][str(k)][0], t["tasks"][tk][str(k)][0])
                     for tk in UNSEEN if tk in m["tasks"] for k in ks]
            wins = sum(a >= b for _, _, a, b in cells)
            ok = wins == len(cells)
            checks.append({"check": "microt_vs_ttl", "student": student, "stage": stage,
                           "wins": wins, "cells": len(cells), "ok": ok,
                           "microt_unseen_mean": round(unseen_mean(m["tasks"], ks), 2),
                           "ttl_unseen_mean": round(unseen_mean(t["tasks"], ks), 2),
                           "text": "%s MicroT %s >= TTL %s on unseen tasks (int8): %d of %d cells, "
                                   "mean %.1f vs %.1f -> %s"
                                   % (student, stage, stage, wins, len(cells),
                                      unseen_mean(m["tasks"], ks), unseen_mean(t["tasks"], ks),
                                      "holds" if ok else "does NOT hold")})
        for stage in ("part", "full"):  # the recipe, over every training seed probed
            reps = {mode: [v for v in ext.values() if v.get("kind") in ("model", "replicate")
                           and compared(v, mode) and (v["stage"], v["weights"]) == (stage, "int8")]
                    for mode in ("microt", "ttl")}
            if len(reps["microt"]) < 2 or len(reps["ttl"]) < 2:
                continue
            per_task = []
            for tk in UNSEEN:
                if tk not in reps["microt"][0]["tasks"]:
                    continue
                mean = {mode: float(np.mean([v["tasks"][tk][str(k)][0] for v in reps[mode]
                                             for k in ks])) for mode in reps}
                per_task.append((tk, mean["microt"], mean["ttl"]))
            ok = all(a >= b for _, a, b in per_task)
            checks.append({"check": "microt_vs_ttl_seeds", "student": student, "stage": stage,
                           "seeds": {m: len(r) for m, r in reps.items()}, "ok": ok,
                           "per_task": [{"task": t, "microt": round(a, 2), "ttl": round(b, 2)}
                                        for t, a, b in per_task],
                           "text": "%s MicroT %s >= TTL %s per unseen task, mean over %d / %d "
                                   "training seeds and both k (int8): %s -> %s"
                                   % (student, stage, stage, len(reps["microt"]), len(reps["ttl"]),
                                      ", ".join("%s %.1f vs %.1f" % x for x in per_task),
                                      "holds" if ok else "does NOT hold")})
    return checks


def markdown(res, manifest):
    ks, tasks = res["ks"], res["tasks"]
    head = ("| extractor | stage | weights | D | " +
            " | ".join("%s k=%d" % (TASK_NAMES[t], k) for t in tasks for k in ks) +
            " | unseen mean |")
    sep = "|---|---|---|---|" + "---|" * (len(tasks) * len(ks)) + "---|"

    def row(label, stage, weights, v):
        cells = ["%.1f ± %.1f" % tuple(v["tasks"][t][str(k)][:2]) for t in tasks for k in ks]
        return "| %s | %s | %s | %d | %s | %.1f |" % (label, stage, weights, v["dim"],
                                                      " | ".join(cells), unseen_mean(v["tasks"], ks))

    ext = res["extractors"]
    L = ["# Factory results: linear probes of the shipped extractors", "",
         "Generated by `factory/run.sh evaluate.py`. These are **report tasks** "
         "(docs/protocol.md): evaluated after every choice was made on the selection tasks "
         "(models/selection.json, docs/factory.md), never used to make one. " + res["protocol"],
         "Rows: the teacher the MicroT model was distilled from; each shipped model "
         "(`models/NAME.mtm`) part and full feature, **float** (PyTorch checkpoint, training's "
         "pre-processing) and **int8** (the .mtm through the C runtime, `microt extract`, on 8-bit "
         "frames); raw pixels as the floor. *unseen mean*: mean over Fashion-MNIST and digits, "
         "both k. Evaluation wall time %.0f s." % res["eval_s"], ""]
    shown = sorted({v["model"] for v in ext.values() if v.get("kind") == "model"})
    void = [n for n in shown if set(manifest.get(n, {}).get("selected_on") or []) & set(REPORT_TASKS)]
    if void:
        L += ["**Selected on report tasks** (their figures below break the protocol and are not "
              "results): " + ", ".join("`%s` (%s)" % (n, ", ".join(manifest[n]["selected_on"]))
                                     for n in void), ""]
    students = sorted({v["student"] for v in ext.values() if v.get("kind") == "model"})
    for s in students:
        L += ["## %s" % s, "", head, sep]
        for key in res["order"]:
            v = ext[key]
            if v.get("kind") == "teacher":
                used = [n for n, e in manifest.items() if e["student"] == s and e["mode"] == "microt"
                        and "teacher:" + e["teacher"] == key]
                if used:
                    L.append(row("teacher `%s`" % key.split(":", 1)[1], "–", "float", v))
        for mode in ("microt", "ttl", "none"):
            for key in res["order"]:
                v = ext[key]
                if v.get("kind") == "model" and v["student"] == s and v["mode"] == mode:
                    L.append(row("`%s`" % v["model"], v["stage"], v["weights"], v))
        L.append(row("raw pixels" + (" (scores from %s)" % ext["pixels"]["source"]
                                     if ext["pixels"].get("source") else ""), "–", "–", ext["pixels"]))
        L.append("")
    cands = [k for k in res["order"] if ext[k].get("kind") == "candidate"]
    if cands:
        L += ["## Candidate runs (float only)", "", head, sep]
        for k in cands:
            v = ext[k]
            L.append(row("`%s` (teacher %s)" % (v["run"], v.get("teacher") or "–"), v["stage"],
                         "float", v))
        L.append("")
    reps = [k for k in res["order"] if ext[k].get("kind") == "replicate"]
    if reps:
        L += ["## Replicates (same recipe, another training seed; int8 exported to the cache)",
              "", head, sep]
        for k in reps:
            v = ext[k]
            L.append(row("`%s` (seed %d, like `%s`)" % (v["run"], v["seed"], v["model"]),
                         v["stage"], v["weights"], v))
        L.append("")
    if res.get("runs"):
        L += ["## Runs", "", "| model | run | mode | teacher | epochs | wall time (last cycle) | img/s | file bytes |",
              "|---|---|---|---|---|---|---|---|"]
        for n, r in sorted(res["runs"].items()):
            L.append("| `%s` | %s | %s | %s | %s | %.0f s (%.1f min) | %.0f | %s |"
                     % (n, r["run"], r["mode"], r["teacher"] or "–", r["epochs"], r["wall_s"],
                        r["wall_s"] / 60, r["images_per_s"], format(r["bytes"], ",")))
        L.append("")
    L += ["## Checks", ""] + ["- %s" % c["text"] for c in res["checks"]] + [""]
    if res.get("goals"):
        L += ["## Goals (issue 12)", "",
              "Computed by factory/goals.py from models/probe.json (report tasks, int8 through the "
              "C runtime, k = 10, %d draws, every training seed probed) and models/selection.json "
              "(selection tasks). \"± x\": sample std of the per-draw differences." % len(res["seeds"]),
              "", goals.markdown(res["goals"]), ""]
    return "\n".join(L)


if __name__ == "__main__":
    main()
