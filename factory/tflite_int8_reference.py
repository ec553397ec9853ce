"""numpy model of TensorFlow Lite's reference int8 kernels, run on a TFLite graph.

The reference microt's import is held to (docs/import.md, "Same numbers as TFLite"): the
arithmetic of TFLite's reference_integer_ops (conv.h, depthwise_conv.h, fully_connected.h,
add.h, pooling.h, mean.h) with the multipliers their Prepare functions compute
(PopulateConvolutionQuantizationParams, GetQuantizedConvolutionMultipler, add.cc,
QuantizeMultiplier, CalculateActivationRangeQuantized), written from TensorFlow's sources
and never from microt's C code or tools/tflite_lower.c. factory/make_tflite_golden.py checks it
op by op against the TFLite runtime itself (factory/tflite_wasm.mjs).

The graph comes from `microt tflite-dump` (graph.json + buffers.bin; docs/import.md). int64
numpy throughout, truncating division and arithmetic shifts written out; no float except
where TFLite's Prepare uses float or double to derive an integer.

One switch, `kernels`: "reference" (the default) is TFLite's reference_integer_ops.
"optimized" is what TFLite's builtin (optimized) kernels compute where they differ, so that
the reference can be checked against the TFLite runtime op by op: CONV_2D and
FULLY_CONNECTED hand their int8 GEMM to ruy, whose multiplier rounds once, half up
((x * m + 2^(s-1)) >> s) where MultiplyByQuantizedMultiplier rounds twice
(SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT half away from zero); MEAN over
H and W runs optimized_integer_ops::Mean (the raw sum, one multiplier s_in / (N s_out)
computed in float, a float-rounded zero-point bias) instead of reference_integer_ops::Mean.
"""
import json
import os

import numpy as np

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1

SUPPORTED = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "AVERAGE_POOL_2D",
             "MEAN", "PAD", "RESHAPE")


class Graph:
    """A tflite-dump folder: tensors, operators, constant data."""

    def __init__(self, folder):
        with open(os.path.join(folder, "graph.json")) as f:
            g = json.load(f)
        with open(os.path.join(folder, "buffers.bin"), "rb") as f:
            self.blob = f.read()
        self.tensors, self.ops = g["tensors"], g["operators"]
        self.inputs, self.outputs = g["inputs"], g["outputs"]

    def const(self, i, dtype):
        t = self.tensors[i]
        b = t["buffer"]
        if b is None:
            raise ValueError("tensor %d is not a constant" % i)
        return np.frombuffer(self.blob, dtype, b["bytes"] // np.dtype(dtype).itemsize,
                             b["offset"]).reshape(t["shape"])

    def quant(self, i):
        q = self.tensors[i]["quant"]
        return q["scale"], q["zero_point"]

    def is_activation(self, i):
        return i >= 0 and self.tensors[i]["buffer"] is None


def round_half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def quantize_multiplier(m):
    """TFLite's QuantizeMultiplier (quantization_util.cc), double rounding build."""
    if m == 0.0:
        return 0, 0
    q, shift = np.frexp(np.float64(m))
    q_fixed = int(round_half_away(q * float(1 << 31)))
    shift = int(shift)
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return q_fixed, shift


def _saturating_rounding_doubling_high_mul(a, b):
    a = np.asarray(a, np.int64)
    p = a * np.int64(b)
    nudge = np.where(p >= 0, 1 << 30, 1 - (1 << 30))
    n = p + nudge
    q = np.abs(n) // (1 << 31)                   # C's truncating int64 division
    q = np.where(n < 0, -q, q)
    return np.where((a == INT32_MIN) & (b == INT32_MIN), INT32_MAX, q)


def _rounding_divide_by_pot(x, e):
    mask = (1 << e) - 1
    rem = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> e) + (rem > threshold)


def multiply_by_quantized_multiplier(x, mult, shift, rounding="double"):
    """common.h MultiplyByQuantizedMultiplier; x int, elementwise."""
    x = np.asarray(x, np.int64)
    if rounding == "single":
        total = 31 - shift
        return (x * np.int64(mult) + (np.int64(1) << (total - 1))) >> total
    left, right = max(shift, 0), max(-shift, 0)
    x = ((x << left) + (1 << 31)) % (1 << 32) - (1 << 31)   # int32 wrap, as C's shift does
    return _rounding_divide_by_pot(_saturating_rounding_doubling_high_mul(x, mult), right)


def activation_range(act, scale, zp):
    """CalculateActivationRangeQuantized: zp + round(f / scale) with float32 division."""
    q = lambda f: zp + int(round_half_away(np.float32(f) / np.float32(scale)))
    lo, hi = -128, 127
    if act in ("RELU", "RELU6"):
        lo = max(lo, q(0.0))
    if act == "RELU6":
        hi = min(hi, q(6.0))
    if act == "RELU_N1_TO_1":
        lo, hi = max(lo, q(-1.0)), min(hi, q(1.0))
    if act not in ("NONE", "RELU", "RELU6", "RELU_N1_TO_1"):
        raise ValueError("activation %s" % act)
    return lo, hi


