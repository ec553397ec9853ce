"""MCUNet/ProxylessNAS-style extractors built from a plain dict spec (PyTorch, float).

The spec is the single description of a student: training (students.py), quantization
(quantize.py) and MAC counting all read it. Only layers the runtime has: conv, depthwise
conv (padding k//2 on every side), ReLU6, residual add, global average pool. Never add a
layer here that docs/model-format.md cannot express.

spec = {
  "name": "mcunet-microt-64",       # <= 31 ASCII chars (goes into the .mtm header)
  "input_px": 64, "in_ch": 3,       # square input, 3 (RGB) or 1 (grey)
  "stem": {"out": 16, "k": 3, "stride": 2},          # conv + BN + ReLU6
  "first_dw": True,                 # False: none. True (or an int = its out channels; True
                                    # means stem.out): a MobileNetV2-like first block without
                                    # expansion (depthwise 3x3 + BN + ReLU6, 1x1 project + BN),
                                    # counted with the stem, not in "blocks"
  "blocks": [{"expand": 6, "out": 24, "k": 5, "stride": 2}, ...],   # inverted residuals
  "feature_mix": None,              # or an int: a final 1x1 conv + BN + ReLU6 (ProxylessNAS)
  "split_block": 3,                 # part stage = stem (+ first_dw) + blocks[:split_block]
}

Part feature = global average of blocks[split_block-1]'s output; full feature = global
average of the last block's output (or of feature_mix's output).
"""
import argparse
import json

import torch
from torch import nn


def validate(spec):
    """Raises ValueError on a spec the runtime cannot run; returns the spec."""
    if spec["in_ch"] not in (1, 3):
        raise ValueError("in_ch must be 1 or 3")
    if not 1 <= len(spec["name"].encode("ascii")) <= 31:
        raise ValueError("name must be 1..31 ASCII characters")
    for b in [spec["stem"]] + list(spec["blocks"]):
        if b["k"] % 2 != 1 or not 1 <= b["k"] <= 15 or b["stride"] not in (1, 2, 3, 4):
            raise ValueError("odd kernel 1..15 and stride 1..4 required: %r" % (b,))
    for b in spec["blocks"]:
        if b["expand"] < 1:
            raise ValueError("expand must be >= 1")
    n = len(spec["blocks"])
    k = spec["split_block"]
    if not 1 <= k <= n:
        raise ValueError("split_block must be in 1..len(blocks)")
    if k == n and not spec.get("feature_mix"):
        raise ValueError("the full stage needs at least one layer after the split")
    return spec


def first_dw_out(spec):
    """Output channels of the first_dw block, or None when the spec has none."""
    f = spec.get("first_dw")
    if f is None or f is False:
        return None
    return spec["stem"]["out"] if f is True else int(f)


