"""The two student extractors as netspec dicts, plus their MCU budget figures.

Only describes networks (netspec builds them); never trains. Each student must fit an MCU:
int8 weights (+ per-channel bias/requant/scale) <= 1 MB of flash, activation arena <= 256 KB.
"""
import argparse
import copy

import torch

from factory import netspec

FLASH_LIMIT_BYTES = 1024 * 1024
ARENA_LIMIT_BYTES = 256 * 1024
PART_SHARE_TARGET = 0.64  # the paper's MCUNet-in3 cut: the part stage holds ~64% of the MACs
DEFAULT_PX = 64


def _b(expand, out, k, stride):
    return {"expand": expand, "out": out, "k": k, "stride": stride}


# MCUNet-style (after MCUNet-in3): inverted residuals with mixed 3x3/5x5/7x7 depthwise,
# ReLU6, large kernels on the stride-2 blocks, the full feature pooled from the last block
# (160-d like MCUNet-in3); at 64 px the stages run at 32, 16, 8, 4, 2 px.
_MCUNET_BLOCKS = [
    _b(4, 16, 7, 2), _b(3, 16, 3, 1),                                      # 16 px
    _b(4, 24, 5, 2), _b(3, 24, 5, 1), _b(4, 24, 3, 1),                     # 8 px
    _b(5, 40, 7, 2), _b(4, 40, 5, 1), _b(4, 40, 3, 1),                     # 4 px
    _b(5, 48, 5, 1), _b(4, 48, 3, 1),
    _b(6, 96, 5, 2), _b(4, 96, 7, 1), _b(4, 96, 3, 1), _b(5, 160, 3, 1),   # 2 px
]

# ProxylessNAS-style (after ProxylessNAS-Mobile w0.3): narrower and shallower-expanding
# (mostly x3), fewer MACs, the last block 96-d followed by a 1x1 feature-mix layer.
_PROXYLESS_BLOCKS = [
    _b(3, 16, 5, 2), _b(3, 16, 3, 1),
    _b(3, 24, 7, 2), _b(3, 24, 3, 1), _b(3, 24, 5, 1),
    _b(6, 32, 7, 2), _b(3, 32, 5, 1), _b(3, 32, 5, 1),
    _b(6, 48, 5, 1), _b(3, 48, 3, 1),
    _b(6, 80, 7, 2), _b(3, 80, 5, 1), _b(3, 80, 5, 1), _b(6, 96, 7, 1),
]

_FAMILIES = {
    "mcunet": {"stem": {"out": 16, "k": 3, "stride": 2}, "first_dw": 8,
               "blocks": _MCUNET_BLOCKS, "feature_mix": None},
    "proxyless": {"stem": {"out": 16, "k": 3, "stride": 2}, "first_dw": 8,
                  "blocks": _PROXYLESS_BLOCKS, "feature_mix": 256},
}
STUDENTS = tuple(_FAMILIES)


def part_share(spec):
    m = netspec.macs(spec)
    return m["part"] / m["full"]


def split_for_share(spec, target=PART_SHARE_TARGET):
    """The split_block whose part stage holds the MAC share closest to `target`."""
    best = None
    n = len(spec["blocks"])
    last = n if spec.get("feature_mix") else n - 1
    for k in range(1, last + 1):
        s = dict(spec, split_block=k)
        d = abs(part_share(s) - target)
        if best is None or d < best[0]:
            best = (d, k)
    return best[1]


def get(student, input_px=DEFAULT_PX, split_block=None, name=None):
    """The spec of `student` ('mcunet' or 'proxyless'). split_block None = the block boundary
    closest to 64% of the MACs in the part stage (the paper's choice)."""
    if student not in _FAMILIES:
        raise ValueError("unknown student %r (choose from %s)" % (student, ", ".join(STUDENTS)))
    spec = copy.deepcopy(_FAMILIES[student])
    spec.update({"name": name or "%s-%d" % (student, input_px), "input_px": int(input_px),
                 "in_ch": 3, "split_block": 1})
    spec["split_block"] = int(split_block) if split_block else split_for_share(spec)
    return netspec.validate(spec)


