"""Writes golden vectors for a .mtm model (default tests/data/test-model.golden) from the numpy
integer reference (int8_reference.py), never from the C code the goldens check.

Format (little-endian; documented in tests/data/README.md):
  "MTG1", u32 n_cases, u32 n_tensors, then per case: u8 pixels [H*W*C] (raw, before the input
  LUT), then every tensor in index order as int8 [h*w*c] (the input tensor included).
"""
import argparse
import os
import struct

import numpy as np

from factory import int8_reference
from factory import mtm

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")


def case_images(seed, n, h, w, c):
    """n deterministic uint8 [h, w, c] images: one of plain uniform noise, the rest smooth
    (make_test_model.smooth_images without its torch dependency: nearest 4x4 blocks + noise),
    plus the extremes 0 and 255 in the first image so the LUT's ends are exercised."""
    rng = np.random.default_rng(seed)
    imgs = []
    for i in range(n):
        if i == 0:
            img = rng.integers(0, 256, (h, w, c), dtype=np.uint8)
            img[0, 0, :] = 0
            img[-1, -1, :] = 255
        else:
            coarse = rng.uniform(0, 255, (4, 4, c))
            img = np.repeat(np.repeat(coarse, -(-h // 4), 0), -(-w // 4), 1)[:h, :w]
            img = np.clip(np.round(img + rng.normal(0, 25, img.shape)), 0, 255).astype(np.uint8)
        imgs.append(img)
    return imgs


def write_golden(model, images):
    """The golden file's bytes for images (list of uint8 [H, W, C])."""
    out = bytearray(b"MTG1" + struct.pack("<II", len(images), len(model.tensors)))
    for img in images:
        vals = int8_reference.run(model, img)
        out += np.ascontiguousarray(img, np.uint8).tobytes()
        for v in vals:
            out += np.ascontiguousarray(v, np.int8).tobytes()
    return bytes(out)


def read_golden(buf, model):
    """[(pixels uint8 [H,W,C], [tensor int8 [h,w,c], ...])] from golden bytes (for tests)."""
    assert buf[:4] == b"MTG1"
    n_cases, n_tensors = struct.unpack_from("<II", buf, 4)
    assert n_tensors == len(model.tensors)
    t_in = model.tensors[model.input_tensor]
    pos, cases = 12, []
    for _ in range(n_cases):
        n = t_in.h * t_in.w * t_in.c
        px = np.frombuffer(buf, np.uint8, n, pos).reshape(t_in.h, t_in.w, t_in.c)
        pos += n
        ts = []
        for t in model.tensors:
            ts.append(np.frombuffer(buf, np.int8, t.h * t.w * t.c, pos).reshape(t.h, t.w, t.c))
            pos += t.h * t.w * t.c
        cases.append((px, ts))
    assert pos == len(buf), "trailing bytes"
    return cases


def main():
    ap = argparse.ArgumentParser(description="Write golden int8 tensors of a model from numpy.")
    ap.add_argument("--model", default=os.path.join(DATA, "test-model.mtm"))
    ap.add_argument("--out", default=os.path.join(DATA, "test-model.golden"))
    ap.add_argument("--cases", type=int, default=3, help="number of input images (default 3)")
    ap.add_argument("--seed", type=int, default=4321, help="seed of the input images (default 4321)")
    args = ap.parse_args()
    with open(args.model, "rb") as f:
        model = mtm.read(f.read())
    t = model.tensors[model.input_tensor]
    buf = write_golden(model, case_images(args.seed, args.cases, t.h, t.w, t.c))
    with open(args.out, "wb") as f:
        f.write(buf)
    print("wrote %s: %d bytes, %d cases x %d tensors, model fingerprint %016x, numpy %s"
          % (args.out, len(buf), args.cases, len(model.tensors), model.fingerprint,
             np.__version__))


if __name__ == "__main__":
    main()