class ConvBN(nn.Module):
    """Conv (no bias) + BatchNorm (+ ReLU6). groups == channels makes it depthwise."""

    def __init__(self, cin, cout, k, stride=1, groups=1, relu6=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu6 = relu6

    def forward(self, x):
        x = self.bn(self.conv(x))
        return torch.clamp(x, 0.0, 6.0) if self.relu6 else x


class InvertedResidual(nn.Module):
    """1x1 expand (skipped when expand == 1), kxk depthwise, linear 1x1 project, + residual."""

    def __init__(self, cin, cout, expand, k, stride):
        super().__init__()
        mid = cin * expand
        self.expand = ConvBN(cin, mid, 1) if expand != 1 else None
        self.dw = ConvBN(mid, mid, k, stride, groups=mid)
        self.project = ConvBN(mid, cout, 1, relu6=False)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.expand(x) if self.expand is not None else x
        y = self.project(self.dw(y))
        return x + y if self.residual else y


class NetSpecModel(nn.Module):
    """forward(x [N, in_ch, px, px]) -> (part_pooled [N, part_dim], full_pooled [N, full_dim])."""

    def __init__(self, spec):
        super().__init__()
        self.spec = validate(spec)
        s = spec["stem"]
        self.stem = ConvBN(spec["in_ch"], s["out"], s["k"], s["stride"])
        c = s["out"]
        fo = first_dw_out(spec)
        self.first = InvertedResidual(c, fo, 1, 3, 1) if fo is not None else None
        c = fo if fo is not None else c
        blocks = []
        for b in spec["blocks"]:
            blocks.append(InvertedResidual(c, b["out"], b["expand"], b["k"], b["stride"]))
            c = b["out"]
        self.blocks = nn.ModuleList(blocks)
        self.split_block = spec["split_block"]
        fm = spec.get("feature_mix")
        self.mix = ConvBN(c, fm, 1) if fm else None
        self.part_dim = spec["blocks"][self.split_block - 1]["out"]
        self.full_dim = fm if fm else c
        self._init_weights()

    def _init_weights(self):
        # torchvision's MobileNetV2 initialisation
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward_maps(self, x):
        """(part_map [N, part_dim, h, w], full_map [N, full_dim, h', w']) before pooling."""
        x = self.stem(x)
        if self.first is not None:
            x = self.first(x)
        part = None
        for i, blk in enumerate(self.blocks):
            x = blk(x)
            if i + 1 == self.split_block:
                part = x
        if self.mix is not None:
            x = self.mix(x)
        return part, x

    def forward(self, x):
        part, full = self.forward_maps(x)
        return part.mean((2, 3)), full.mean((2, 3))


def build(spec):
    """A freshly initialised float model for `spec`."""
    return NetSpecModel(spec)


def _conv_out(n, k, stride):
    return (n + 2 * (k // 2) - k) // stride + 1


def layer_shapes(spec):
    """Every conv layer in execution order:
    (name, kind 'conv'|'dw', cin, cout, k, stride, in_px, out_px, stage 'part'|'rest')."""
    validate(spec)
    out = []
    px = spec["input_px"]
    s = spec["stem"]
    o = _conv_out(px, s["k"], s["stride"])
    out.append(("stem", "conv", spec["in_ch"], s["out"], s["k"], s["stride"], px, o, "part"))
    px, c = o, s["out"]

    def block(name, cin, cout, expand, k, stride, stage):
        nonlocal px
        mid = cin * expand
        if expand != 1:
            out.append((name + ".expand", "conv", cin, mid, 1, 1, px, px, stage))
        o = _conv_out(px, k, stride)
        out.append((name + ".dw", "dw", mid, mid, k, stride, px, o, stage))
        out.append((name + ".project", "conv", mid, cout, 1, 1, o, o, stage))
        px = o

    fo = first_dw_out(spec)
    if fo is not None:
        block("first", c, fo, 1, 3, 1, "part")
        c = fo
    for i, b in enumerate(spec["blocks"]):
        stage = "part" if i < spec["split_block"] else "rest"
        block("b%d" % i, c, b["out"], b["expand"], b["k"], b["stride"], stage)
        c = b["out"]
    if spec.get("feature_mix"):
        out.append(("mix", "conv", c, spec["feature_mix"], 1, 1, px, px, "rest"))
    return out


def macs(spec):
    """Multiply-accumulates of the convolutions (adds and pools not counted):
    {"layers": [(name, macs)], "part": part stage, "rest": after the split, "full": total}."""
    layers, part, rest = [], 0, 0
    for name, kind, cin, cout, k, _, _, opx, stage in layer_shapes(spec):
        m = opx * opx * cout * k * k * (1 if kind == "dw" else cin)
        layers.append((name, m))
        if stage == "part":
            part += m
        else:
            rest += m
    return {"layers": layers, "part": part, "rest": rest, "full": part + rest}


def n_params(spec):
    """Conv weights + folded biases (what the int8 file stores, roughly, in count)."""
    n = 0
    for _, kind, cin, cout, k, _, _, _, _ in layer_shapes(spec):
        n += cout * k * k * (1 if kind == "dw" else cin) + cout
    return n


def _fold(cbn):
    """(weight [Cout, Cin/groups, k, k], bias [Cout]) float32 with the BN (eval stats) folded."""
    bn = cbn.bn
    scale = bn.weight.detach() / torch.sqrt(bn.running_var.detach() + bn.eps)
    w = cbn.conv.weight.detach() * scale[:, None, None, None]
    b = bn.bias.detach() - bn.running_mean.detach() * scale
    return w.float().clone(), b.float().clone()


def fold_bn(model):
    """The model as a flat list of ops in execution order, BN folded (uses BN running stats).

    Each op is a dict:
      {"op": "conv"|"dw", "name", "in", "out", "weight" [Cout, Cin|1, k, k], "bias" [Cout],
       "k", "stride", "pad" (top, left, bottom, right), "relu6": bool}
      {"op": "add", "name", "in", "in1", "out"}            (out = in + in1)
      {"op": "pool", "name", "in", "out", "stage": "part"|"full"}
    Tensor names are strings; "input" is the network input. Order: the part stage ending with
    its pool, then the rest resuming from the tensor that fed the part pool, then the full pool.
    """
    ops = []

    def conv(name, cbn, src, dw):
        w, b = _fold(cbn)
        k = cbn.conv.kernel_size[0]
        p = k // 2
        ops.append({"op": "dw" if dw else "conv", "name": name, "in": src, "out": name,
                    "weight": w, "bias": b, "k": k, "stride": cbn.conv.stride[0],
                    "pad": (p, p, p, p), "relu6": cbn.relu6})
        return name

    def block(name, blk, src):
        t = src
        if blk.expand is not None:
            t = conv(name + ".expand", blk.expand, t, False)
        t = conv(name + ".dw", blk.dw, t, True)
        t = conv(name + ".project", blk.project, t, False)
        if blk.residual:
            ops.append({"op": "add", "name": name + ".add", "in": t, "in1": src,
                        "out": name + ".add"})
            t = name + ".add"
        return t

    t = conv("stem", model.stem, "input", False)
    if model.first is not None:
        t = block("first", model.first, t)
    for i, blk in enumerate(model.blocks):
        t = block("b%d" % i, blk, t)
        if i + 1 == model.split_block:
            ops.append({"op": "pool", "name": "part_pool", "in": t, "out": "part_pool",
                        "stage": "part"})
    if model.mix is not None:
        t = conv("mix", model.mix, t, False)
    ops.append({"op": "pool", "name": "full_pool", "in": t, "out": "full_pool", "stage": "full"})
    return ops


def run_folded(ops, x):
    """Runs fold_bn's op list in float on x [N, C, H, W]; returns {tensor name: value}."""
    import torch.nn.functional as F
    env = {"input": x}
    for op in ops:
        if op["op"] in ("conv", "dw"):
            src = env[op["in"]]
            t, l, b, r = op["pad"]
            y = F.conv2d(F.pad(src, (l, r, t, b)), op["weight"], op["bias"], op["stride"],
                         groups=src.shape[1] if op["op"] == "dw" else 1)
            env[op["out"]] = torch.clamp(y, 0.0, 6.0) if op["relu6"] else y
        elif op["op"] == "add":
            env[op["out"]] = env[op["in"]] + env[op["in1"]]
        else:
            env[op["out"]] = env[op["in"]].mean((2, 3), keepdim=True)
    return env


def main():
    ap = argparse.ArgumentParser(description="Print a spec's layers and MACs per stage.")
    ap.add_argument("spec", help="a JSON file holding one spec dict")
    ap.add_argument("--seed", type=int, default=0, help="unused (no randomness); kept for uniformity")
    args = ap.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    m = macs(spec)
    for name, n in m["layers"]:
        print("%-14s %10d" % (name, n))
    print("part %d MACs, rest %d, full %d (part share %.1f%%), %d params"
          % (m["part"], m["rest"], m["full"], 100.0 * m["part"] / m["full"], n_params(spec)))


if __name__ == "__main__":
    main()