def flash_bytes(spec):
    """What the .mtm stores for the convolutions: int8 weights plus, per output channel, an
    int32 bias, an int32 multiplier, an int32 shift and a float32 weight scale."""
    n = 0
    for _, kind, cin, cout, k, _, _, _, _ in netspec.layer_shapes(spec):
        n += cout * k * k * (1 if kind == "dw" else cin) + 16 * cout
    return n


def arena_bytes(spec):
    """Peak int8 activation bytes with every tensor alive from its producer to its last reader
    (what the runtime's planner does), taken over the ops of netspec.fold_bn. The part and full
    pooled features stay alive to the end. No in-place reuse assumed (upper bound)."""
    model = netspec.build(spec).eval()
    ops = netspec.fold_bn(model)
    px = spec["input_px"]
    with torch.no_grad():
        env = netspec.run_folded(ops, torch.zeros(1, spec["in_ch"], px, px))
    size = {name: int(v[0].numel()) for name, v in env.items()}
    last_read = {}
    for i, op in enumerate(ops):
        for key in ("in", "in1"):
            if key in op:
                last_read[op[key]] = i
    for op in ops:
        if op["op"] == "pool":
            last_read[op["out"]] = len(ops)
    born = {"input": -1}
    for i, op in enumerate(ops):
        born[op["out"]] = i
    peak = 0
    for i in range(len(ops)):
        live = [t for t in born if born[t] <= i and last_read.get(t, born[t]) >= i]
        peak = max(peak, sum(size[t] for t in live))
    return peak


def describe(spec):
    m = netspec.macs(spec)
    model = netspec.build(spec)
    return {"name": spec["name"], "input_px": spec["input_px"], "split_block": spec["split_block"],
            "macs_part": m["part"], "macs_full": m["full"], "part_share": m["part"] / m["full"],
            "params": netspec.n_params(spec), "flash_bytes": flash_bytes(spec),
            "arena_bytes": arena_bytes(spec), "part_dim": model.part_dim,
            "full_dim": model.full_dim}


def check(spec):
    """Raises ValueError when the spec breaks the MCU budget."""
    d = describe(spec)
    if d["flash_bytes"] > FLASH_LIMIT_BYTES:
        raise ValueError("%s: %d flash bytes > 1 MB" % (spec["name"], d["flash_bytes"]))
    if d["arena_bytes"] > ARENA_LIMIT_BYTES:
        raise ValueError("%s: arena %d bytes > 256 KB" % (spec["name"], d["arena_bytes"]))
    return d


def main():
    ap = argparse.ArgumentParser(description="Print the students' MACs per stage, size and arena.")
    ap.add_argument("--px", type=int, nargs="+", default=[DEFAULT_PX], help="input resolutions")
    ap.add_argument("--splits", action="store_true", help="also list the MAC share of every split")
    ap.add_argument("--seed", type=int, default=0, help="unused (no randomness); for uniformity")
    args = ap.parse_args()
    print("| student | px | split | MACs part | MACs full | part share | params | flash KB"
          " | arena KB | dims part/full |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for student in STUDENTS:
        for px in args.px:
            d = check(get(student, px))
            print("| %s | %d | %d | %.2f M | %.2f M | %.1f%% | %d k | %.0f | %.1f | %d/%d |" % (
                student, px, d["split_block"], d["macs_part"] / 1e6, d["macs_full"] / 1e6,
                100 * d["part_share"], d["params"] // 1000, d["flash_bytes"] / 1024,
                d["arena_bytes"] / 1024, d["part_dim"], d["full_dim"]))
            if args.splits:
                spec = get(student, px)
                n = len(spec["blocks"])
                shares = ["%d:%.0f%%" % (k, 100 * part_share(dict(spec, split_block=k)))
                          for k in range(1, n + (1 if spec.get("feature_mix") else 0))]
                print("|  splits: " + " ".join(shares) + " |")


if __name__ == "__main__":
    main()
