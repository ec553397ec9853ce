#!/usr/bin/python3
"""Regenerates docs/results.md, docs/results/* and README's Results section from real runs.

  bench/results.py                    # everything (`make bench`): every row, task, protocol, draw
  bench/results.py --smoke            # CI (`make bench-smoke`): fashion, k = 10, 2 draws, the
                                      # test model for every extractor, output in a temporary folder
  bench/results.py --evidence          # `make bench-evidence`: the claims table in 20-40 min of
                                      # one core (EVIDENCE below; the page says it is reduced)
  bench/results.py --tasks digits --k 10 --rows microt ttl pixels --out /tmp/r
The work is split by job: results_collect.py (which runs), results_runs.py (each run, cached),
results_energy.py (cycle files and costs), results_stats.py (noise, paired differences),
results_claims.py (verdicts), results_render.py / results_plots.py (the docs, from results.json
alone: `make check-docs` re-renders and compares). Runs are cached in <cache>/bench
(MICROT_CACHE, default ~/.cache/microt) keyed by their inputs; --fresh ignores the cache.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)  # the factory package
import results_collect  # noqa: E402
import results_energy as E  # noqa: E402
import results_protocol as P  # noqa: E402
import results_render  # noqa: E402
import results_rows as R  # noqa: E402
import results_runs as X  # noqa: E402
import tasks as T  # noqa: E402

SMOKE_ROWS = ["pixels", "ttl", "ttl-part", "microt-full", "microt", "microt-part", "tinytl",
              "sparseupdate"]

# --evidence: every row the claims table reads, on the new (report) tasks, k = 5/10/50 with 5
# draws, 70/30 on one split (its accuracy and the SRAM claim), the backprop baselines' k = 10
# curve (the matched-accuracy claim) from every TTL seed. Left out against `make bench`:
# CIFAR-10 test (in-domain, never judged), 4 of the 5 splits, the untrained and no-joint
# extractors, the baselines on k = 5/50 and 70/30. Its runs are cached under the same keys as
# `make bench`'s, so a later full run computes only the rest.
EVIDENCE = {"tasks": ["fashion", "digits"], "k": [5, 10, 50], "split_draws": 1, "baseline_protos": ["k10"],
            "baseline_reps": 99,
            "rows": ["pixels", "teacher", "ttl", "ttl-part", "microt-full", "microt", "microt-part",
                     "tinytl", "sparseupdate", "proxyless-ttl", "proxyless-ttl-part", "proxyless-microt",
                     "proxyless-microt-part"]}


def evidence_note(e):
    return ("Reduced evidence run (`make bench-evidence`): tasks " + ", ".join(e["tasks"]) + "; k = "
            + ", ".join(map(str, e["k"])) + f" with {len(T.DRAWS)} draws each; 70/30 on "
            f"{e['split_draws']} split; TinyTL/SparseUpdate on k = " + ", ".join(p[1:] for p in e["baseline_protos"])
            + " only, from every TTL seed. `make bench` runs the full protocol (CIFAR-10 test too, "
            f"{len(T.DRAWS)} splits, every row, the baselines on every protocol).")


class Ctx:
    pass


def commit_info(root):
    """Short HEAD hash, marked when tracked files differ (the bench's own outputs excepted)."""
    try:
        c = subprocess.run(["git", "-C", root, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                           text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no", "--",
                                ".", ":!docs/results", ":!docs/results.md", ":!README.md",
                                ":!models/*.cycles", ":!models/manifest.json"],
                               capture_output=True, text=True).stdout.strip()
        return (c or "unknown") + (" (with uncommitted changes in tracked files)" if dirty else "")
    except OSError:
        return "unknown"


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def build_cli(root):
    b = os.path.join(root, "build-bench")
    subprocess.run(["cmake", "-S", root, "-B", b, "-DCMAKE_BUILD_TYPE=Release"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", b, "-j2", "--target", "microt-cli"], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(b, "tools", "microt")


def selected_on(rows, man):
    """{row: [tasks]} from the manifest: what each row's figures were selected on."""
    from factory import baselines
    out = {}
    for r in rows:
        stem = R.model(r)
        if R.source(r) == "pixels":
            out[r] = []  # no model: a fixed 16 x 16 resize and C = 1
        elif R.source(r) == "teacher":
            out[r] = P.teacher_of(R.model("microt"), man)[2]
        else:
            out[r] = P.selected_on_all(stem, man)
            if R.source(r) in R.BASELINE_SOURCES and P.ANY not in out[r]:
                out[r] = sorted(set(out[r]) | set(baselines.SELECTED_ON))
    return out


def model_info(res, man):
    """{file stem: what models/manifest.json says of it}: the render's table of models, so a
    reader sees which recipe and which selection every figure's extractor comes from."""
    out = {}
    for stem, reps in res["models"].items():
        for tag, fstem, sha in reps:
            e = man.get(fstem) or {}
            out[fstem] = {"row_model": stem, "seed": tag, "sha": sha, "run": e.get("run", "?"),
                          "mode": e.get("mode", "?"), "teacher": e.get("teacher") or "",
                          "teacher_px": e.get("teacher_px") or 0,
                          "selected_on": P.selected_on(e), "replicate_of": e.get("replicate_of")}
    return out


def energy(ctx, res, ship):
    """results.json's "energy": board constants, cycle files (primary model of each stem), the
    files shipped beside the models (`ship`: every replicate gets its own)."""
    en = {"boards": {}, "cycles": {}, "macs": {}, "dims": {}, "shipped": {}, "firmware": ctx.firmware,
          "model": "mt_cycles instruction-class model of the emulated core, zero-wait-state memory"}
    for stem, reps in res["models"].items():
        path = X.TEST_MODEL if ctx.smoke else os.path.join(ROOT, "models", reps[0][1] + ".mtm")
        en["boards"][stem], en["macs"][stem] = E.board_info(ctx, path)
        from factory import baselines_mtm
        info = baselines_mtm.load(path)[1]
        en["dims"][stem] = [info["part_dim"], info["full_dim"]]
        files = E.cycle_files(ctx, path)
        if files:
            en["cycles"][stem] = {core: E.read_cycles(p) for core, p in files.items()}
            en["model"] = en["cycles"][stem]["cortex-m4"]["about"] or en["model"]
        if ship:
            for _, fstem, fpath in ([] if ctx.smoke else P.replicates(stem)):
                fl = files if fstem == stem else E.cycle_files(ctx, fpath)
                if fl:
                    en["shipped"][fstem] = E.ship_cycles(fl, fstem, ctx.firmware, os.path.join(ROOT, "models"))
    return en


def update_manifest_cycles(shipped, firmware):
    """Adds each model's cycle files to its models/manifest.json entry ("cycles" only)."""
    path = os.path.join(ROOT, "models", "manifest.json")
    man = P.manifest()
    if not man:
        return
    for stem, files in shipped.items():
        if stem in man:
            man[stem]["cycles"] = dict(files, firmware=firmware)
    with open(path + ".tmp", "w") as f:
        json.dump(man, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(path + ".tmp", path)


def smoke_checks(J, md, out):
    """The pipeline check of `make bench-smoke`: every cell, the costs and the docs check."""
    import check_docs
    import results_claims as C
    import results_stats as S
    for r in J["protocol"]["rows"]:
        c = S.cell(J, r, "fashion", "k10")
        assert c and 0.0 <= c["mean"] <= 100.0 and c["n"] == 2 and c["sd"] is not None, f"{r}: {c}"
    run = next(x for x in J["runs"] if R.matches("microt", x))
    assert len(run["eval"]["sweep"]) == 5 and run["personalize"]["n_train"] == 100
    assert all(x["personalize"]["n_train"] == x["personalize"]["offered"] == x["n_train"]
               for x in J["runs"] if x["source"] == "device"), "a device row did not keep every sample"
    for r in ("microt", "ttl", "ttl-part", "microt-part", "tinytl"):
        assert S.personalization_uj(J, r, next(x for x in J["runs"] if R.matches(r, x)), "stm32l4r5zi") > 0, r
    assert S.inference_uj(J, "microt-part", run, "stm32l4r5zi") < S.full_uj(J, R.model("microt"), "stm32l4r5zi")
    assert S.paired(J, "microt", "ttl-part", "fashion", "k10") is not None
    claims = C.claims(J)
    assert any("TinyTL" in c["paper"] or "tinytl" in c["claim"] for c in claims), claims
    assert all(c["verdict"] for c in claims)
    assert check_docs.check(os.path.join(out, "results", "results.json"), os.path.join(out, "results.md"),
                            os.path.join(out, "README.md")) == [], "check-docs fails on fresh output"
    with open(os.path.join(out, "README.md")) as f:
        text = f.read()
    i = text.index("| microt |")
    j = text.index(".", i)  # change one digit of MicroT's first figure: the check must fail
    bad = text[:j - 1] + str((int(text[j - 1]) + 1) % 10) + text[j:]
    with open(os.path.join(out, "README.bad.md"), "w") as f:
        f.write(bad)
    assert check_docs.check(os.path.join(out, "results", "results.json"), os.path.join(out, "results.md"),
                            os.path.join(out, "README.bad.md")), "check-docs missed a changed figure"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tasks", nargs="+", default=list(T.TASKS), choices=T.TASKS)
    ap.add_argument("--k", nargs="+", type=int, default=[5, 10, 50])
    ap.add_argument("--draws", "--seeds", nargs="+", type=int, default=list(T.DRAWS))
    ap.add_argument("--no-split", dest="split", action="store_false", help="skip the 70/30 protocol")
    ap.add_argument("--split-draws", type=int, default=None,
                    help="run the 70/30 protocol on the first N draws only (default: every draw)")
    ap.add_argument("--rows", "--methods", nargs="+", default=R.ALL_ROWS, choices=R.ALL_ROWS)
    ap.add_argument("--baseline-protos", nargs="+", default=None,
                    help="protocols TinyTL/SparseUpdate run on (default: all, e.g. k5 k10 k50 split)")
    ap.add_argument("--baseline-reps", type=int, default=99,
                    help="how many TTL replicates the backprop baselines start from (default all)")
    ap.add_argument("--smoke", action="store_true", help="CI pipeline check (see the module doc)")
    ap.add_argument("--evidence", action="store_true",
                    help="the reduced run behind the claims table (EVIDENCE; overrides --tasks, --k, "
                         "--rows, --split-draws, --baseline-protos, --baseline-reps; adds a --note)")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"), help="folder for results.md and results/")
    ap.add_argument("--microt", help="the microt CLI (default: build build-bench/ from this tree)")
    ap.add_argument("--root", default=ROOT, help="source tree for the CLI build and bench/energy.sh")
    ap.add_argument("--threads", type=int, default=1, help="PyTorch threads of the baselines")
    ap.add_argument("--no-cycles", action="store_true", help="never run bench/energy.sh (QEMU)")
    ap.add_argument("--fresh", action="store_true", help="ignore cached runs")
    ap.add_argument("--cached-only", action="store_true", help="report only runs already cached")
    ap.add_argument("--refuse-selected", action="store_true",
                    help="stop instead of marking a figure made with a model selected on its task")
    ap.add_argument("--note", default="", help="a line printed under the title (e.g. 'Interim: ...')")
    args = ap.parse_args()
    if args.evidence and not args.smoke:
        for k, v in EVIDENCE.items():
            setattr(args, k, v)
        args.split = True
        args.note = (args.note + " " if args.note else "") + evidence_note(EVIDENCE)
    from factory import env
    env.set_up(args.threads)  # malloc tuning and passive OpenMP (re-executes once), torch threads
    t0 = time.time()
    ctx = Ctx()
    ctx.smoke, ctx.fresh, ctx.cached_only = args.smoke, args.fresh, args.cached_only
    ctx.tasks, ctx.k, ctx.draws, ctx.split, ctx.rows = args.tasks, args.k, args.draws, args.split, args.rows
    ctx.baseline_reps, ctx.threads, ctx.root = args.baseline_reps, args.threads, args.root
    ctx.no_cycles = args.no_cycles
    if args.smoke:
        ctx.tasks, ctx.k, ctx.draws, ctx.split = ["fashion"], [10], [0, 1], False
        ctx.rows = [r for r in args.rows if r in SMOKE_ROWS]
        args.out = tempfile.mkdtemp(prefix="microt-bench-smoke-")
        R.BASELINE_EPOCHS["few"] = (1, 2)
        X.log("bench: SMOKE RUN: tests/data/test-model.mtm (random weights) stands in for every "
              f"extractor; figures are a pipeline check only; output in {args.out}")
    ctx.split_draws = ctx.draws[:args.split_draws] if args.split_draws else ctx.draws
    ctx.baseline_protos = args.baseline_protos or [f"k{k}" for k in ctx.k] + (["split"] if ctx.split else [])
    ctx.names = T.NAMES
    ctx.cache = os.path.join(args.out, "cache") if args.smoke else os.path.join(
        os.environ.get("MICROT_CACHE", os.path.expanduser("~/.cache/microt")), "bench")
    os.makedirs(ctx.cache, exist_ok=True)
    ctx.tmp = tempfile.mkdtemp(prefix="microt-bench-")
    commit = commit_info(ctx.root)
    ctx.microt = args.microt or build_cli(args.root)
    ctx.cli_sha = X.sha(ctx.microt)
    ctx.firmware = E.firmware_sha(ctx.root)
    man = P.manifest()
    sel = selected_on(ctx.rows, man)
    bad = [f"{r} on {t}" for r in ctx.rows for t in ctx.tasks
           if not ctx.smoke and P.is_selected(sel[r], T.PROTOCOL_NAME[t])]
    if bad and args.refuse_selected:
        X.log("bench: refused (--refuse-selected): selected on the report task: " + "; ".join(bad))
        return 3
    res = results_collect.collect(ctx)
    if not res["tasks"]:
        shutil.rmtree(ctx.tmp, ignore_errors=True)
        if args.smoke:
            print("bench-smoke: SKIP (no task data: install dataset-fashion-mnist)")
            return 0
        X.log("bench: no task has data here; nothing to do")
        return 1
    full_run = not args.smoke and os.path.abspath(args.out) == os.path.join(ROOT, "docs")
    en = energy(ctx, res, ship=full_run)
    if full_run and en["shipped"]:
        update_manifest_cycles(en["shipped"], ctx.firmware)
    wall = time.time() - t0
    J = {"schema": 2, "meta": {
        "commit": commit, "command": "bench/results.py " + " ".join(sys.argv[1:]), "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "python": platform.python_version(),
        "wall_s": wall, "note": args.note, "smoke": args.smoke,
        "cache_note": ("every run recomputed" if args.fresh else "cached runs reused") + (
            f"; the C runs took {sum(r.get('wall_s', 0) for r in res['runs']) / 60:.1f} min when computed")},
        "protocol": {"tasks": ctx.tasks, "k": ctx.k, "draws": ctx.draws, "split": ctx.split,
                     "split_draws": ctx.split_draws if ctx.split else [],
                     "rows": ctx.rows, "baseline_protos": ctx.baseline_protos,
                     "baseline_epochs": R.BASELINE_EPOCHS},
        "selected_on": sel, "model_info": model_info(res, man), "energy": en, **res}
    outdir = os.path.join(args.out, "results")
    os.makedirs(outdir, exist_ok=True)
    try:
        import results_plots
        J["meta"]["plots"] = results_plots.plots(J, outdir)
    except ImportError:
        if not args.smoke:
            raise
        X.log("bench: python3-matplotlib missing: no plots in the smoke run")
        J["meta"]["plots"] = []
    with open(os.path.join(outdir, "results.json.tmp"), "w") as f:
        json.dump(J, f, indent=1, sort_keys=True)
    os.replace(os.path.join(outdir, "results.json.tmp"), os.path.join(outdir, "results.json"))
    with open(os.path.join(outdir, "results.json")) as f:  # render what was written, as check-docs does
        J = json.load(f)
    md = results_render.render(J, J["meta"]["plots"])
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(md)
    readme = os.path.join(ROOT, "README.md") if full_run else os.path.join(args.out, "README.md")
    old = open(os.path.join(ROOT, "README.md")).read()
    with open(readme, "w") as f:
        f.write(results_render.splice_readme(old, results_render.readme(J)))
    if args.smoke:
        smoke_checks(J, md, args.out)
        print(md)
        print(f"bench-smoke: OK ({time.time() - t0:.0f} s; output in {args.out})")
    shutil.rmtree(ctx.tmp, ignore_errors=True)
    X.log(f"bench: wrote {args.out}/results.md in {(time.time() - t0) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
