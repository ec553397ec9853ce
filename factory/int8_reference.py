"""numpy model of the runtime's integer inference: every op of a .mtm file, exactly the
arithmetic of docs/quantization.md, returning every tensor.

Written from the doc, not from the C kernels, so that agreeing with them means something.
All arithmetic is in int64 numpy with explicit truncating division and arithmetic shifts;
never use float here (the only floats in a .mtm file are documentation: scales, mean/std).
"""
import argparse

import numpy as np

from factory import mtm

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


class ContractError(Exception):
    """The model leaves the integer contract (an int32 accumulator would wrap)."""


def _check_int32(x, what):
    x = np.asarray(x)
    if x.size and (x.min() < INT32_MIN or x.max() > INT32_MAX):
        raise ContractError("%s leaves int32: [%d, %d]" % (what, x.min(), x.max()))


def _wrap_int32(x):
    """Two's-complement wrap of int64 values to int32 (what C's uint32 shift then cast does)."""
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def requant(x, mult, shift):
    """mt_requant (docs/quantization.md), elementwise with broadcasting; x, mult, shift int."""
    x = np.asarray(x, dtype=np.int64)
    mult = np.asarray(mult, dtype=np.int64)
    shift = np.asarray(shift, dtype=np.int64)
    _check_int32(x, "requant input")
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    # 2. x * 2^left, wrapping in int32
    x = _wrap_int32(x << left)
    # 3. saturating rounding doubling high multiply
    p = x * mult                                   # |x|, |mult| <= 2^31: |p| <= 2^62
    nudge = np.where(p >= 0, 1 << 30, 1 - (1 << 30))
    num = p + nudge
    q = np.abs(num) // (1 << 31)                   # truncate toward zero, as C's / on int64
    q = np.where(num < 0, -q, q)
    q = np.where((x == INT32_MIN) & (mult == INT32_MIN), INT32_MAX, q)
    # 4. rounding divide by 2^right, half away from zero
    mask = (np.int64(1) << right) - 1
    rem = q & mask
    threshold = (mask >> 1) + (q < 0)
    return (q >> right) + (rem > threshold)


def _clamp_s8(v, lo, hi):
    return np.clip(v, lo, hi).astype(np.int8)


def conv2d(x, op, t_in, t_out, depthwise):
    """x [H][W][Cin] int8 -> [OH][OW][Cout] int8. Weights [Cout][KH][KW][Cin] or [KH][KW][C]."""
    h, w, cin = x.shape
    kh, kw, sh, sw = op.kh, op.kw, op.stride_h, op.stride_w
    oh, ow, cout = t_out.h, t_out.w, t_out.c
    # padded positions hold zp_in, i.e. contribute (zp_in - zp_in) = 0
    xs = np.zeros((h + op.pad_top + op.pad_bottom, w + op.pad_left + op.pad_right, cin), np.int64)
    xs[op.pad_top:op.pad_top + h, op.pad_left:op.pad_left + w] = x.astype(np.int64) - t_in.zero_point
    acc = np.zeros((oh, ow, cout), np.int64) + op.bias.astype(np.int64)
    if depthwise:
        wt = op.weights.astype(np.int64).reshape(kh, kw, cin)
    else:
        wt = op.weights.astype(np.int64).reshape(cout, kh, kw, cin)
    for i in range(kh):
        for j in range(kw):
            patch = xs[i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]  # [OH][OW][Cin]
            if depthwise:
                acc += patch * wt[i, j]
            else:
                acc += patch @ wt[:, i, j, :].T
    _check_int32(acc, "accumulator")
    out = requant(acc, op.mult, op.shift) + t_out.zero_point
    return _clamp_s8(out, op.act_min, op.act_max)


def fully_connected(x, op, t_in, t_out):
    v = x.reshape(-1).astype(np.int64) - t_in.zero_point
    wt = op.weights.astype(np.int64).reshape(t_out.c, v.size)
    acc = wt @ v + op.bias.astype(np.int64)
    _check_int32(acc, "accumulator")
    out = requant(acc, op.mult, op.shift) + t_out.zero_point
    return _clamp_s8(out, op.act_min, op.act_max).reshape(1, 1, t_out.c)


def add(x0, x1, op, t0, t1, t_out):
    p = op.params
    ls = np.int64(p[6])
    a = requant((x0.astype(np.int64) - t0.zero_point) << ls, p[0], p[1])
    b = requant((x1.astype(np.int64) - t1.zero_point) << ls, p[2], p[3])
    out = requant(a + b, p[4], p[5]) + t_out.zero_point
    return _clamp_s8(out, op.act_min, op.act_max)


