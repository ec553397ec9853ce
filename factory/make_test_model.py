"""Generates tests/data/test-model.mtm: a small MCUNet-shaped int8 model with random but
realistically initialised weights, for the runtime's unit tests, fuzz seeds and benchmarks.

Not a trained model: its features mean nothing. It exercises every path the real students
use (stem, first_dw block, expand/depthwise 3/5/7/project, stride 1/2, residual adds, a split
in the middle, two pools). The same --seed gives the same bytes.
"""
import argparse
import os

import numpy as np
import torch

from factory import mtm
from factory import netspec
from factory import quantize

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                           "test-model.mtm")
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)

SPEC = {
    "name": "microt-test-32",
    "input_px": 32, "in_ch": 3,
    "stem": {"out": 8, "k": 3, "stride": 2},                  # 32 -> 16
    "first_dw": True,                                         # 8 -> 8, residual
    "blocks": [
        {"expand": 3, "out": 16, "k": 3, "stride": 2},        # 16 -> 8
        {"expand": 3, "out": 16, "k": 5, "stride": 1},        # residual
        {"expand": 4, "out": 24, "k": 7, "stride": 2},        # 8 -> 4   (split after this)
        {"expand": 4, "out": 24, "k": 3, "stride": 1},        # residual
        {"expand": 4, "out": 32, "k": 5, "stride": 2},        # 4 -> 2
        {"expand": 3, "out": 32, "k": 7, "stride": 1},        # residual, 7x7 on 2x2 (pads)
    ],
    "feature_mix": None,
    "split_block": 3,
}


def smooth_images(rng, n, px, c):
    """uint8 [n, px, px, c] random images with natural-ish structure: a coarse random field
    upsampled bilinearly plus fine noise (so activations are neither flat nor pure noise)."""
    coarse = rng.uniform(0, 255, (n, c, 4, 4)).astype(np.float32)
    t = torch.nn.functional.interpolate(torch.from_numpy(coarse), size=(px, px), mode="bilinear",
                                        align_corners=False).numpy()
    t = t + rng.normal(0, 20, t.shape).astype(np.float32)
    return np.clip(np.round(t), 0, 255).astype(np.uint8).transpose(0, 2, 3, 1).copy()


def build_float_model(seed):
    """(model in eval mode, calibration images). BN gets random affine parameters, then
    running statistics measured on random images, so every layer sees normalised inputs."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = netspec.build(SPEC)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data.uniform_(0.6, 1.4)
            m.bias.data.uniform_(-0.3, 0.3)
            m.momentum = None  # cumulative average over the batches below
    stats_imgs = smooth_images(rng, 256, SPEC["input_px"], SPEC["in_ch"])
    model.train()
    with torch.no_grad():
        for i in range(0, 256, 64):
            model(quantize.preprocess(stats_imgs[i:i + 64], MEAN, STD))
    model.eval()
    calib = smooth_images(rng, 128, SPEC["input_px"], SPEC["in_ch"])
    return model, calib


def build_mtm(seed):
    """(mtm.Model, file bytes, float model) for the given seed."""
    model, calib = build_float_model(seed)
    m = quantize.quantize(model, SPEC, calib, MEAN, STD)
    return m, mtm.write(m), model


def main():
    ap = argparse.ArgumentParser(description="Write the runtime's small random test model.")
    ap.add_argument("--out", default=DEFAULT_OUT, help="output .mtm (default tests/data/test-model.mtm)")
    ap.add_argument("--seed", type=int, default=1234, help="seed of weights and images (default 1234)")
    args = ap.parse_args()
    torch.set_num_threads(1)  # fixed reduction order, so the same seed gives the same bytes
    m, buf, _ = build_mtm(args.seed)
    mtm.read(buf)
    with open(args.out, "wb") as f:
        f.write(buf)
    mc = netspec.macs(SPEC)
    print("wrote %s: %d bytes, %d tensors, %d ops, split_op %d, fingerprint %016x"
          % (args.out, len(buf), len(m.tensors), len(m.ops), m.split_op, m.fingerprint))
    print("conv MACs: part %d, full %d (part %.1f%%)" % (mc["part"], mc["full"],
                                                         100.0 * mc["part"] / mc["full"]))


if __name__ == "__main__":
    main()
