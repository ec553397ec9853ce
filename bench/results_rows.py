"""The rows of the results: which runs each method's figures come from, and how they are read.

A run is one personalization on one draw of one protocol of one task (results.json "runs"):
  source 'device'  `microt personalize` + `microt eval` of one extractor file (both heads, τ,
                   the sweep): several rows read the same run -- the full head alone, the part
                   head alone (the model truncated at the split), the calibrated stage decision
  source 'tinytl' / 'sparseupdate'  factory/baselines.py from the shipped TTL extractor, scored
                   after several epochs of one training (the curve)
  source 'pixels' / 'teacher'        host-only linear heads (scikit-learn)
"""

RATIO = 0.5  # the default stage-decision ratio (paper: "standard" r = 0.5)

# row -> (source, model stem, readout, label). readout: 'full' head B alone (full model, no
# early exit), 'part' head A alone (stop after the part stage: r = 1), 'stage' the stage decision
# at the calibrated τ (r = RATIO), 'final' the baseline's last epoch, None for host methods.
ROWS = {
    "pixels": ("pixels", None, None, "raw pixels (16×16), linear head (host)"),
    "none": ("device", "mcunet-none-64", "full", "untrained extractor (seeded init), full model"),
    "ttl": ("device", "mcunet-ttl-64", "full", "TTL: CIFAR-10-supervised extractor, full model, no early exit"),
    "ttl-part": ("device", "mcunet-ttl-64", "part", "TTL truncated at the split: part stage + head A only"),
    "microt-full": ("device", "mcunet-microt-64", "full", "MicroT extractor, full model only (r = 0)"),
    "microt": ("device", "mcunet-microt-64", "stage", f"MicroT, stage decision at r = {RATIO} (calibrated τ)"),
    "microt-part": ("device", "mcunet-microt-64", "part", "MicroT, part stage only (r = 1)"),
    "microt-nojoint": ("device", "mcunet-microt-nojoint-64", "stage",
                       f"MicroT without joint training, r = {RATIO}"),
    "tinytl": ("tinytl", "mcunet-ttl-64", "final",
               "TinyTL (bias + lite residual) from the shipped TTL extractor; PyTorch simulation"),
    "sparseupdate": ("sparseupdate", "mcunet-ttl-64", "final",
                     "SparseUpdate (sparse backprop) from the shipped TTL extractor; PyTorch simulation"),
    "teacher": ("teacher", None, None, "the MicroT model's distillation teacher, linear head (host)"),
    "proxyless-none": ("device", "proxyless-none-64", "full", "ProxylessNAS-style, untrained, full model"),
    "proxyless-ttl": ("device", "proxyless-ttl-64", "full", "ProxylessNAS-style TTL, full model"),
    "proxyless-ttl-part": ("device", "proxyless-ttl-64", "part", "ProxylessNAS-style TTL, part stage only"),
    "proxyless-microt": ("device", "proxyless-microt-64", "stage", f"ProxylessNAS-style MicroT, r = {RATIO}"),
    "proxyless-microt-part": ("device", "proxyless-microt-64", "part",
                              "ProxylessNAS-style MicroT, part stage only (r = 1)"),
}
ALL_ROWS = list(ROWS)
# The untrained extractors' pooled features are ~1e-8 (random weights with BatchNorm's initial
# statistics shrink the activations layer by layer): their heads train on standardized features
# (`personalize --standardize`), or L-BFGS could not move off chance; all others train raw.
STANDARDIZED = ("mcunet-none-64", "proxyless-none-64")
BASELINE_SOURCES = ("tinytl", "sparseupdate")
# Epochs at which the backprop baselines are scored (one run each, constant lr). 70/30 trains on
# 3,500 samples: 30 epochs would be 105,000 sample-steps per run, so its curve stops at 10.
BASELINE_EPOCHS = {"few": (1, 3, 10, 30), "split": (1, 3, 10)}


def source(row):
    return ROWS[row][0]


def model(row):
    return ROWS[row][1]


def readout(row):
    return ROWS[row][2]


def label(row):
    return ROWS[row][3]


def family(row):
    """'proxyless' or 'mcunet' (the student the row's extractor belongs to; host rows: None)."""
    m = ROWS[row][1]
    return None if m is None else m.split("-")[0]


def device_models(rows):
    """The extractor stems the device rows need, in row order, without repeats."""
    out = []
    for r in rows:
        if ROWS[r][0] in ("device",) + BASELINE_SOURCES and ROWS[r][1] not in out:
            out.append(ROWS[r][1])
    return out


def proto_epochs(proto):
    return BASELINE_EPOCHS["split" if proto == "split" else "few"]


def value(row, run):
    """The accuracy (%) a row reads from one run record (None when the run lacks it)."""
    src, _, ro, _ = ROWS[row]
    if src == "device":
        e = run["eval"]
        return {"full": e["acc_full"], "part": e["acc_part"], "stage": e["acc"]}[ro]
    if src in BASELINE_SOURCES:
        return run["curve"][-1]["acc"] if run.get("curve") else None
    return run.get("acc")


def matches(row, run):
    """True when `run` is one of the runs `row` reads."""
    src, stem, _, _ = ROWS[row]
    return run["source"] == src and (stem is None or run.get("model") == stem)
