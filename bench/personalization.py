#!/usr/bin/python3
"""Personalization cost, memory and calibration (issue 14) -> docs/personalization.md section 8.

Everything runs the C runtime end to end: `microt personalize --json` (the device's learner:
int8 extractor pass per sample, bounded int8 cache, heads A and B, tau) and `microt eval --json`
on the task's held-out test set. Energy: the feature cache each run saved (the device's flash
image) is fitted again by bench/bench_personalize on the emulated Cortex-M4 under the mt_cycles
cycle model (docs/cycles.md), so the cycles come from the REAL iterations on the same features
bit for bit; one sample's extraction is priced the same way. Cycles x the L4R5 board model
(`microt inspect --board`, docs/energy.md) = estimated energy, never measured.

MicroT = heads A and B + tau at r = 0.5 (warm folds); TTL = the TTL extractor, head B only and
no calibration (`--full-only`, a full-model device), on the same samples. "Today's heads" = the
CLI of --baseline-ref (the code before issue 14), built from git in the cache folder.

Report tasks only report (Fashion-MNIST, OpenCV digits, CIFAR-10 test, bench/tasks.py);
--selection adds the factory's selection tasks (factory/selection.py) the choices were made on:
head B on part (+) full vs full, tol 1e-3 vs 1e-5, warm vs cold calibration folds, and the
reservoir's accuracy against per_class on sel-cifar's 70/30 split.

  bench/personalization.py                  # report tasks -> docs/personalization.md (section 8)
  bench/personalization.py --selection      # also the CIFAR-10 train selection study
  bench/personalization.py --smoke          # one task, one seed, no cycles, output to stdout
Runs are cached in <cache>/pers (MICROT_CACHE, default ~/.cache/microt) by the inputs' bytes.
"""
import argparse
import hashlib
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
sys.path.insert(0, ROOT)  # factory as a package (factory.selection)
sys.path.insert(0, os.path.join(ROOT, "factory"))
import tasks as T  # noqa: E402

BASELINE_REF = "6fd3dd7"  # main before issue 14: the heads this work is compared with
STUDENTS = {"mcunet": ("mcunet-microt-64", "mcunet-ttl-64"),
            "proxyless": ("proxyless-microt-64", "proxyless-ttl-64")}
BOARD = "stm32l4r5zi"
MARK_BEGIN = "<!-- bench/personalization.py:begin -->"
MARK_END = "<!-- bench/personalization.py:end -->"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def run(cmd, **kw):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} -> exit {p.returncode}\n{p.stderr[-3000:]}")
    return p.stdout


def sha_file(path, n=16):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:n]


def mean_sd(v):
    v = [x for x in v if x is not None]
    if not v:
        return None
    return float(np.mean(v)), (float(np.std(v, ddof=1)) if len(v) > 1 else 0.0), len(v)


def fmt(ms, d=1, sign=False):
    if ms is None:
        return "–"
    m, s, n = ms
    f = f"{{:{'+' if sign else ''}.{d}f}}"
    return (f.format(m) + f" ± {s:.{d}f}") if n > 1 else f.format(m)


# ---------------------------------------------------------------- builds
def build(ctx):
    host = os.path.join(ROOT, "build-pers")
    run(["cmake", "-S", ROOT, "-B", host, "-DCMAKE_BUILD_TYPE=Release"])
    run(["cmake", "--build", host, "-j2", "--target", "microt-cli"])
    ctx.microt = os.path.join(host, "tools", "microt")
    ctx.cli_sha = sha_file(ctx.microt)
    if ctx.no_cycles:
        return
    m4 = os.path.join(ROOT, "build-pers-m4")
    run(["cmake", "-S", ROOT, "-B", m4, "-DCMAKE_BUILD_TYPE=Release", "-DMT_CPU=cortex-m4",
         "-DCMAKE_TOOLCHAIN_FILE=" + os.path.join(ROOT, "port/cortex-m/toolchain-arm-none-eabi.cmake")])
    run(["cmake", "--build", m4, "-j2", "--target", "bench_personalize", "mt_cycles_plugin"])
    ctx.elf = os.path.join(m4, "bench", "bench_personalize.elf")
    ctx.plugin = os.path.join(m4, "mt_cycles.so")
    ctx.fw_sha = sha_file(ctx.elf)


