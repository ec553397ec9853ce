"""Figures and noise computed from results.json alone (so check-docs can recompute every one).

Noise, two kinds:
  draws   the sample std (ddof = 1) over the few-shot draws / 70/30 splits (>= 5): which images
          the user happened to label
  seeds   the range, over the extractor's training seeds (models/manifest.json replicates), of
          the per-seed mean: how much another training run of the same recipe moves the figure
A per-draw value is the mean over the extractor's seeds on that draw. A difference between two
rows is a PAIRED comparison over the draws (both rows saw the same images): mean difference,
sample std of the differences, 95 % confidence interval from Student's t. It is RESOLVED when
the interval excludes 0 and, with >= 2 extractor seeds, every seed's mean difference has the same
sign; otherwise it is reported as "not resolved", never as a gain or a loss.
"""
import math

import numpy as np

import results_energy as E
import results_rows as R

ALPHA = 0.05


def t_crit(n):
    """Two-sided 95 % critical value of Student's t with n − 1 degrees of freedom."""
    from scipy.stats import t
    return float(t.ppf(1 - ALPHA / 2, n - 1))


def runs(J, row, task, proto):
    return [r for r in J["runs"] if r["task"] == task and r["proto"] == proto and R.matches(row, r)]


def by_draw(J, row, task, proto, fn=None):
    """({draw: value averaged over seeds}, {rep: {draw: value}}) of fn(run) (default: the row's
    accuracy); runs where fn gives None are left out."""
    fn = fn or (lambda r: R.value(row, r))
    reps = {}
    for r in runs(J, row, task, proto):
        v = fn(r)
        if v is not None:
            reps.setdefault(r.get("rep", "-"), {})[r["draw"]] = float(v)
    draws = sorted({d for v in reps.values() for d in v})
    avg = {d: float(np.mean([v[d] for v in reps.values() if d in v])) for d in draws}
    return avg, reps


def summary(avg, reps=None):
    """{mean, sd (ddof 1; None below 2 draws), n, range (per-seed means; None below 2 seeds)}."""
    if not avg:
        return None
    v = list(avg.values())
    out = {"mean": float(np.mean(v)), "sd": float(np.std(v, ddof=1)) if len(v) > 1 else None,
           "n": len(v), "range": None, "seeds": len(reps or {}) or 1}
    if reps and len(reps) > 1:
        means = [float(np.mean(list(x.values()))) for x in reps.values()]
        out["range"] = (min(means), max(means))
    return out


def cell(J, row, task, proto, fn=None):
    return summary(*by_draw(J, row, task, proto, fn))


def paired(J, a, b, task, proto, fa=None, fb=None):
    """Row a minus row b over the draws both have: {mean, sd, n, ci, seeds_agree, resolved}."""
    da, ra = by_draw(J, a, task, proto, fa)
    db, rb = by_draw(J, b, task, proto, fb)
    common = sorted(set(da) & set(db))
    if len(common) < 2:
        return None
    d = np.array([da[k] - db[k] for k in common])
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    half = t_crit(len(d)) * sd / math.sqrt(len(d))
    signs = set()
    for rep in set(ra) | set(rb):  # a row without seeds (host, same seeds) pairs with the mean
        xa, xb = ra.get(rep, da), rb.get(rep, db)
        k = sorted(set(xa) & set(xb))
        if k:
            signs.add(np.sign(np.mean([xa[i] - xb[i] for i in k])))
    agree = len(signs) <= 1
    ci = (mean - half, mean + half)
    return {"mean": mean, "sd": sd, "n": len(d), "ci": ci, "seeds_agree": agree,
            "resolved": agree and (ci[0] > 0 or ci[1] < 0)}


# ---------------------------------------------------------------- energy of a row's run
def cycles_of(J, stem, core):
    c = J["energy"]["cycles"].get(stem)
    return c and c.get(core)


def board(J, stem, name):
    return J["energy"]["boards"][stem][name]


def inference_uj(J, row, run, bname, reference="microt"):
    """Estimated energy (µJ) of one inference of `row` as `run` measured it (exit share), on a
    board; host rows are priced with the reference model's cycle file (see the render notes)."""
    src, stem, ro, _ = R.ROWS[row]
    ref = stem or R.model(reference)
    core = dict((b, c) for b, c, _ in E.BOARDS)[bname]
    cyc = cycles_of(J, ref, core)
    if not cyc:
        return None
    b = board(J, ref, bname)
    if src == "device":
        return E.uj(E.inference_cycles(cyc, ro, run["eval"]["exit"] / 100.0), b)
    if src in R.BASELINE_SOURCES:
        return E.uj(E.inference_cycles(cyc, "full", 0.0, E.baseline_scale(run)), b)
    full_dim = J["energy"]["dims"][ref][1]
    if src == "pixels":  # a linear head on the pixels: head B's cost scaled by the dimension
        return E.uj(cyc["head_b"] * run["dim"] / full_dim, b)
    if src == "teacher" and J.get("teacher") and J["teacher"].get("macs"):  # teacher MACs at the student's cycles/MAC
        t = J["teacher"]
        return E.uj(cyc["input"] + t["macs"] * E.cycles_per_mac(cyc, J["energy"]["macs"][ref])
                    + cyc["head_b"] * t["dim"] / full_dim, b)
    return None


def full_uj(J, stem, bname):
    """One full-model inference (input + part + rest + head B) of an extractor, µJ."""
    cyc = cycles_of(J, stem, dict((b, c) for b, c, _ in E.BOARDS)[bname])
    return cyc and E.uj(E.inference_cycles(cyc, "full"), board(J, stem, bname))


def personalization_uj(J, row, run, bname, epochs=None):
    """Estimated energy (µJ) of the whole personalization of one run (None where the cycle
    model has no figure); baselines after `epochs` (default: their last)."""
    src, stem, ro, _ = R.ROWS[row]
    if stem is None:
        return None
    core = dict((b, c) for b, c, _ in E.BOARDS)[bname]
    cyc = cycles_of(J, stem, core)
    if not cyc:
        return None
    b = board(J, stem, bname)
    if src == "device":
        c, _ = E.personalization_cycles(cyc, ro, run["personalize"])
        return None if c is None else E.uj(c, b)
    e = epochs or run["curve"][-1]["epoch"]
    return E.uj(E.baseline_train_cycles(cyc, run, e), b)


def curve(J, row, task, proto, bname):
    """A baseline's curve: [{epoch, acc (summary), uj (mean personalization energy)}]."""
    rs = runs(J, row, task, proto)
    if not rs:
        return []
    out = []
    for e in [c["epoch"] for c in rs[0]["curve"]]:
        def acc(r, e=e):
            return next((c["acc"] for c in r["curve"] if c["epoch"] == e), None)
        en = [personalization_uj(J, row, r, bname, e) for r in rs]
        en = [x for x in en if x is not None]
        out.append({"epoch": e, "acc": cell(J, row, task, proto, acc),
                    "uj": float(np.mean(en)) if en else None,
                    "acc_fn": acc})
    return out


def sram(J, row, task, proto):
    """Peak personalization SRAM (bytes) of a row's runs on one protocol: the device's `sram`
    line for extractor rows; baselines: training step + inference arena (sample store apart)."""
    rs = runs(J, row, task, proto)
    src, stem, _, _ = R.ROWS[row]
    if not rs or stem is None:
        return None
    if src == "device":
        return max(r["personalize"]["sram"] for r in rs)
    arena = board(J, stem, "stm32l4r5zi")["arena"]
    return max(r["memory"]["total"] for r in rs) + arena
