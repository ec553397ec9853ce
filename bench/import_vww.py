#!/usr/bin/python3
"""The MLPerf Tiny VWW model as a MicroT extractor (issue 15 item 2; docs/import.md).

`microt import` turns vww_96_int8.tflite into .mtm files split after each candidate op; the C
runtime then personalizes it (`microt personalize`: k shots per class, both heads, tau
calibrated by cross-validation on the shots for ratio r) and scores stage decision
(`microt eval`: accuracy, early-exit share, MACs).

1. Selection, on CIFAR-10 *train* images only (150 per class as the shot pool, 100 per class,
   disjoint, as the test set), k = 10, r = 0.5, 5 draws; rules fixed before any run:
   a. the full feature (head B's tensor; VWW's last layers specialise in persons) and whether
      the heads train on standardized features: the candidate with the best head-B-alone
      accuracy (part feature op 5 meanwhile; head B does not depend on it);
   b. the split (head A's tensor): the one with the fewest mean MACs per image among those
      whose stage-decision accuracy is within 1 point of (a)'s head-B-alone accuracy; if none
      qualifies, the most accurate.
2. Report, with the chosen split only: the benchmark's tasks (bench/tasks.py: Fashion-MNIST,
   OpenCV digits, CIFAR-10 test), k = 10, r = 0.25 / 0.5 / 0.75, 5 draws: accuracy and exit
   share (mean +- sample std, ddof = 1) at the calibrated tau.

  bench/import_vww.py --microt build/tools/microt            # ~15 min on 2 cores
  bench/import_vww.py --microt build/tools/microt --smoke    # 2 splits, 2 draws, selection only
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)
import tasks as T  # noqa: E402

PARTS = [5, 7, 9, 11, 13, 15, 17, 19, 21]      # ops whose output alone feeds the rest, 20-80 % MACs
FULLS = [13, 15, 17, 19, 21, 22, 24, 26]       # 26: the model's own last layer (its pool, op 27)
SELECT_POOL, SELECT_TEST = 150, 100
CIFAR_NAMES = T.NAMES["cifar10"]


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return r.stdout


def num(pattern, text):
    m = re.search(pattern, text, re.M)
    return float(m.group(1)) if m else float("nan")


def personalize_eval(microt, model, train, test, names, k, seed, ratio, work, standardize=False):
    head = os.path.join(work, "h.head")
    if os.path.exists(head):
        os.remove(head)
    run([microt, "personalize", model, "--train", train[0], "--labels", train[1], "-o", head,
         "--shots", str(k), "--seed", str(seed + 1), "--ratio", str(ratio), "--names", names, "--quiet"]
        + (["--standardize"] if standardize else []))
    e = run([microt, "eval", model, head, "--test", test[0], "--labels", test[1], "--names", names, "--quiet"])
    return {"acc": num(r"^accuracy ([\d.]+) %", e), "exit": num(r"^early exit ([\d.]+) %", e),
            "macs": num(r"^mean macs ([\d.]+) per image", e),
            "acc_part": num(r"part head alone ([\d.]+) %", e),
            "acc_full": num(r"full head alone ([\d.]+) %", e)}


def ms(v):
    v = np.asarray(v, float)
    return (v.mean(), v.std(ddof=1) if len(v) > 1 else float("nan"))


def imported(microt, tflite, part, full, work):
    path = os.path.join(work, f"vww-{part}-{full}.mtm")
    if not os.path.exists(path):
        run([microt, "import", tflite, "-o", path, "--features", f"op:{part}", f"op:{full}",
             "--name", f"vww-{part}-{full}"])
    return path


def command(part, full):
    return f"microt import vww_96_int8.tflite -o vww.mtm --features op:{part} op:{full}"


def selection(args, work, parts, fulls, seeds):
    from factory.cifar import DEFAULT_ARCHIVE, load_split
    x, y = load_split("train", args.cifar or DEFAULT_ARCHIVE)
    rng = np.random.default_rng(20251207)
    pool = T._per_class(y, SELECT_POOL, rng)
    test = T._per_class(y, SELECT_TEST, rng, exclude=pool)
    tr = T.write_set(work, "sel-pool", x[pool], y[pool])
    te = T.write_set(work, "sel-test", x[test], y[test])
    def trial(part, full, std):
        model = imported(args.microt, args.tflite, part, full, work)
        rs = [personalize_eval(args.microt, model, tr, te, CIFAR_NAMES, 10, s, 0.5, work, std) for s in seeds]
        row = {"part": part, "full": full, "standardize": std, **{k: ms([r[k] for r in rs]) for k in rs[0]}}
        print("part op %2d full op %2d std %d: stage %.1f +- %.1f %%, exit %.0f %%, part alone %.1f +- %.1f, "
              "full alone %.1f +- %.1f, %.2f M MACs" % (part, full, std, *row["acc"], row["exit"][0],
              *row["acc_part"], *row["acc_full"], row["macs"][0] / 1e6), flush=True)
        return row
    rows_a = [trial(parts[0], f, std) for f in fulls for std in (False, True)]
    best = max(rows_a, key=lambda r: r["acc_full"][0])
    full, std, acc_b = best["full"], best["standardize"], best["acc_full"][0]
    print("(a) full feature op %d, standardize %d: head B alone %.1f %%" % (full, std, acc_b), flush=True)
    rows_b = [trial(p, full, std) for p in parts if p < full]
    ok = [r for r in rows_b if r["acc"][0] >= acc_b - 1.0]
    chosen = min(ok, key=lambda r: r["macs"][0]) if ok else max(rows_b, key=lambda r: r["acc"][0])
    return rows_a, rows_b, chosen


def report(args, work, chosen, seeds, ratios):
    model = imported(args.microt, args.tflite, chosen["part"], chosen["full"], work)
    out = {}
    for task in ("fashion", "digits", "cifar10"):
        try:
            d = T.load(task, args.cifar)
        except FileNotFoundError as e:
            print(f"{task}: skipped ({e})")
            continue
        tr = T.write_set(os.path.join(work, task), "pool", *d["pool"])
        te = T.write_set(os.path.join(work, task), "test", *d["test"])
        for r in ratios:
            rs = [personalize_eval(args.microt, model, tr, te, T.NAMES[task], 10, s, r, work,
                                   chosen["standardize"]) for s in seeds]
            out[(task, r)] = {k: ms([x[k] for x in rs]) for k in rs[0]}
            m = out[(task, r)]
            print("%-8s r = %.2f: accuracy %.1f +- %.1f %%, exit %.1f +- %.1f %%, %.2f M MACs "
                  "(part alone %.1f, full alone %.1f)" % (task, r, *m["acc"], *m["exit"], m["macs"][0] / 1e6,
                                                          m["acc_part"][0], m["acc_full"][0]), flush=True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--microt", required=True)
    ap.add_argument("--tflite", default=os.path.join(ROOT, "..", "shared", "data", "tflite", "vww_96_int8.tflite"))
    ap.add_argument("--cifar", default=None, help="cifar10-jpeg.tar.gz (default ../shared/data)")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    if not os.path.exists(args.tflite):
        print(f"skipped: no {args.tflite}")
        return 77
    seeds = list(range(2 if args.smoke else args.seeds))
    with tempfile.TemporaryDirectory() as work:
        rows_a, rows_b, chosen = selection(args, work, PARTS[3:5] if args.smoke else PARTS,
                                           FULLS[-2:] if args.smoke else FULLS, seeds)
        print("chosen: part op %d, full op %d, standardize %d\n  %s"
              % (chosen["part"], chosen["full"], chosen["standardize"], command(chosen["part"], chosen["full"])))
        rep = {} if args.smoke else report(args, work, chosen, seeds, (0.25, 0.5, 0.75))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"selection_full": rows_a, "selection_split": rows_b, "chosen": chosen,
                       "report": {f"{t}@{r}": v for (t, r), v in rep.items()}}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