def build_baseline(ctx):
    """The CLI at --baseline-ref, built once in the cache folder (git archive, no worktree)."""
    dst = os.path.join(ctx.cache, f"baseline-{ctx.baseline_ref}")
    exe = os.path.join(dst, "build", "tools", "microt")
    if not os.path.exists(exe):
        os.makedirs(dst, exist_ok=True)
        arc = subprocess.run(["git", "-C", ROOT, "archive", ctx.baseline_ref], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", dst], input=arc.stdout, check=True)
        run(["cmake", "-S", dst, "-B", os.path.join(dst, "build"), "-DCMAKE_BUILD_TYPE=Release"])
        run(["cmake", "--build", os.path.join(dst, "build"), "-j2", "--target", "microt-cli"])
    ctx.baseline = exe


# ---------------------------------------------------------------- one run, cached
def cached(ctx, key, fn):
    h = hashlib.sha256(json.dumps(key).encode()).hexdigest()[:24]
    path = os.path.join(ctx.cache, "runs", h + ".json")
    if os.path.exists(path) and not ctx.fresh:
        with open(path) as f:
            return json.load(f)
    v = fn()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(v, f)
    os.replace(path + ".tmp", path)
    return v


def personalize_eval(ctx, model, train, test, names, flags, cycles_mode=None):
    """New CLI: personalize --json, eval --json; with cycles_mode the fit is priced on the M4."""
    key = ["new", ctx.cli_sha, sha_file(model), train, test, flags, cycles_mode,
           ctx.fw_sha if cycles_mode else None]

    def go():
        with tempfile.TemporaryDirectory() as tmp:
            head = os.path.join(tmp, "h")
            p = json.loads(run([ctx.microt, "personalize", model, "--train", train[0], "--labels", train[1],
                                "--names", names, "-o", head, "--json"] + flags))
            e = json.loads(run([ctx.microt, "eval", model, head, "--test", test[0], "--labels", test[1],
                                "--names", names, "--json", "--quiet"]))
            e.pop("confusion", None)
            r = {"personalize": p, "eval": e}
            if cycles_mode:
                ratio = p["calibration"]["ratio"]
                r["m4"] = m4_fit(ctx, model, p["cache_file"], cycles_mode, ratio)
                assert abs(r["m4"]["tau"] - p["calibration"]["tau"]) < 1e-5, "device fit differs from host"
            return r
    return cached(ctx, key, go)


def baseline_eval(ctx, model, train, test, names, ratio):
    """Today's CLI: text output (accuracy, each head alone, iterations)."""
    key = ["old", ctx.baseline_ref, sha_file(model), train, test, ratio]

    def go():
        with tempfile.TemporaryDirectory() as tmp:
            head = os.path.join(tmp, "h")
            p = run([ctx.baseline, "personalize", model, "--train", train[0], "--labels", train[1],
                     "--names", names, "-o", head, "--ratio", str(ratio), "--quiet"])
            e = run([ctx.baseline, "eval", model, head, "--test", test[0], "--labels", test[1],
                     "--names", names, "--quiet"])
            num = lambda pat, s: float(re.search(pat, s, re.M).group(1))  # noqa: E731
            return {"accuracy": num(r"^accuracy ([\d.]+) %", e),
                    "accuracy_part_head": num(r"part head alone ([\d.]+) %", e),
                    "accuracy_full_head": num(r"full head alone ([\d.]+) %", e),
                    "iters": [int(x) for x in re.findall(r"head [AB], (\d+) L-BFGS", p)]}
    return cached(ctx, key, go)


def m4_fit(ctx, model, cache_file, mode, ratio):
    """Cycles of the fit (and of one extraction) on the emulated Cortex-M4."""
    with tempfile.TemporaryDirectory() as tmp:
        rep = os.path.join(tmp, "cycles")
        out = run([os.path.join(ROOT, "port/cortex-m/icount/count-cycles.sh"), "--cpu=cortex-m4",
                   f"--plugin={ctx.plugin}", f"--out={rep}", ctx.elf, model, cache_file, mode, str(ratio), "1"])
        with open(rep) as f:
            text = f.read()
    cyc = {}
    for m in re.finditer(r"^mt_cycles region=(\d+) calls=(\d+) .*?cycles=(\d+)", text, re.M):
        cyc[int(m.group(1))] = int(m.group(3)) / int(m.group(2))
    fields = dict(kv.split("=", 1) for kv in out.split()[1:])
    over = cyc[255]
    return {"extract": cyc[0] - over, "fit": cyc[1] - over, "tau": float(fields["tau"]),
            "line": out.strip()}


def board(ctx, model):
    out = run([ctx.microt, "inspect", model, "--board", BOARD])
    b = re.search(r"([\d.]+) MHz, .* = ([\d.]+) mW run mode", out)
    return float(b.group(1)), float(b.group(2))


def mj(cycles, b):
    return cycles / (b[0] * 1e6) * b[1]  # cycles / f * P: mW x s = mJ


# ---------------------------------------------------------------- data
def task_data(ctx, name):
    """{'pool', 'test', 'split_train', 'split_test'} written as IDX in the cache; names."""
    d = T.load(name, cifar=ctx.cifar)
    names = T.NAMES[name]
    folder = os.path.join(ctx.cache, "data", name)
    out = {"names": names}
    sets = {"test": d["test"]}
    sp = T.split(d, 0)   # the 70/30 protocol's first draw (docs/results.md uses the same)
    sets["split_train"], sets["split_test"] = sp["train"], sp["test"]
    for part, (x, y) in sets.items():
        out[part] = T.write_set(folder, part, x, y)
    out["pool"] = d["pool"]
    out["folder"] = folder
    return out


def shots(data, k, seed):
    x, y = data["pool"]
    idx = T.shots(y, k, seed)
    return T.write_set(data["folder"], f"k{k}-s{seed}", x[idx], y[idx])


# ---------------------------------------------------------------- experiments
def cost_and_accuracy(ctx, student, task, data, seeds):
    """k = 10: MicroT vs TTL energy (real iterations), new vs today's accuracy."""
    mt, ttl = (os.path.join(ROOT, "models", s + ".mtm") for s in STUDENTS[student])
    rows = []
    for seed in seeds:
        tr = shots(data, 10, seed)
        cyc = None if ctx.no_cycles else "microt"
        a = personalize_eval(ctx, mt, tr, data["test"], data["names"], [], cyc)
        b = personalize_eval(ctx, ttl, tr, data["test"], data["names"], ["--full-only"],
                             None if ctx.no_cycles else "full")
        r = {"seed": seed, "microt": a, "ttl": b}
        if not ctx.no_baseline:
            r["old_microt"] = baseline_eval(ctx, mt, tr, data["test"], data["names"], 0.5)
            r["old_ttl"] = baseline_eval(ctx, ttl, tr, data["test"], data["names"], 0.0)
        rows.append(r)
    return rows


def ratio_sweep(ctx, student, task, data, seeds):
    mt = os.path.join(ROOT, "models", STUDENTS[student][0] + ".mtm")
    out = {}
    for r in (0.25, 0.5, 0.75):
        out[r] = [personalize_eval(ctx, mt, shots(data, 10, s), data["test"], data["names"],
                                   ["--ratio", str(r)])["eval"]["exit_share"] for s in seeds]
    return out


def memory_protocols(ctx, student, task, data):
    """SRAM (and accuracy) at k = 10, k = 50 and 70/30: default ceiling vs every sample kept."""
    mt = os.path.join(ROOT, "models", STUDENTS[student][0] + ".mtm")
    res = {}
    for proto in ("k10", "k50", "7030"):
        tr = data["split_train"] if proto == "7030" else shots(data, int(proto[1:]), 0)
        te = data["split_test"] if proto == "7030" else data["test"]
        res[proto] = {"bounded": personalize_eval(ctx, mt, tr, te, data["names"], [])}
        if proto == "7030":
            res[proto]["unbounded"] = personalize_eval(ctx, mt, tr, te, data["names"], ["--per-class", "350"])
    return res


def selection_draws(ctx, name, n_draws):
    """The factory's selection task (factory/selection.py) as IDX: its own draws (k per class,
    the others up to test_cap per class to score)."""
    from factory import selection as S
    x, y, classes = S.load(name)
    spec = S.TASKS[name]
    folder = os.path.join(ctx.cache, "data", name)
    out = []
    for d, (tr, te) in enumerate(S.draws(y, spec["k"], spec["test_cap"], n_draws)):
        out.append((T.write_set(folder, f"d{d}-train", x[tr], y[tr]),
                    T.write_set(folder, f"d{d}-test", x[te], y[te])))
    return out, ",".join(c[:15] for c in classes), (x, y)


SEL_RUNS = {  # label -> flags; every one on every draw
    "default": [], "r0.25": ["--ratio", "0.25"], "r0.75": ["--ratio", "0.75"],
    "full-head": ["--full-head", "full"], "tol1e-5": ["--tol", "1e-5"],
    "cold": ["--fold-iters", "0"], "cold-r0.25": ["--fold-iters", "0", "--ratio", "0.25"],
    "cold-r0.75": ["--fold-iters", "0", "--ratio", "0.75"]}


def selection_study(ctx):
    """The factory's selection tasks (choices were made here), through the CLI; and the
    reservoir's accuracy against per_class on sel-cifar's 70/30 split (350 given a class)."""
    from factory import selection as S
    out = {"runs": {}, "reservoir": {}}
    for name in S.TASKS:
        draws, names, (x, y) = selection_draws(ctx, name, ctx.sel_draws)
        for student in STUDENTS:
            mt = os.path.join(ROOT, "models", STUDENTS[student][0] + ".mtm")
            for label, flags in SEL_RUNS.items():
                out["runs"][f"{name} {student} {label}"] = [
                    personalize_eval(ctx, mt, tr, te, names, flags) for tr, te in draws]
    x, y, classes = S.load("sel-cifar")
    rng = np.random.default_rng(14)
    tr, te = [], []
    for c in range(len(classes)):
        idx = rng.permutation(np.flatnonzero(y == c))[:500]
        tr.append(idx[:350])
        te.append(idx[350:])
    tr, te = np.sort(np.concatenate(tr)), np.sort(np.concatenate(te))
    folder = os.path.join(ctx.cache, "data", "sel-cifar")
    trs, tes = T.write_set(folder, "7030-train", x[tr], y[tr]), T.write_set(folder, "7030-test", x[te], y[te])
    for student in STUDENTS:
        mt = os.path.join(ROOT, "models", STUDENTS[student][0] + ".mtm")
        for pc in (45, 80, 150, 350):
            out["reservoir"][f"{student} {pc}"] = personalize_eval(
                ctx, mt, trs, tes, ",".join(classes), ["--per-class", str(pc)])
    return out


# ---------------------------------------------------------------- report
def energy_rows(ctx, rows, b):
    """Per seed: (MicroT mJ, TTL mJ, ratio, iterations)."""
    out = []
    for r in rows:
        a, t = r["microt"], r["ttl"]
        if "m4" not in a or "m4" not in t:
            continue
        n = a["personalize"]["samples"]["kept"]
        ea = n * a["m4"]["extract"] + a["m4"]["fit"]
        et = n * t["m4"]["extract"] + t["m4"]["fit"]
        out.append({"microt_mj": mj(ea, b), "ttl_mj": mj(et, b), "ratio": ea / et,
                    "fit_microt_mj": mj(a["m4"]["fit"], b), "fit_ttl_mj": mj(t["m4"]["fit"], b),
                    "extract_mj": mj(n * a["m4"]["extract"], b),
                    "it": [h["iterations"] for h in a["personalize"]["heads"]] +
                          [a["personalize"]["calibration"]["iterations"], t["personalize"]["heads"][1]["iterations"]],
                    "conv": all(h["converged"] for h in a["personalize"]["heads"]) and
                            t["personalize"]["heads"][1]["converged"]})
    return out


def write_report(ctx, res):
    w = []
    p = w.append
    p(f"Regenerated by `bench/personalization.py{' --selection' if ctx.selection else ''}` "
      f"(seeds {', '.join(map(str, ctx.seeds))}; mean ± sd over seeds; estimates from the cycle model, "
      f"never measurements). Baseline \"today\" = the CLI at `{ctx.baseline_ref}`.\n")
    p("### Energy of one personalization, 10 classes × 10 samples, STM32L4R5 (estimated)\n")
    p("MicroT = both heads + τ at r = 0.5; TTL = its own extractor, head B only. Cycles: "
      "`bench_personalize` on the emulated Cortex-M4 fitting the feature cache each run saved "
      "(real iterations), plus 100 × one sample's extraction.\n")
    p("| student | task | MicroT mJ | TTL mJ | MicroT / TTL | fit MicroT / TTL mJ | iterations A / B / folds (MicroT), B (TTL) | converged |")
    p("|---|---|---:|---:|---:|---:|---|---|")
    for (student, task), rows in res["cost"].items():
        er = energy_rows(ctx, rows, res["board"][student])
        if not er:
            p(f"| {student} | {task} | – | – | – | – | – | no cycles |")
            continue
        its = np.mean([e["it"] for e in er], axis=0)
        p(f"| {student} | {task} | {fmt(mean_sd([e['microt_mj'] for e in er]))} | "
          f"{fmt(mean_sd([e['ttl_mj'] for e in er]))} | {fmt(mean_sd([e['ratio'] for e in er]), 3)} | "
          f"{fmt(mean_sd([e['fit_microt_mj'] for e in er]))} / {fmt(mean_sd([e['fit_ttl_mj'] for e in er]))} | "
          f"{its[0]:.0f} / {its[1]:.0f} / {its[2]:.0f}, {its[3]:.0f} | "
          f"{'all' if all(e['conv'] for e in er) else 'NOT all'} |")
    p("\n### Accuracy against today's heads (k = 10, test set of the task)\n")
    p("| student | task | MicroT r = 0.5 new / today | head A alone | head B alone | TTL head B new / today |")
    p("|---|---|---|---|---|---|")
    for (student, task), rows in res["cost"].items():
        if "old_microt" not in rows[0]:
            continue
        g = lambda key, f: [f(r) for r in rows]  # noqa: E731
        cells = []
        for new, old in ((lambda r: r["microt"]["eval"]["accuracy"], lambda r: r["old_microt"]["accuracy"]),
                         (lambda r: r["microt"]["eval"]["accuracy_part_head"], lambda r: r["old_microt"]["accuracy_part_head"]),
                         (lambda r: r["microt"]["eval"]["accuracy_full_head"], lambda r: r["old_microt"]["accuracy_full_head"]),
                         (lambda r: r["ttl"]["eval"]["accuracy_full_head"], lambda r: r["old_ttl"]["accuracy_full_head"])):
            d = mean_sd([new(r) - old(r) for r in rows])
            cells.append(f"{fmt(mean_sd(g(0, new)))} / {fmt(mean_sd(g(0, old)))} (Δ {fmt(d, 2, True)})")
        p(f"| {student} | {task} | " + " | ".join(cells) + " |")
    p("\n### Exit share on held-out data against the requested ratio (MicroT, k = 10)\n")
    p("| student | task | r = 0.25 | r = 0.5 | r = 0.75 |")
    p("|---|---|---:|---:|---:|")
    for (student, task), sw in res["sweep"].items():
        p(f"| {student} | {task} | " + " | ".join(fmt(mean_sd(sw[str(r)] if str(r) in sw else sw[r])) + " %"
                                                 for r in (0.25, 0.5, 0.75)) + " |")
    p("\n### SRAM per protocol (Cortex-M kernels, arena included) and the bounded cache at 70/30\n")
    p("| student | task | k = 10 | k = 50 | 70/30 | 70/30 kept / given | 70/30 accuracy bounded / every sample (Δ) |")
    p("|---|---|---:|---:|---:|---|---|")
    for (student, task), m in res["memory"].items():
        s = lambda proto, which="bounded": m[proto][which]["personalize"]["sram"]["total"]  # noqa: E731
        pb, pu = m["7030"]["bounded"], m["7030"]["unbounded"]
        ab, au = pb["eval"]["accuracy"], pu["eval"]["accuracy"]
        p(f"| {student} | {task} | {s('k10'):,} B | {s('k50'):,} B | {s('7030'):,} B | "
          f"{pb['personalize']['samples']['kept']} / {pb['personalize']['samples']['offered']} | "
          f"{ab:.2f} / {au:.2f} ({ab - au:+.2f}; every sample needs {pu['personalize']['sram']['total']:,} B) |")
    if ctx.selection and "selection" in res:
        sel = res["selection"]
        runs = sel["runs"]
        tasks = sorted({k.split()[0] for k in runs})
        p(f"\n### Selection study: the factory's selection tasks ({ctx.sel_draws} draws each, "
          "MicroT extractors; the choices above were made on these)\n")
        p("Paired differences in points (mean ± sd over both students × draws):\n")
        p("| task | head B on part (+) full − full | head A, tol 1e-3 − 1e-5 | head B, tol 1e-3 − 1e-5 | "
          "evaluations A / B, tol 1e-3 | tol 1e-5 |")
        p("|---|---:|---:|---:|---:|---:|")
        for t in tasks:
            get = lambda lab: [r for st in STUDENTS for r in runs[f"{t} {st} {lab}"]]  # noqa: E731
            d, f, c5 = get("default"), get("full-head"), get("tol1e-5")
            ev = lambda rs, h: np.mean([r["personalize"]["heads"][h]["evaluations"] for r in rs])  # noqa: E731
            p(f"| {t} | {fmt(mean_sd([a['eval']['accuracy_full_head'] - b['eval']['accuracy_full_head'] for a, b in zip(d, f)]), 2, True)} | "
              f"{fmt(mean_sd([a['eval']['accuracy_part_head'] - b['eval']['accuracy_part_head'] for a, b in zip(d, c5)]), 2, True)} | "
              f"{fmt(mean_sd([a['eval']['accuracy_full_head'] - b['eval']['accuracy_full_head'] for a, b in zip(d, c5)]), 2, True)} | "
              f"{ev(d, 0):.1f} / {ev(d, 1):.1f} | {ev(c5, 0):.1f} / {ev(c5, 1):.1f} |")
        p("\nCalibration: exit share − r on each draw's held-out images (points) and its cost "
          "(sample passes), warm folds of 5 iterations (default) against cold folds trained to convergence:\n")
        p("| task | folds | r = 0.25 | r = 0.5 | r = 0.75 | sample passes (r = 0.5) |")
        p("|---|---|---:|---:|---:|---:|")
        for t in tasks:
            for kind, labs in (("warm", ("r0.25", "default", "r0.75")), ("cold", ("cold-r0.25", "cold", "cold-r0.75"))):
                cells = []
                for lab, r in zip(labs, (25, 50, 75)):
                    rs = [x for st in STUDENTS for x in runs[f"{t} {st} {lab}"]]
                    cells.append(fmt(mean_sd([x["eval"]["exit_share"] - r for x in rs]), 1, True))
                rs = [x for st in STUDENTS for x in runs[f"{t} {st} {labs[1]}"]]
                passes = np.mean([x["personalize"]["calibration"]["sample_passes"] for x in rs])
                p(f"| {t} | {kind} | " + " | ".join(cells) + f" | {passes:,.0f} |")
        p("\nReservoir on sel-cifar's 70/30 split (350 given a class): samples kept per class against "
          "accuracy (stage decision at r = 0.5, each head alone):\n")
        p("| student | per class | kept | SRAM | accuracy | head A | head B |")
        p("|---|---:|---:|---:|---:|---:|---:|")
        for k, r in sel["reservoir"].items():
            st, pc = k.split()
            e = r["eval"]
            p(f"| {st} | {pc} | {r['personalize']['samples']['kept']} | {r['personalize']['sram']['total']:,} B | "
              f"{e['accuracy']:.2f} | {e['accuracy_part_head']:.2f} | {e['accuracy_full_head']:.2f} |")
    text = "\n".join(w) + "\n"
    if ctx.smoke:
        print(text)
        return
    doc = os.path.join(ROOT, "docs", "personalization.md")
    with open(doc) as f:
        old = f.read()
    if MARK_BEGIN not in old:
        raise SystemExit(f"{doc}: no {MARK_BEGIN} marker")
    new = old[:old.index(MARK_BEGIN) + len(MARK_BEGIN)] + "\n" + text + old[old.index(MARK_END):]
    with open(doc + ".tmp", "w") as f:
        f.write(new)
    os.replace(doc + ".tmp", doc)
    flat = {k: ({" ".join(kk): vv for kk, vv in v.items()} if k in ("cost", "sweep", "memory") else v)
            for k, v in res.items()}
    with open(os.path.join(ctx.cache, "personalization-results.json"), "w") as f:
        json.dump(flat, f)
    log(f"bench: wrote {doc}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", nargs="+", default=["fashion", "digits", "cifar10"])
    ap.add_argument("--students", nargs="+", default=list(STUDENTS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--selection", action="store_true", help="also the selection-task study")
    ap.add_argument("--sel-draws", type=int, default=5, help="draws per selection task (default 5)")
    ap.add_argument("--smoke", action="store_true", help="fashion, one seed, mcunet, no cycles; print only")
    ap.add_argument("--no-cycles", action="store_true", help="skip the emulated Cortex-M4 (no energy)")
    ap.add_argument("--no-baseline", action="store_true", help="skip today's heads")
    ap.add_argument("--baseline-ref", default=BASELINE_REF)
    ap.add_argument("--cifar", default=os.path.join(ROOT, "..", "shared", "data", "cifar10-jpeg.tar.gz"))
    ap.add_argument("--fresh", action="store_true", help="ignore cached runs")
    ctx = ap.parse_args()
    if ctx.smoke:
        ctx.tasks, ctx.seeds, ctx.students, ctx.no_cycles, ctx.no_baseline = ["fashion"], [0], ["mcunet"], True, True
    ctx.cache = os.path.join(os.environ.get("MICROT_CACHE", os.path.expanduser("~/.cache/microt")), "pers")
    os.makedirs(ctx.cache, exist_ok=True)
    ctx.fw_sha = None
    build(ctx)
    if not ctx.no_baseline:
        build_baseline(ctx)
    res = {"cost": {}, "sweep": {}, "memory": {}, "board": {}}
    for student in ctx.students:
        res["board"][student] = board(ctx, os.path.join(ROOT, "models", STUDENTS[student][0] + ".mtm"))
    for task in ctx.tasks:
        try:
            data = task_data(ctx, task)
        except FileNotFoundError as e:
            log(f"bench: {task} skipped: {e}")
            continue
        for student in ctx.students:
            log(f"bench: {task} / {student}")
            res["cost"][(student, task)] = cost_and_accuracy(ctx, student, task, data, ctx.seeds)
            res["sweep"][(student, task)] = ratio_sweep(ctx, student, task, data, ctx.seeds)
            if not ctx.smoke:
                res["memory"][(student, task)] = memory_protocols(ctx, student, task, data)
    if ctx.selection:
        log("bench: selection study (factory/selection.py)")
        res["selection"] = selection_study(ctx)
    write_report(ctx, res)


if __name__ == "__main__":
    main()