def global_avg_pool(x, op, t_in, t_out):
    acc = (x.astype(np.int64) - t_in.zero_point).sum(axis=(0, 1))
    out = requant(acc, op.params[0], op.params[1]) + t_out.zero_point
    return _clamp_s8(out, op.act_min, op.act_max).reshape(1, 1, -1)


def global_avg_pool_div(x, op, t_in, t_out):
    """TFLite's rounding: the sum divided by the count, half away from zero. mult = 0: the raw
    values (AVERAGE_POOL_2D, one quantization); else the zero-point-relative sum requantized
    first and zp_out added after (MEAN, reference_integer_ops::Mean)."""
    n = x.shape[0] * x.shape[1]
    mult, shift = op.params[0], op.params[1]
    zp_in, zp_out = (t_in.zero_point, t_out.zero_point) if mult else (0, 0)
    acc = (x.astype(np.int64) - zp_in).sum(axis=(0, 1))
    if mult:
        acc = requant(acc, mult, shift)
    out = np.sign(acc) * ((np.abs(acc) + n // 2) // n) + zp_out
    return _clamp_s8(out, op.act_min, op.act_max).reshape(1, 1, -1)


def input_from_pixels(model, pixels_u8):
    """Raw pixels uint8 [H][W][C] -> the int8 input tensor through the model's LUT."""
    t = model.tensors[model.input_tensor]
    px = np.asarray(pixels_u8, dtype=np.uint8).reshape(t.h, t.w, t.c)
    out = np.empty(px.shape, np.int8)
    for c in range(t.c):
        out[..., c] = model.input_lut[c][px[..., c]]
    return out


def run(model, pixels_u8=None, input_s8=None, stop_op=None):
    """Runs ops [0, stop_op or n_ops) on one image; returns a list with every tensor as int8
    [h][w][c] (None for tensors not computed). Give raw pixels or the int8 input tensor."""
    tensors = model.tensors
    vals = [None] * len(tensors)
    if input_s8 is None:
        input_s8 = input_from_pixels(model, pixels_u8)
    t = tensors[model.input_tensor]
    vals[model.input_tensor] = np.asarray(input_s8, np.int8).reshape(t.h, t.w, t.c)
    for op in model.ops[:stop_op]:
        ti, to = tensors[op.input0], tensors[op.output]
        x = vals[op.input0]
        if op.type == mtm.CONV2D:
            y = conv2d(x, op, ti, to, depthwise=False)
        elif op.type == mtm.DEPTHWISE_CONV2D:
            y = conv2d(x, op, ti, to, depthwise=True)
        elif op.type == mtm.FULLY_CONNECTED:
            y = fully_connected(x, op, ti, to)
        elif op.type == mtm.ADD:
            y = add(x, vals[op.input1], op, ti, tensors[op.input1], to)
        elif op.type == mtm.GLOBAL_AVG_POOL:
            y = global_avg_pool(x, op, ti, to)
        elif op.type == mtm.GLOBAL_AVG_POOL_DIV:
            y = global_avg_pool_div(x, op, ti, to)
        else:
            raise ValueError("unknown op type %d" % op.type)
        assert y.shape == (to.h, to.w, to.c)
        vals[op.output] = y
    return vals


def features(model, vals, stage):
    """A stage's pooled feature dequantized (float32 [C]), as the heads read it."""
    i = model.part_feature_tensor if stage == "part" else model.full_feature_tensor
    t = model.tensors[i]
    return (t.scale * (vals[i].reshape(-1).astype(np.float32) - t.zero_point)).astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description="Run a .mtm model in integer numpy on images.")
    ap.add_argument("model", help="a .mtm file")
    ap.add_argument("--random", type=int, default=1, help="number of random images (default 1)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random images (default 0)")
    args = ap.parse_args()
    with open(args.model, "rb") as f:
        m = mtm.read(f.read())
    t = m.tensors[m.input_tensor]
    rng = np.random.default_rng(args.seed)
    for _ in range(args.random):
        vals = run(m, rng.integers(0, 256, (t.h, t.w, t.c), dtype=np.uint8))
        print("part", vals[m.part_feature_tensor].reshape(-1).tolist())
        print("full", vals[m.full_feature_tensor].reshape(-1).tolist())


if __name__ == "__main__":
    main()
