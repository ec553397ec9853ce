"""Costs as the device pays them, from the cycle model and the board model (estimates).

Cycles: bench/energy.sh runs bench_stages under the mt_cycles model of the emulated Cortex-M4
and M7 (docs/cycles.md: zero-wait-state memory) and writes one cycle file per core: input
conversion, part stage, rest resumed, one personalization sample, head A/B training, τ
calibration, head A/B inference. Energy = cycles / f_clock × V_DD × I_run (src/board.c through
`microt inspect --board`, docs/energy.md).

Inference, per run, at the exit share that run measured:
  full model   input + part + rest + head B            (inspect's "full model + head B")
  part only    input + part + head A                   (inspect's "part stage + head A")
  stage        input + part + head A + (1 − exit) × (rest + head B)
Personalization, per run, with the L-BFGS iterations that run took (N = k × classes samples;
only where N equals the cycle file's classes × per_class, since training cost grows with N):
  M × extract for the M samples given (M = N unless the device's cache kept fewer; the
  part-only rows: M × (extract − rest)) + iterations × cycles per iteration of each head
  trained (the cycle file's head training / its own iteration count; head B's scaled by its
  input over the full feature the cycle file trained it on: the CLI's head B reads part + full
  features) + for the stage decision the τ calibration (5 folds of head A): the folds'
  iterations (`personalize --json`) × head A's cycles per iteration × the fold's share of the
  samples; without them, the cycle file's calibration × (this run's head-A iterations / the
  cycle file's), an estimate that says so.
Backprop baselines: counted training MACs (forward + backward, factory/baselines_cost.py) ×
the start model's measured cycles per MAC -- the forward kernels' speed, a lower bound for
backward kernels.
"""
import os
import re
import subprocess

import results_runs as X

FIRMWARE_SOURCES = ("src", "include", "port/cortex-m", "bench/energy.sh", "bench/bench_stages.c")
BOARDS = (("stm32l4r5zi", "cortex-m4", "STM32L4R5ZI"), ("stm32h7a3zi", "cortex-m7", "STM32H7A3ZI"))
CYCLE_KEYS = ("input", "part", "rest", "full", "extract", "head_train_a", "head_train_b",
              "calibrate", "head_a", "head_b", "classes", "per_class")


def firmware_sha(root):
    """Hash of every source the cycle-model firmware is built from: new kernels, new cycles."""
    import hashlib
    h = hashlib.sha256()
    for top in FIRMWARE_SOURCES:
        path = os.path.join(root, top)
        files = [path] if os.path.isfile(path) else sorted(
            os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs)
        for f in files:
            h.update(os.path.relpath(f, root).encode() + b"\0" + X.sha(f, 64).encode())
    return h.hexdigest()[:16]


def cycle_files(ctx, model):
    """{core: path} of bench/energy.sh's cycle files for this model (10 classes x 10 samples),
    made once per model bytes and firmware sources; None when the cycle model cannot run."""
    folder = os.path.join(ctx.cache, "cycles", X.sha(model) + "-" + ctx.firmware)
    stem = os.path.basename(model)[:-4]
    want = {core: os.path.join(folder, f"{stem}.{core}.cycles") for _, core, _ in BOARDS}
    if all(os.path.exists(p) for p in want.values()):
        return want
    if ctx.no_cycles or ctx.cached_only:
        return None
    X.log(f"bench: cycle model for {stem} (bench/energy.sh: builds, then runs under QEMU; minutes)")
    os.makedirs(folder, exist_ok=True)
    p = subprocess.run([os.path.join(ctx.root, "bench", "energy.sh"), model, "0.5", "10", "10"],
                       capture_output=True, text=True, env=dict(os.environ, MT_ENERGY_OUT=folder))
    if p.returncode != 0 or not all(os.path.exists(x) for x in want.values()):
        X.log(f"bench: energy.sh failed for {stem}\n{p.stderr[-800:]}")
        return None
    return want


def read_cycles(path):
    """A cycle file as {key: int, 'cpu', 'model', 'fingerprint', 'iters': [a, b] (the L-BFGS
    iterations its synthetic head training took), 'about': its first comment line}."""
    out = {"iters": None, "about": ""}
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                m = re.search(r"L-BFGS iterations A B: (\d+) (\d+)", line)
                if m:
                    out["iters"] = [int(m.group(1)), int(m.group(2))]
                elif not out["about"]:
                    out["about"] = line[1:].strip()
                continue
            k = line.split()
            if len(k) == 2:
                out[k[0]] = int(k[1]) if k[0] in CYCLE_KEYS else k[1]
    missing = [k for k in CYCLE_KEYS if k not in out]
    if missing or not out["iters"]:
        raise ValueError(f"{path}: not a complete cycle file (missing {missing or 'iterations'})")
    return out


