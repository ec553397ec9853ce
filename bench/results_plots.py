"""The plots of docs/results.md, drawn from results.json alone (matplotlib, Agg).

  tradeoff-<task>.png   accuracy vs personalization energy at k = 10 on STM32L4R5ZI: TinyTL and
                        SparseUpdate as curves over epochs, MicroT / TTL / their part stages as
                        points with the draws' std as error bars (one plot per task)
  ratio-<task>.png      MicroT's accuracy and inference energy vs the stage-decision ratio
  accuracy-energy.png   accuracy (k = 10) vs energy per inference, every extractor row
"""
import os

import numpy as np

import results_claims as C
import results_energy as E
import results_rows as R
import results_stats as S
import tasks as T

BOARD = "stm32l4r5zi"
POINTS = ("microt", "microt-part", "microt-full", "ttl", "ttl-part", "none")


def _fig(plt, w=5.6, h=3.7):
    return plt.subplots(figsize=(w, h), dpi=110)


def tradeoff(plt, J, task, outdir):
    fig, ax = _fig(plt)
    drawn = False
    for base, style in (("tinytl", "o-"), ("sparseupdate", "s--")):
        pts = [p for p in S.curve(J, base, task, "k10", BOARD) if p["uj"] and p["acc"]]
        if not pts:
            continue
        x = [p["uj"] / 1e6 for p in pts]
        y = [p["acc"]["mean"] for p in pts]
        e = [p["acc"]["sd"] or 0 for p in pts]
        ax.errorbar(x, y, yerr=e, fmt=style, ms=4, capsize=2, label=f"{base} (1–{pts[-1]['epoch']} epochs)")
        for p, xi, yi in zip(pts, x, y):
            ax.annotate(str(p["epoch"]), (xi, yi), fontsize=6, xytext=(3, -8), textcoords="offset points")
        drawn = True
    for row in POINTS:
        if row not in J["protocol"]["rows"]:
            continue
        acc = S.cell(J, row, task, "k10")
        en, _ = S.by_draw(J, row, task, "k10", lambda r, row=row: S.personalization_uj(J, row, r, BOARD))
        if not acc or not en:
            continue
        ax.errorbar([np.mean(list(en.values())) / 1e6], [acc["mean"]], yerr=[acc["sd"] or 0],
                    fmt="D" if "microt" in row else "^", ms=5, capsize=2, label=row)
        drawn = True
    if not drawn:
        plt.close(fig)
        return None
    ax.set_xscale("log")
    ax.set_xlabel("estimated personalization energy on STM32L4R5ZI, J (10 classes × 10 samples)")
    ax.set_ylabel("accuracy, % (k = 10)")
    ax.set_title(f"{task}{' (in-domain)' if task in T.IN_DOMAIN else ''}: accuracy vs personalization "
                 "energy (mean ± sd over draws)", fontsize=8)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=6)
    fig.tight_layout()
    name = f"tradeoff-{task}.png"
    fig.savefig(os.path.join(outdir, name))
    plt.close(fig)
    return name


def ratio(plt, J, task, outdir):
    fig, ax = _fig(plt, 5.2, 3.4)
    ax2 = ax.twinx()
    drawn = False
    for proto, style in (("k10", "o-"), ("split", "s--"), ("k50", "^-"), ("k5", "v-")):
        rs = S.runs(J, "microt", task, proto)
        if not rs:
            continue
        sw = [{f: float(np.mean([r["eval"]["sweep"][i][f] for r in rs])) for f in ("r", "acc")} for i in range(5)]
        ax.plot([p["r"] for p in sw], [p["acc"] for p in sw], style, label=f"MicroT {C.proto_name(proto)}")
        drawn = True
    cyc = S.cycles_of(J, R.model("microt"), "cortex-m4")
    if cyc:
        b = S.board(J, R.model("microt"), BOARD)
        rs = np.linspace(0, 1, 5)
        ax2.plot(rs, [E.uj(E.inference_cycles(cyc, "stage", r), b) / 1000 for r in rs], "k:", label="energy L4R5")
        ax2.set_ylabel("est. energy / inference, mJ (L4R5)")
        ax2.legend(fontsize=7, loc="lower right")
    if not drawn:
        plt.close(fig)
        return None
    ax.set_xlabel("stage-decision ratio r (share exiting at the part stage)")
    ax.set_ylabel("accuracy, %")
    ax.set_title(f"{task}: accuracy and energy vs ratio", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    name = f"ratio-{task}.png"
    fig.savefig(os.path.join(outdir, name))
    plt.close(fig)
    return name


def accuracy_energy(plt, J, outdir):
    fig, ax = _fig(plt)
    for task, mk in zip(C.tasks(J), "osD^v"):
        xs, ys, ls = [], [], []
        for row in J["protocol"]["rows"]:
            rs = S.runs(J, row, task, "k10")
            e = [S.inference_uj(J, row, r, BOARD) for r in rs]
            e = [x for x in e if x is not None]
            a = S.cell(J, row, task, "k10")
            if e and a and R.source(row) == "device":
                xs.append(np.mean(e) / 1000)
                ys.append(a["mean"])
                ls.append(row)
        if not xs:
            continue
        ax.scatter(xs, ys, marker=mk, label=task)
        for x, y, name in zip(xs, ys, ls):
            ax.annotate(name, (x, y), fontsize=5, xytext=(3, 2), textcoords="offset points")
    ax.set_xlabel("estimated energy per inference on STM32L4R5ZI, mJ")
    ax.set_ylabel("accuracy, % (k = 10)")
    ax.set_title("accuracy vs inference energy, extractor rows", fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "accuracy-energy.png"))
    plt.close(fig)
    return "accuracy-energy.png"


def plots(J, outdir):
    """Writes every plot into outdir; returns their file names."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams["svg.hashsalt"] = "microt"
    out = []
    for t in C.tasks(J):
        out += [tradeoff(plt, J, t, outdir), ratio(plt, J, t, outdir)]
    out.append(accuracy_energy(plt, J, outdir))
    return [f for f in out if f]