def _same_valid(padding, size, k, stride):
    """ComputePaddingHeightWidth (dilation 1): output size and the pad before."""
    out = (size + stride - 1) // stride if padding == "SAME" else (size - k + stride) // stride
    total = max((out - 1) * stride + k - size, 0) if padding == "SAME" else 0
    return out, total // 2


def _conv_like(g, op, x, depthwise, kernels):
    o = op["options"]
    if o["dilation_h_factor"] != 1 or o["dilation_w_factor"] != 1:
        raise ValueError("dilation")
    i_in, i_w, i_b = op["inputs"][:3]
    w = g.const(i_w, np.int8).astype(np.int64)
    bias = g.const(i_b, np.int32).astype(np.int64) if i_b >= 0 else None
    (s_in,), (zp_in,) = g.quant(i_in)
    (s_out,), (zp_out,) = g.quant(op["outputs"][0])
    s_w = g.tensors[i_w]["quant"]["scale"]
    h, wd, c = x.shape[1:]
    kh, kw = w.shape[1], w.shape[2]
    cout = w.shape[3] if depthwise else w.shape[0]
    oh, pt = _same_valid(o["padding"], h, kh, o["stride_h"])
    ow, pl = _same_valid(o["padding"], wd, kw, o["stride_w"])
    sh, sw = o["stride_h"], o["stride_w"]
    # padded positions contribute nothing: input_offset + zp_in = 0 there
    xp = np.zeros((h + kh + sh * oh, wd + kw + sw * ow, c), np.int64)
    xp[pt:pt + h, pl:pl + wd] = x[0].astype(np.int64) - zp_in
    acc = np.zeros((oh, ow, cout), np.int64)
    mult = cout // c if depthwise else 1
    for ky in range(kh):
        for kx in range(kw):
            patch = xp[ky:ky + sh * (oh - 1) + 1:sh, kx:kx + sw * (ow - 1) + 1:sw, :]
            if depthwise:  # output channel oc = ic * depth_multiplier + m
                acc += np.repeat(patch, mult, axis=2) * w[0, ky, kx, :]
            else:
                acc += np.einsum("hwc,oc->hwo", patch, w[:, ky, kx, :])
    if bias is not None:
        acc += bias
    rounding = "single" if kernels == "optimized" and not depthwise else "double"
    out = np.empty_like(acc)
    for ch in range(cout):
        # PopulateConvolutionQuantizationParams: double(s_in) * double(s_w) / double(s_out)
        ws = s_w[ch] if len(s_w) > 1 else s_w[0]
        m, s = quantize_multiplier(np.float64(s_in) * np.float64(ws) / np.float64(s_out))
        out[..., ch] = multiply_by_quantized_multiplier(acc[..., ch], m, s, rounding)
    lo, hi = activation_range(o["fused_activation_function"], s_out, zp_out)
    return np.clip(out + zp_out, lo, hi).astype(np.int8)[None]


def _fully_connected(g, op, x, kernels):
    i_in, i_w, i_b = op["inputs"][:3]
    w = g.const(i_w, np.int8).astype(np.int64)
    bias = g.const(i_b, np.int32).astype(np.int64) if i_b >= 0 else 0
    (s_in,), (zp_in,) = g.quant(i_in)
    (s_out,), (zp_out,) = g.quant(op["outputs"][0])
    s_w = g.tensors[i_w]["quant"]["scale"]
    acc = (x.reshape(-1, w.shape[1]).astype(np.int64) - zp_in) @ w.T + bias
    if len(s_w) == 1:  # GetQuantizedConvolutionMultipler: the product in float, then double
        ms = [quantize_multiplier(np.float64(np.float32(s_in) * np.float32(s_w[0])) / np.float64(s_out))] * w.shape[0]
    else:
        ms = [quantize_multiplier(np.float64(s_in) * np.float64(s) / np.float64(s_out)) for s in s_w]
    rounding = "single" if kernels == "optimized" else "double"
    out = np.stack([multiply_by_quantized_multiplier(acc[:, j], *ms[j], rounding) for j in range(w.shape[0])], -1)
    lo, hi = activation_range(op["options"]["fused_activation_function"], s_out, zp_out)
    shape = g.tensors[op["outputs"][0]]["shape"]
    return np.clip(out + zp_out, lo, hi).astype(np.int8).reshape(shape)


def _add(g, op, a, b):
    if a.shape != b.shape:
        raise ValueError("ADD with broadcasting")
    (s0,), (z0,) = g.quant(op["inputs"][0])
    (s1,), (z1,) = g.quant(op["inputs"][1])
    (so,), (zo,) = g.quant(op["outputs"][0])
    left_shift = 20
    twice_max = 2.0 * float(max(np.float32(s0), np.float32(s1)))
    m0 = quantize_multiplier(float(s0) / twice_max)
    m1 = quantize_multiplier(float(s1) / twice_max)
    mo = quantize_multiplier(twice_max / ((1 << left_shift) * float(so)))
    ra = multiply_by_quantized_multiplier((a.astype(np.int64) - z0) << left_shift, *m0)
    rb = multiply_by_quantized_multiplier((b.astype(np.int64) - z1) << left_shift, *m1)
    out = multiply_by_quantized_multiplier(ra + rb, *mo) + zo
    lo, hi = activation_range(op["options"]["fused_activation_function"], so, zo)
    return np.clip(out, lo, hi).astype(np.int8)


