"""The paper's claims against our figures, with the verdict rule in code (issue 13, item 7).

Every verdict comes from a paired comparison over draws (results_stats.paired) or from the
estimated costs; the rules, per claim:
  accuracy gain of MicroT over a baseline, per new-task cell (Fashion-MNIST and digits, every
    protocol; CIFAR-10 is in-domain, shown but not judged):
      "holds"                   every cell resolved and at least the paper's smallest gain
                                (0 where the paper itself has a loss)
      "holds, smaller than the paper's"  every cell resolved positive, some below that
      "not resolved"            no cell resolved
      "does not hold"           some cell resolved negative and none resolved positive
      "mixed"                   otherwise (the counts are given)
  personalization energy vs TTL (k = 10, per draw, same images): the 95 % interval of MicroT /
    TTL − 1 against the paper's +4 %: below -> holds, above -> does not hold, else not resolved
  vs TinyTL at matched accuracy (k = 10): the cheapest curve point whose mean accuracy reaches
    MicroT's mean; per new task "holds" when it costs >= the paper's 2.03× (MCUNet) MicroT's
    energy, or when TinyTL never reaches MicroT and its last point already costs more than
    MicroT; "does not hold" when a matched point costs less than that; "not resolved" when no
    point reaches MicroT's accuracy and MicroT costs more than the last one
  inference energy saved at r = 0.5 (per run, at its measured exit share): "holds" when the mean
    saving reaches the paper's 13.6 %, "not resolved" when it does not but the 95 % interval
    does, "does not hold" when the interval stays below
  peak SRAM < 1 MB (10^6 B) on every protocol: the largest personalization of any MicroT run
Only REPORT cells are judged (docs/protocol.md): a task on which any row of a claim was selected
(results.json "selected_on", from models/manifest.json) is shown, marked, and left out of the
verdict; a claim with no report cell left reads "not judged". (SRAM depends on shapes, not on
weights or selection: every task counts.) A claim resting on an extractor with one training seed
says so after its verdict: the seed-to-seed noise is not measured.
"""
import numpy as np

import results_protocol as P
import results_rows as R
import results_stats as S
import tasks as T

# The paper's figures (docs: ../shared/paper-digest.md; Huang et al., SEC 2024, 70/30 splits of
# Pet/Bird/Plant at 224 px): per-data-set gains, the smallest of which sets the verdict threshold.
PAPER = {
    ("microt", "ttl"): ("+7.31 mean (+5.91 to +9.01), MCUNet", 5.91),
    ("proxyless-microt", "proxyless-ttl"): ("+9.48 mean (+6.65 to +11.60), ProxylessNAS", 6.65),
    ("microt", "ttl-part"): ("not reported (the paper credits the gain over TTL to distillation)", 0.0),
    ("microt", "microt-part"): ("not examined (the paper compares r = 0.5 with the full model only; "
                                "r = 1 stops every input after the part stage, cheaper still)", 0.0),
    ("microt", "tinytl"): ("+3.28 mean (−0.89 to +5.73), MCUNet", 0.0),
    ("microt", "sparseupdate"): ("+2.47 mean (+2.12 to +3.08), MCUNet", 2.12),
}
PAPER_PERS_VS_TTL = ("+1 to +4 % (MCUNet: +2.1 % L4R5, +1.1 % H7A3)", 4.0)
PAPER_VS_TINYTL = ("up to 2.28× less (MCUNet 2.03× L4R5, 2.09× H7A3; ProxylessNAS 2.28×)", 2.03)
PAPER_SAVING = ("~14 % (13.6–15.1 %) at r = 0.5", (13.6, 15.1))
SRAM_LIMIT = 1_000_000
BOARD = "stm32l4r5zi"


MARK = "‡"


def flagged(J, row, task):
    """True when `row`'s figures on `task` are not report figures (selected on it)."""
    return P.is_selected(J["selected_on"].get(row, [P.ANY]), T.PROTOCOL_NAME.get(task, task))


def report_tasks(J, rows, ts):
    """(judged, excluded) tasks of ts: excluded where any of rows was selected on the task."""
    bad = [t for t in ts if any(flagged(J, r, t) for r in rows)]
    return [t for t in ts if t not in bad], bad


def not_judged(J, rows, bad):
    """The verdict of a claim with no report cell."""
    return "not judged: " + "; ".join(
        f"{r} selected on {', '.join(sorted({T.PROTOCOL_NAME[t] for t in bad if flagged(J, r, t)}))}"
        for r in rows if any(flagged(J, r, t) for t in bad))


def seeds_note(J, rows):
    """' (1 training seed: ...)' when an extractor behind rows has a single seed, else ''."""
    one = sorted({R.model(r) for r in rows if R.model(r) and len(J.get("models", {}).get(R.model(r), [])) == 1})
    return f" (1 training seed of {', '.join(one)}: seed noise not measured)" if one else ""


