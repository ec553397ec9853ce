"""Writes the MLPerf Tiny visual-wake-words network, MobileNetV1 with width 0.25 at 96x96x3,
as an int8 .mtm with random (not trained) weights: a realistic workload for the cycle and
energy estimates (bench/energy.sh, docs/energy.md), comparable with the public MLPerf Tiny
energy results for the paper's boards. Its features mean nothing; never ship it as a model.

Architecture (Howard et al. 2017, table 1, alpha = 0.25; MLPerf Tiny's vww reference): a 3x3
stride-2 conv to 8 channels, then 13 depthwise-separable blocks (3x3 depthwise + ReLU6,
1x1 pointwise + ReLU6) to 16, 32/2, 32, 64/2, 64, 128/2, 5 x 128, 256/2, 256 channels, global
average pool. The 256 -> 2 classifier is not part of the extractor (microt trains its heads
on device); at 512 MACs it is 0.007 % of the 7.49 M MACs. Padding is k//2 on every side
(PyTorch) rather than TensorFlow's SAME (0 before, 1 after at stride 2): the same shapes and
MACs, a one-pixel shift of the window.

netspec expresses it with expand = 1 blocks once two things are switched off after building:
the linear project (made ReLU6) and the residual adds (MobileNetV1 has none).
The same --seed gives the same bytes.
usage: make_vww_model.py OUT.mtm [--seed N] [--split-block K]
"""
import argparse

import numpy as np
import torch

from factory import make_test_model
from factory import mtm
from factory import netspec
from factory import quantize

MEAN = (0.5, 0.5, 0.5)  # x = pixel/127.5 - 1, the [-1, 1] input of the reference model
STD = (0.5, 0.5, 0.5)
WIDTHS = [(32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1), (128, 1),
          (128, 1), (128, 1), (256, 2), (256, 1)]


def vww_spec(split_block):
    """The netspec dict (before the two switches of to_mobilenet_v1)."""
    return {
        "name": "vww-mobilenetv1-0.25-96",
        "input_px": 96, "in_ch": 3,
        "stem": {"out": 8, "k": 3, "stride": 2},               # 96 -> 48
        "first_dw": 16,                                        # block 1: 8 -> 16 at 48x48
        "blocks": [{"expand": 1, "out": c, "k": 3, "stride": s} for c, s in WIDTHS],
        "feature_mix": None,
        "split_block": split_block,
    }


def to_mobilenet_v1(model):
    """Pointwise convs get ReLU6 and no block adds a residual: MobileNetV1's blocks."""
    blocks = [model.first] + list(model.blocks)
    for blk in blocks:
        blk.project.relu6 = True
        blk.residual = False
    return model


def build_float_model(spec, seed):
    """(model in eval mode, calibration images), as make_test_model does it: random BN affine
    parameters, running statistics measured on smooth random images."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = to_mobilenet_v1(netspec.build(spec))
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data.uniform_(0.6, 1.4)
            m.bias.data.uniform_(-0.3, 0.3)
            m.momentum = None
    px = spec["input_px"]
    stats = make_test_model.smooth_images(rng, 128, px, 3)
    model.train()
    with torch.no_grad():
        for i in range(0, len(stats), 32):
            model(quantize.preprocess(stats[i:i + 32], MEAN, STD))
    model.eval()
    calib = make_test_model.smooth_images(rng, 64, px, 3)
    return model, calib


def main():
    ap = argparse.ArgumentParser(description="Write MobileNetV1-0.25 96x96 (the MLPerf Tiny VWW "
                                             "network) with random weights as an int8 .mtm.")
    ap.add_argument("out", help="output .mtm path")
    ap.add_argument("--seed", type=int, default=1, help="seed of weights and images (default 1)")
    ap.add_argument("--split-block", type=int, default=6,
                    help="part stage = stem + first block + this many of the other 12 blocks "
                         "(default 6: through the first 128-channel stride-1 block)")
    args = ap.parse_args()
    torch.set_num_threads(1)  # fixed reduction order: the same seed gives the same bytes
    spec = vww_spec(args.split_block)
    model, calib = build_float_model(spec, args.seed)
    m = quantize.quantize(model, spec, calib, MEAN, STD)
    if any(op.type == mtm.ADD for op in m.ops):
        raise SystemExit("internal: a residual add slipped in")
    buf = mtm.write(m)
    mtm.read(buf)
    with open(args.out, "wb") as f:
        f.write(buf)
    mc = netspec.macs(spec)
    print("wrote %s: %d bytes, %d ops, split_op %d, fingerprint %016x, seed %d"
          % (args.out, len(buf), len(m.ops), m.split_op, m.fingerprint, args.seed))
    print("conv MACs: part %d, full %d (part %.1f%%)"
          % (mc["part"], mc["full"], 100.0 * mc["part"] / mc["full"]))


if __name__ == "__main__":
    main()