def ship_cycles(files, stem, firmware, models_dir):
    """Copies a model's cycle files beside it (models/<stem>.<core>.cycles), where `microt
    inspect --board` and `make demo` find them; the firmware hash says which kernels made them."""
    out = {}
    for core, src in files.items():
        dst = os.path.join(models_dir, f"{stem}.{core}.cycles")
        with open(src) as f:
            text = f.read()
        text = (f"# firmware sources {firmware} (bench/results_energy.py firmware_sha); "
                "regenerated by `make bench`\n" + text)
        with open(dst + ".tmp", "w") as f:
            f.write(text)
        os.replace(dst + ".tmp", dst)
        out[core] = os.path.basename(dst)
    return out


def board_info(ctx, model):
    """{board: {core, label, mhz, ma, v, mw, sram, flash, arena, model_bytes}} and the model's
    conv MACs, from `microt inspect --board all` (src/board.c's table)."""
    out = X.run([ctx.microt, "inspect", model, "--board", "all"])
    macs = int(re.search(r"^full\s+(\d+)\s", out, re.M).group(1))
    boards = {}
    for name, core, label in BOARDS:
        sec = out[out.index("board      " + name):]
        b = re.search(r"\(\S+, ([\d.]+) MHz, ([\d.]+) mA typ\. at ([\d.]+) V", sec)
        mem = re.search(r"arena (\d+) B of (\d+) B SRAM .* model (\d+) B of (\d+) B flash", sec)
        boards[name] = {"core": core, "label": label, "mhz": float(b.group(1)), "ma": float(b.group(2)),
                        "v": float(b.group(3)), "mw": float(b.group(2)) * float(b.group(3)),
                        "sram": int(mem.group(2)), "flash": int(mem.group(4)),
                        "arena": int(mem.group(1)), "model_bytes": int(mem.group(3))}
    return boards, macs


# ---------------------------------------------------------------- pure arithmetic on results.json
def uj(cycles, board):
    """Energy of `cycles` on a board (µJ), as mt_board_energy_uj: P [mW] × t [µs] / 1000."""
    return round(cycles) / board["mhz"] * board["mw"] * 1e-3


def inference_cycles(cyc, readout, exit_share=0.0, extractor_scale=1.0):
    """Cycles of one inference; readout 'full', 'part' or 'stage' (exit_share 0..1);
    extractor_scale multiplies the extractor's cycles (TinyTL's lite residuals add MACs)."""
    part, rest = cyc["part"] * extractor_scale, cyc["rest"] * extractor_scale
    if readout == "part":
        return cyc["input"] + part + cyc["head_a"]
    if readout == "stage":
        return cyc["input"] + part + cyc["head_a"] + (1.0 - exit_share) * (rest + cyc["head_b"])
    return cyc["input"] + part + rest + cyc["head_b"]


def personalization_cycles(cyc, readout, p):
    """(cycles, note) of one device personalization p (parse_personalize's dict) for a row's
    readout; (None, why) where the cycle model has no figure for this sample count."""
    n = p["n_train"]
    if n != cyc["classes"] * cyc["per_class"]:
        return None, f"cycle file has {cyc['classes']}×{cyc['per_class']} samples"
    m = p.get("offered", n)  # every sample given is extracted, kept or not
    per_a = cyc["head_train_a"] / cyc["iters"][0]
    per_b = cyc["head_train_b"] / cyc["iters"][1] * p.get("dim_b", 1) / p.get("full_dim", 1)
    if readout == "part":
        return m * (cyc["extract"] - cyc["rest"]) + p["iters_a"] * per_a, "real iterations"
    if readout == "full":
        return m * cyc["extract"] + p["iters_b"] * per_b, "real iterations"
    if p.get("calib_iters") is not None:  # per fold: (iterations, samples trained on)
        calib = sum(it * per_a * m / n for it, m in p["calib_iters"])
        note = "real iterations"
    else:
        calib = cyc["calibrate"] * p["iters_a"] / cyc["iters"][0]
        note = "real head iterations; τ folds scaled by head A's"
    return m * cyc["extract"] + p["iters_a"] * per_a + p["iters_b"] * per_b + calib, note


def cycles_per_mac(cyc, macs):
    """The extractor's measured cycles per conv MAC on that core (part + rest over its MACs)."""
    return (cyc["part"] + cyc["rest"]) / macs


def baseline_train_cycles(cyc, run, epochs):
    """Training cycles of a backprop baseline run after `epochs`: counted MACs (forward +
    backward, every sample every epoch) × the start extractor's cycles per MAC."""
    return run["step_macs_per_sample"] * run["n_train"] * epochs * cycles_per_mac(cyc, run["extractor_macs"])


def baseline_scale(run):
    """Extractor MACs of the adapted network (TinyTL: + lite residuals) over the start's."""
    return (run["fwd_macs_per_sample"] - run["head_macs"]) / run["extractor_macs"]