def finish(J, c, rows, bad):
    """Adds the excluded tasks and the seed note to a claim dict."""
    if bad:
        c["ours"] += f" {MARK} not judged on " + ", ".join(
            f"{t} ({', '.join(r for r in rows if flagged(J, r, t))} selected on it)" for t in bad)
    c["verdict"] += seeds_note(J, rows)
    c["excluded"] = bad
    return c


def tasks(J):
    """The tasks that have runs, in the order the command named them (results.json sorts keys)."""
    return [t for t in J["protocol"]["tasks"] if t in J["tasks"]]


def new_tasks(J):
    return [t for t in tasks(J) if t not in T.IN_DOMAIN]


def protos(J):
    return [f"k{k}" for k in J["protocol"]["k"]] + (["split"] if J["protocol"]["split"] else [])


def proto_name(p):
    return "70/30" if p == "split" else f"k = {p[1:]}"


def proto_head(J, p):
    """A table column's name, with its draw count where it has fewer than the others."""
    n = len(J["protocol"].get("split_draws", J["protocol"]["draws"])) if p == "split" else None
    return proto_name(p) + (f" ({n} splits)" if n and n < len(J["protocol"]["draws"]) else "")


def fmt_diff(d):
    if d is None:
        return "–"
    tag = "" if d["resolved"] else " (n.r.)"
    return f"{d['mean']:+.1f} [{d['ci'][0]:+.1f}, {d['ci'][1]:+.1f}]{tag}"


def gain_verdict(cells, threshold):
    """cells: paired dicts (None skipped). See the module doc."""
    cells = [c for c in cells if c]
    if not cells:
        return "pending"
    pos = [c for c in cells if c["resolved"] and c["mean"] > 0]
    neg = [c for c in cells if c["resolved"] and c["mean"] < 0]
    if len(pos) == len(cells):
        return "holds" if all(c["mean"] >= threshold for c in pos) else "holds, smaller than the paper's"
    if not pos and not neg:
        return "not resolved"
    if neg and not pos:
        return "does not hold"
    return f"mixed: {len(pos)} resolved gains, {len(neg)} resolved losses, " \
           f"{len(cells) - len(pos) - len(neg)} not resolved of {len(cells)} cells"


def gain_claim(J, a, b):
    if a not in J["protocol"]["rows"] or b not in J["protocol"]["rows"]:
        return None
    paper, thr = PAPER[(a, b)]
    ok, bad = report_tasks(J, [a, b], new_tasks(J))
    judged, shown, dom = [], [], []
    for t in tasks(J):
        for p in protos(J):
            d = S.paired(J, a, b, t, p)
            if d is None:
                continue
            mark = MARK if t in bad else ""
            (dom if t in T.IN_DOMAIN else shown).append(f"{t} {proto_name(p)} {fmt_diff(d)}{mark}")
            if t in ok:
                judged.append(d)
    ours = "; ".join(shown) or "–"
    if dom:
        ours += " (in-domain, not judged: " + "; ".join(dom) + ")"
    verdict = not_judged(J, [a, b], bad) if bad and not ok else gain_verdict(judged, thr)
    return finish(J, {"claim": f"accuracy: {a} beats {b} on new tasks", "paper": paper,
                      "ours": ours, "verdict": verdict, "rows": [a, b]}, [a, b], bad)


def pers_vs_ttl(J, a, b):
    if a not in J["protocol"]["rows"] or b not in J["protocol"]["rows"]:
        return None
    shown, verdicts, seen = [], [], []
    ok, bad = report_tasks(J, [a, b], tasks(J))
    for t in tasks(J):
        for bname in (BOARD, "stm32h7a3zi"):
            ea, _ = S.by_draw(J, a, t, "k10", lambda r: S.personalization_uj(J, a, r, bname))
            eb, _ = S.by_draw(J, b, t, "k10", lambda r: S.personalization_uj(J, b, r, bname))
            common = sorted(set(ea) & set(eb))
            if len(common) < 2:
                continue
            x = np.array([100.0 * (ea[d] / eb[d] - 1) for d in common])
            half = S.t_crit(len(x)) * x.std(ddof=1) / np.sqrt(len(x))
            lo, hi = x.mean() - half, x.mean() + half
            shown.append(f"{t} {bname[5:9].upper()} {x.mean():+.0f} % [{lo:+.0f}, {hi:+.0f}]"
                         + (MARK if t in bad else ""))
            seen.append(t)
            if t in ok:
                verdicts.append("holds" if hi <= PAPER_PERS_VS_TTL[1] else
                                "does not hold" if lo > PAPER_PERS_VS_TTL[1] else "not resolved")
    if not shown:
        return None
    v = not_judged(J, [a, b], bad) if not verdicts else verdicts[0] if len(set(verdicts)) == 1 \
        else "mixed: " + ", ".join(f"{verdicts.count(x)} {x}" for x in sorted(set(verdicts)))
    return finish(J, {"claim": f"personalization energy: {a} ≈ {b} + 1–4 % (k = 10, real iterations)",
                      "paper": PAPER_PERS_VS_TTL[0], "ours": "; ".join(shown), "verdict": v,
                      "rows": [a, b]}, [a, b], [t for t in bad if t in seen])


