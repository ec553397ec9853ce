"""Issue 12's goals, computed from the factory's score files (never typed by hand):
models/probe.json (report tasks, factory/evaluate.py) and models/selection.json (selection
tasks, factory/select_eval.py --json).

| goal | data |
|---|---|
| MicroT full >= TTL part + 5 on Fashion-MNIST and on digits (k = 10) | report, int8, >= 5 draws, every training seed |
| MicroT full >= raw pixels + 5 on Fashion-MNIST and on digits (k = 10) | report, int8 |
| MicroT full >= MicroT part + 3 (mean of Fashion-MNIST and digits, k = 10) | report, int8 |
| CIFAR-10 k = 10 >= 50 % label-free (MicroT full) | report, int8 |
| student within 2 points of its teacher on every selection task | selection, int8 vs float teacher |
| int8 within 1 point of float on every stage | report, every task and k |

A difference is "holds" only when it clears the bar; the noise (sample std over the draws and
training seeds, paired where both sides share draws) is printed beside it.
"""
import numpy as np

NEW = ("fashion", "digits")


def _runs(ext, model, stage):
    """Per-draw k=10 accuracy lists of every training seed of a shipped model (int8):
    {task: [[seed 1 draws], [seed 2 draws], ...]}."""
    out = {}
    for key, v in ext.items():
        is_model = key == "%s/%s/int8" % (model, stage)
        is_rep = v.get("kind") == "replicate" and v.get("model") == model and \
            v.get("stage") == stage and v.get("weights") == "int8"
        if is_model or is_rep:
            for t, r in v["tasks"].items():
                if "10" in r and len(r["10"]) > 2:
                    out.setdefault(t, []).append(r["10"][2])
    return out


def _pixels(ext):
    v = ext.get("pixels")
    return {t: [r["10"][2]] for t, r in v["tasks"].items() if len(r.get("10", [])) > 2} if v else {}


def _diff(a, b):
    """Mean difference a - b over training seeds and draws, and its noise: the sample std of
    the per-draw differences, pairing seed i of a with seed i of b (draw j with draw j)."""
    n = min(len(a), len(b))
    d = np.array([np.array(a[i]) - np.array(b[min(i, len(b) - 1)]) for i in range(max(n, 1))]).ravel()
    return float(np.mean([np.mean(x) for x in a]) - np.mean([np.mean(x) for x in b])), \
        float(d.std(ddof=1)) if d.size > 1 else 0.0, len(a), len(b)


def verdict(diff, noise, bar):
    if diff >= bar:
        return "holds" if diff - noise >= bar or noise == 0 else "holds (inside the noise)"
    return "does NOT hold (short by %.1f)" % (bar - diff)


def compute(probe, sel, manifest):
    """[{goal, student, measured, bar, verdict}] for every MicroT model of the manifest."""
    ext = probe.get("extractors", {})
    rows = []
    for name, e in sorted(manifest.items()):
        if e["mode"] != "microt" or "nojoint" in name or e.get("replicate_of"):
            continue
        student, suffix = e["student"], name.split("-microt-", 1)[1]
        ttl = "%s-ttl-%s" % (student, suffix)
        full, part = _runs(ext, name, "full"), _runs(ext, name, "part")
        ttl_part = _runs(ext, ttl, "part")
        pix = _pixels(ext)
        for t in NEW:
            if t in full and t in ttl_part:
                d, n, sa, sb = _diff(full[t], ttl_part[t])
                rows.append({"goal": "full >= TTL part + 5 (%s k=10)" % t, "model": name,
                             "measured": "%+.1f ± %.1f (%d vs %d seeds)" % (d, n, sa, sb),
                             "verdict": verdict(d, n, 5.0)})
            if t in full and t in pix:
                d, n, _, _ = _diff(full[t], pix[t])
                rows.append({"goal": "full >= raw pixels + 5 (%s k=10)" % t, "model": name,
                             "measured": "%+.1f ± %.1f" % (d, n), "verdict": verdict(d, n, 5.0)})
        if all(t in full and t in part for t in NEW):
            per = [_diff(full[t], part[t]) for t in NEW]
            d = float(np.mean([p[0] for p in per]))
            n = float(np.mean([p[1] for p in per]))
            rows.append({"goal": "full >= part + 3 (mean of the new tasks, k=10)", "model": name,
                         "measured": "%+.1f ± %.1f" % (d, n), "verdict": verdict(d, n, 3.0)})
        if "cifar10" in full:
            acc = float(np.mean([np.mean(x) for x in full["cifar10"]]))
            sd = float(np.std(np.concatenate(full["cifar10"]), ddof=1))
            rows.append({"goal": "CIFAR-10 k=10 >= 50 % label-free (full)", "model": name,
                         "measured": "%.1f ± %.1f" % (acc, sd), "verdict": verdict(acc - 50.0, sd, 0.0)})
        m = sel.get("models", {}).get(name)
        tkey = "%s@%d" % (e["teacher"], e["teacher_px"])
        tch = sel.get("teachers", {}).get(tkey)
        if m and tch:
            gaps = {t: tch["tasks"][t]["mean"] - m["full"]["tasks"][t]["mean"] for t in tch["tasks"]}
            worst = max(gaps, key=gaps.get)
            rows.append({"goal": "within 2 points of the teacher on every selection task", "model": name,
                         "measured": "gap %s (worst %s %.1f)" % (
                             ", ".join("%s %.1f" % (t.replace("sel-", ""), g) for t, g in gaps.items()),
                             worst, gaps[worst]),
                         "verdict": "holds" if gaps[worst] <= 2.0 else
                         "does NOT hold (worst gap %.1f)" % gaps[worst]})
    for c in probe.get("checks", []):
        if c.get("check") == "int8_loss":
            rows.append({"goal": "int8 within 1 point of float (%s)" % c["stage"], "model": c["model"],
                         "measured": "worst %.1f, mean %.2f" % (c["worst"], c["mean"]),
                         "verdict": "holds" if c["ok"] else "does NOT hold"})
    return rows


def markdown(rows):
    L = ["| goal | model | measured | verdict |", "|---|---|---|---|"]
    L += ["| %s | `%s` | %s | %s |" % (r["goal"], r["model"], r["measured"], r["verdict"]) for r in rows]
    return "\n".join(L)
