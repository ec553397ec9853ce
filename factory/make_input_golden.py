"""Golden outputs of the device's frame-to-input helpers (tests/data/input-golden.bin).

Every pixel format and channel order, shrinking and enlarging, odd sizes, a padded stride:
frames of seeded noise and smooth gradients, resized by factory/input_reference.py (the numpy
model of include/microt/input.h). Each case is also checked against the same resize with
exact float weights: |difference| < 2 everywhere (positions and weights in 1/256 pixel move a
value by less than 255/256 per axis, then one rounding), and the mean is printed. tests/test_input.c compares the C, on the
host and under QEMU, byte for byte.

usage: python3 -m factory.make_input_golden [--out tests/data/input-golden.bin] [--seed 7]

Format (little-endian): "MTIG", u32 n_cases, then per case: u8 format, u8 order, u16 width,
u16 height, u16 out_h, u16 out_w, u16 0, u32 stride, u32 frame_bytes, frame, u32 out_bytes, out.
"""
import argparse
import os
import struct

import numpy as np

from factory import input_reference as ir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = [  # format, width, height, stride (0 = packed), out_h, out_w, order
    (ir.RGB565, 64, 48, 0, 24, 24, ir.ORDER_RGB),       # shrink, crop the sides
    (ir.RGB565, 10, 7, 24, 12, 9, ir.ORDER_RGB),        # enlarge, padded rows
    (ir.RGB565_BE, 40, 30, 0, 32, 32, ir.ORDER_BGR),
    (ir.RGB565, 48, 48, 0, 48, 48, ir.ORDER_GRAY),      # same size: the identity
    (ir.GRAY8, 33, 47, 0, 16, 20, ir.ORDER_GRAY),       # crop top and bottom
    (ir.GRAY8, 20, 10, 0, 7, 9, ir.ORDER_RGB),
    (ir.YUYV, 32, 24, 0, 24, 24, ir.ORDER_RGB),
    (ir.YUYV, 20, 30, 0, 8, 8, ir.ORDER_GRAY),
    (ir.YUYV, 80, 60, 0, 48, 48, ir.ORDER_BGR),         # a camera frame to a square input
    (ir.RGB888, 17, 13, 0, 40, 40, ir.ORDER_RGB),
    (ir.RGB888, 50, 3, 0, 5, 2, ir.ORDER_BGR),          # a thin strip
]


def frame_bytes(rng, fmt, w, h, stride, smooth):
    stride = stride or w * ir.BPP[fmt]
    if smooth:
        yy, xx = np.meshgrid(np.arange(h), np.arange(stride), indexing="ij")
        data = ((xx * 7 + yy * 11 + (xx * yy) // 5) % 256).astype(np.uint8)
    else:
        data = rng.integers(0, 256, (h, stride), dtype=np.uint8)
    return data.tobytes(), stride


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "input-golden.bin"))
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    out = bytearray(b"MTIG") + struct.pack("<I", 2 * len(CASES))
    worst, total, count = 0.0, 0.0, 0
    for smooth in (False, True):
        for fmt, w, h, stride, oh, ow, order in CASES:
            data, stride = frame_bytes(rng, fmt, w, h, stride, smooth)
            got = ir.resize(data, fmt, w, h, stride, oh, ow, order)
            ref = ir.bilinear_float(data, fmt, w, h, stride, oh, ow, order)
            d = np.abs(got.astype(np.float64) - ref)
            diff = d.max()
            worst, total, count = max(worst, diff), total + d.sum(), count + d.size
            if diff >= 2.0:
                raise SystemExit(f"fixed point off by {diff} from float bilinear: {fmt, w, h, oh, ow}")
            out += struct.pack("<BBHHHHHII", fmt, order, w, h, oh, ow, 0, stride, len(data)) + data
            out += struct.pack("<I", got.size) + got.tobytes()
    with open(args.out + ".tmp", "wb") as f:
        f.write(out)
    os.replace(args.out + ".tmp", args.out)
    print(f"{2 * len(CASES)} cases, {len(out)} bytes -> {args.out}; distance to float bilinear: "
          f"largest {worst:.3f}, mean {total / count:.3f}")


if __name__ == "__main__":
    main()