def matched(J, base, mine, task, bname=BOARD):
    """The cheapest `base` curve point (k = 10) whose mean accuracy reaches `mine`'s mean:
    {epoch, ratio (its energy / mine's), acc, mine_acc, diff (paired at that epoch)}, or with
    epoch None when no point reaches it (ratio then at the last point)."""
    mine_acc = S.cell(J, mine, task, "k10")
    mine_e, _ = S.by_draw(J, mine, task, "k10", lambda r: S.personalization_uj(J, mine, r, bname))
    pts = S.curve(J, base, task, "k10", bname)
    if not mine_acc or not mine_e or not pts or any(p["uj"] is None for p in pts):
        return None
    me = float(np.mean(list(mine_e.values())))
    hit = next((p for p in pts if p["acc"] and p["acc"]["mean"] >= mine_acc["mean"]), None)
    p = hit or pts[-1]
    diff = S.paired(J, base, mine, task, "k10", fa=p["acc_fn"])
    return {"epoch": p["epoch"] if hit else None, "last": p["epoch"], "ratio": p["uj"] / me,
            "uj": p["uj"], "mine_uj": me, "acc": p["acc"]["mean"], "mine_acc": mine_acc["mean"],
            "diff": diff}


def pers_vs_baseline(J, base, mine="microt"):
    if base not in J["protocol"]["rows"] or mine not in J["protocol"]["rows"]:
        return None
    shown, ok, seen = [], [], []
    _, bad = report_tasks(J, [mine, base], new_tasks(J))
    for t in new_tasks(J):
        m = matched(J, base, mine, t)
        if not m:
            continue
        seen.append(t)
        need = PAPER_VS_TINYTL[1] if base == "tinytl" else 1.0
        mark = MARK if t in bad else ""
        if m["epoch"] is None:
            shown.append(f"{t}: {base} never reaches {mine}'s {m['mine_acc']:.1f} % "
                         f"(after {m['last']} epochs {m['acc']:.1f} %, at {m['ratio']:.1f}× the energy){mark}")
            v = "holds" if m["ratio"] >= 1 else "not resolved"
        else:
            shown.append(f"{t}: {m['epoch']} epoch{'s' if m['epoch'] > 1 else ''} reach "
                         f"{m['acc']:.1f} % (vs {m['mine_acc']:.1f} %, paired {fmt_diff(m['diff'])}) at "
                         f"{m['ratio']:.1f}× {mine}'s energy{mark}")
            v = "holds" if m["ratio"] >= need else "does not hold"
        if not mark:
            ok.append(v)
    if not shown:
        return None
    bad = [t for t in bad if t in seen]
    v = not_judged(J, [mine, base], bad) if not ok else ok[0] if len(set(ok)) == 1 else \
        "mixed: " + ", ".join(f"{ok.count(x)} {x}" for x in sorted(set(ok)))
    return finish(J, {"claim": f"personalization energy: {mine} below {base} at matched accuracy (k = 10, L4R5)",
                      "paper": PAPER_VS_TINYTL[0] if base == "tinytl" else "not reported",
                      "ours": "; ".join(shown), "verdict": v, "rows": [mine, base]}, [mine, base], bad)


def saving(J, row, bname, ts=None):
    """[(saving %, exit share %)] per run of a stage-decision row (on tasks ts, default all): 1 −
    its inference energy at the exit share it measured over the same model's full pass (input +
    full model + head B)."""
    out = []
    for r in (x for x in J["runs"] if R.matches(row, x) and (ts is None or x["task"] in ts)):
        st, fu = S.inference_uj(J, row, r, bname), S.full_uj(J, R.model(row), bname)
        if st and fu:
            out.append((100.0 * (1 - st / fu), r["eval"]["exit"]))
    return out