def _average_pool(g, op, x):
    """reference_integer_ops::AveragePool: raw sums over the valid window positions, divided
    by their count with rounding half away from zero (C's truncating division)."""
    o = op["options"]
    h, wd, c = x.shape[1:]
    kh, kw, sh, sw = o["filter_height"], o["filter_width"], o["stride_h"], o["stride_w"]
    oh, pt = _same_valid(o["padding"], h, kh, sh)
    ow, pl = _same_valid(o["padding"], wd, kw, sw)
    (s_out,), (zp_out,) = g.quant(op["outputs"][0])
    lo, hi = activation_range(o["fused_activation_function"], s_out, zp_out)
    out = np.empty((oh, ow, c), np.int64)
    for y in range(oh):
        for xx in range(ow):
            y0, x0 = y * sh - pt, xx * sw - pl
            win = x[0, max(y0, 0):min(y0 + kh, h), max(x0, 0):min(x0 + kw, wd), :].astype(np.int64)
            n = win.shape[0] * win.shape[1]
            acc = win.sum(axis=(0, 1))
            out[y, xx] = np.sign(acc) * ((np.abs(acc) + n // 2) // n)
    return np.clip(out, lo, hi).astype(np.int8)[None]


def _mean(g, op, x, kernels):
    """reference_integer_ops::Mean (mean over H and W of NHWC): the sum of (q - zp_in),
    MultiplyByQuantizedMultiplier by s_in / s_out, divided by the count half away from zero,
    plus zp_out."""
    axes = sorted(int(a) % 4 for a in g.const(op["inputs"][1], np.int32).reshape(-1))
    if axes != [1, 2]:
        raise ValueError("MEAN over axes %s" % axes)
    (s_in,), (zp_in,) = g.quant(op["inputs"][0])
    (s_out,), (zp_out,) = g.quant(op["outputs"][0])
    n = x.shape[1] * x.shape[2]
    shape = g.tensors[op["outputs"][0]]["shape"]
    if kernels == "optimized":  # optimized_integer_ops::Mean, float arithmetic as written there
        temp = np.float32(zp_in) * np.float32(s_in) / np.float32(s_out)
        temp = temp + np.float32(0.5) if temp > 0 else temp - np.float32(0.5)
        bias = zp_out - int(temp)
        real = np.float32(s_in) / (np.float32(n) * np.float32(s_out))
        acc = x[0].astype(np.int64).sum(axis=(0, 1))
        acc = multiply_by_quantized_multiplier(acc, *quantize_multiplier(float(real))) + bias
        return np.clip(acc, -128, 127).astype(np.int8).reshape(shape)
    acc = (x[0].astype(np.int64) - zp_in).sum(axis=(0, 1))
    acc = multiply_by_quantized_multiplier(acc, *quantize_multiplier(float(s_in) / float(s_out)))
    acc = np.sign(acc) * ((np.abs(acc) + n // 2) // n) + zp_out
    return np.clip(acc, -128, 127).astype(np.int8).reshape(shape)


def _pad(g, op, x):
    pads = g.const(op["inputs"][1], np.int32).reshape(-1, 2)
    (_,), (zp,) = g.quant(op["inputs"][0])
    return np.pad(x, [tuple(p) for p in pads], constant_values=zp).astype(np.int8)


def run_op(g, op, vals, kernels="reference"):
    """One operator on the tensors in vals (index -> int8 array); returns its output."""
    name = op["op"]
    x = vals.get(op["inputs"][0])
    if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        return _conv_like(g, op, x, name == "DEPTHWISE_CONV_2D", kernels)
    if name == "FULLY_CONNECTED":
        return _fully_connected(g, op, x, kernels)
    if name == "ADD":
        return _add(g, op, x, vals[op["inputs"][1]])
    if name == "AVERAGE_POOL_2D":
        return _average_pool(g, op, x)
    if name == "MEAN":
        return _mean(g, op, x, kernels)
    if name == "PAD":
        return _pad(g, op, x)
    if name == "RESHAPE":
        return x.reshape(g.tensors[op["outputs"][0]]["shape"])
    raise NotImplementedError(name)


def run(g, input_s8, kernels="reference"):
    """Every op in order from the int8 input; returns {tensor index: int8 array} for the
    activations computed (stops before the first op it does not model, e.g. SOFTMAX)."""
    vals = {g.inputs[0]: np.asarray(input_s8, np.int8).reshape(g.tensors[g.inputs[0]]["shape"])}
    for op in g.ops:
        if op["op"] not in SUPPORTED:
            break
        vals[op["outputs"][0]] = run_op(g, op, vals, kernels)
    return vals