def saving_claim(J):
    shown, verdicts, used, excluded = [], [], [], []
    for row in ("microt", "proxyless-microt"):
        if row not in J["protocol"]["rows"]:
            continue
        ok, bad = report_tasks(J, [row], tasks(J))
        for bname in (BOARD, "stm32h7a3zi"):
            v = saving(J, row, bname, ok)
            if len(v) < 2:
                if bad and saving(J, row, bname):
                    excluded += [t for t in bad if t not in excluded]
                    shown.append(f"{row} {bname[5:9].upper()}: {MARK} no report task "
                                 f"(selected on {', '.join(T.PROTOCOL_NAME[t] for t in bad)})")
                continue
            used.append(row)
            s = np.array([x for x, _ in v])
            half = S.t_crit(len(s)) * s.std(ddof=1) / np.sqrt(len(s))
            shown.append(f"{row} {bname[5:9].upper()} {s.mean():.1f} ± {s.std(ddof=1):.1f} % "
                         f"(exit {np.mean([e for _, e in v]):.0f} %, {len(s)} runs on {', '.join(ok)})")
            verdicts.append("holds" if s.mean() >= PAPER_SAVING[1][0] else "not resolved"
                            if s.mean() + half >= PAPER_SAVING[1][0] else "does not hold")
    if not shown:
        return None
    rows = [r for r in ("microt", "proxyless-microt") if r in J["protocol"]["rows"]]
    v = "not judged: no report task" if not verdicts else verdicts[0] if len(set(verdicts)) == 1 \
        else "mixed: " + ", ".join(f"{verdicts.count(x)} {x}" for x in sorted(set(verdicts)))
    c = {"claim": "inference energy saved by the stage decision at r = 0.5 vs the full model",
         "paper": PAPER_SAVING[0], "ours": "; ".join(shown), "verdict": v, "rows": rows,
         "excluded": excluded}
    c["verdict"] += seeds_note(J, sorted(set(used)))
    return c


def sram_claim(J):
    shown, worst = [], 0
    for row in ("microt", "proxyless-microt"):
        if row not in J["protocol"]["rows"]:
            continue
        per = []
        for p in protos(J):
            v = [S.sram(J, row, t, p) for t in tasks(J)]
            v = [x for x in v if x]
            if v:
                per.append(f"{proto_name(p)} {max(v):,} B")
                worst = max(worst, max(v))
        if per:
            shown.append(f"{row}: " + ", ".join(per))
    if not shown:
        return None
    cut = reservoir(J, ("microt", "proxyless-microt"))
    if cut:
        shown.append(cut)
    return {"claim": "peak SRAM below 1 MB (personalization, every protocol)", "paper": "< 1 MB",
            "ours": "; ".join(shown), "verdict": "holds" if worst < SRAM_LIMIT else
            f"does not hold ({worst:,} B > 10^6 B)", "rows": ["microt", "proxyless-microt"],
            "excluded": []}


def reservoir(J, rows):
    """A sentence when the device's cache kept fewer samples than it was given (its SRAM
    budget caps the samples per class; a seeded reservoir keeps a uniform subset), else ''."""
    cut = {}
    for r in J["runs"]:
        p = r.get("personalize") or {}
        if any(R.matches(row, r) for row in rows) and p.get("offered", 0) > p.get("n_train", 0):
            c = cut.setdefault(r["proto"], [p["n_train"], p["n_train"], p["offered"], p.get("per_class_limit"),
                                            p.get("budget")])
            c[0], c[1] = min(c[0], p["n_train"]), max(c[1], p["n_train"])
    if not cut:
        return ""
    return "; ".join(
        f"{proto_name(k)}: the device kept {a:,}{'' if a == b else f'–{b:,}'} of the {m:,} samples "
        f"given (≤ {lim} per class under personalize's SRAM budget of {bud:,} B, seeded reservoir; "
        "host and backprop rows trained on all)" for k, (a, b, m, lim, bud) in sorted(cut.items()))


def claims(J):
    out = [gain_claim(J, "microt", "ttl"), gain_claim(J, "proxyless-microt", "proxyless-ttl"),
           gain_claim(J, "microt", "ttl-part"), gain_claim(J, "microt", "microt-part"),
           gain_claim(J, "microt", "tinytl"),
           gain_claim(J, "microt", "sparseupdate"), pers_vs_ttl(J, "microt", "ttl"),
           pers_vs_ttl(J, "proxyless-microt", "proxyless-ttl"), pers_vs_baseline(J, "tinytl"),
           pers_vs_baseline(J, "sparseupdate"), saving_claim(J), sram_claim(J)]
    return [c for c in out if c]


HEADLINE = {"microt": ("ttl", "ttl-part", "microt-part", "microt-full", "tinytl", "sparseupdate",
                       "pixels", "teacher"),
            "proxyless-microt": ("proxyless-ttl", "proxyless-ttl-part", "proxyless-microt-part")}


def headline_pairs(J, mine="microt"):
    """[(task, proto, rival, paired dict)] for a MicroT row against every headline rival."""
    out = []
    for t in tasks(J):
        for p in protos(J):
            for rival in HEADLINE[mine]:
                if rival in J["protocol"]["rows"] and mine in J["protocol"]["rows"]:
                    d = S.paired(J, mine, rival, t, p)
                    if d:
                        out.append((t, p, rival, d))
    return out
