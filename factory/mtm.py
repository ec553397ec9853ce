"""Writes and reads the microt model file (.mtm v1.0), exactly as docs/model-format.md says.

The writer lays out header, tensor table, op table and a 4-aligned data section, then fills
in the FNV-1a 64 fingerprint and the CRC-32. The reader parses a file back and, with
validate=True, applies the checks of mt_model_open and names the status code it would
return. This module never does arithmetic on the model's numbers: that is int8_reference.py.
"""
import argparse
import math
import struct
import sys
import zlib
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

MAGIC = b"MTM1"
VERSION_MAJOR = 1
VERSION_MINOR = 0
HEADER_BYTES = 128
TENSOR_BYTES = 16
OP_BYTES = 64
MAX_TENSORS = 256
MAX_OPS = 192
NO_TENSOR = 0xFFFF
ADD_MAX_LEFT_SHIFT = 22      # (x - zp) * 2^22 stays inside int32
ACC_MAX_PRODUCT = 255 * 128  # the largest |(x - zp) * w| an accumulator can receive

CONV2D, DEPTHWISE_CONV2D, ADD, GLOBAL_AVG_POOL, FULLY_CONNECTED = 1, 2, 3, 4, 5
GLOBAL_AVG_POOL_DIV = 6  # TFLite's AVERAGE_POOL_2D rounding, for imported models
OP_NAMES = {CONV2D: "CONV2D", DEPTHWISE_CONV2D: "DEPTHWISE_CONV2D", ADD: "ADD",
            GLOBAL_AVG_POOL: "GLOBAL_AVG_POOL", FULLY_CONNECTED: "FULLY_CONNECTED",
            GLOBAL_AVG_POOL_DIV: "GLOBAL_AVG_POOL_DIV"}
ORDER_RGB, ORDER_BGR, ORDER_GRAY = 0, 1, 2

# struct layouts (little-endian, no padding), offsets as in the doc's tables
HEADER_FMT = "<4sHHIIQIHHIIIIHHHHBBH3f3fI32s8s"
TENSOR_FMT = "<HHHHfi"
OP_FMT = "<BBBBBBBBBbbBHHHHIIII7i"
assert struct.calcsize(HEADER_FMT) == HEADER_BYTES
assert struct.calcsize(TENSOR_FMT) == TENSOR_BYTES
assert struct.calcsize(OP_FMT) == OP_BYTES

FNV_INIT = 0xcbf29ce484222325
FNV_PRIME = 0x100000001b3


def fnv1a64(data, h=FNV_INIT):
    """FNV-1a 64 (the fingerprint). Vectorised over 8 lanes would change it: keep it bytewise."""
    mask = 0xFFFFFFFFFFFFFFFF
    for b in bytes(data):
        h = ((h ^ b) * FNV_PRIME) & mask
    return h


def crc32(data):
    return zlib.crc32(bytes(data)) & 0xFFFFFFFF


@dataclass
class Tensor:
    """An activation tensor: int8 [h][w][c], real = scale * (q - zero_point)."""
    h: int
    w: int
    c: int
    scale: float
    zero_point: int
    flags: int = 0

    @property
    def size(self):
        return self.h * self.w * self.c


@dataclass
class Op:
    """One op record plus its constant data (numpy arrays; None where the type has none)."""
    type: int
    input0: int
    output: int
    input1: int = NO_TENSOR
    kh: int = 0
    kw: int = 0
    stride_h: int = 0
    stride_w: int = 0
    pad_top: int = 0
    pad_left: int = 0
    pad_bottom: int = 0
    pad_right: int = 0
    act_min: int = -128
    act_max: int = 127
    weights: Optional[np.ndarray] = None   # int8, layout per type (see the doc)
    bias: Optional[np.ndarray] = None      # int32 [Cout]
    mult: Optional[np.ndarray] = None      # int32 [Cout]
    shift: Optional[np.ndarray] = None     # int32 [Cout]
    wscale: Optional[np.ndarray] = None    # float32 [Cout]
    params: List[int] = field(default_factory=lambda: [0] * 7)
    # filled in by the reader / writer: absolute offsets into the file (0 = none)
    weights_offset: int = 0
    bias_offset: int = 0
    requant_offset: int = 0
    wscale_offset: int = 0


@dataclass
class Model:
    name: str
    tensors: List[Tensor]
    ops: List[Op]
    input_tensor: int
    part_feature_tensor: int
    full_feature_tensor: int
    split_op: int
    channel_order: int
    mean: tuple
    std: tuple
    input_lut: np.ndarray                  # int8 [C][256]
    resize: int = 0
    version_minor: int = VERSION_MINOR
    # filled in by the reader
    file_bytes: int = 0
    crc32: int = 0
    fingerprint: int = 0
    input_lut_offset: int = 0


class MtmError(Exception):
    """A file mt_model_open would refuse; .code is the status name, e.g. 'MT_E_MODEL_CRC'."""

    def __init__(self, code, msg):
        super().__init__("%s: %s" % (code, msg))
        self.code = code


# ---------------------------------------------------------------------------------- writer

def write(model):
    """Serialises a Model to bytes (offsets, fingerprint and CRC computed here)."""
    nt, no = len(model.tensors), len(model.ops)
    ops_offset = HEADER_BYTES + TENSOR_BYTES * nt
    data_offset = ops_offset + OP_BYTES * no
    assert data_offset % 4 == 0  # 128, 16 and 64 are multiples of 4
    data = bytearray()

    def put(arr, dtype):
        if arr is None:
            return 0
        off = data_offset + len(data)
        data.extend(np.ascontiguousarray(arr, dtype=dtype).astype("<" + np.dtype(dtype).str[1:]).tobytes())
        while len(data) % 4:
            data.append(0)
        return off

    op_bytes = bytearray()
    for op in model.ops:
        if op.weights is not None:
            assert op.weights.dtype == np.int8
        op.weights_offset = put(op.weights, np.int8)
        op.bias_offset = put(op.bias, np.int32)
        if op.mult is not None:
            op.requant_offset = put(np.concatenate([np.asarray(op.mult, np.int32),
                                                    np.asarray(op.shift, np.int32)]), np.int32)
        else:
            op.requant_offset = 0
        op.wscale_offset = put(op.wscale, np.float32)
        params = list(op.params) + [0] * (7 - len(op.params))
        op_bytes += struct.pack(OP_FMT, op.type, op.kh, op.kw, op.stride_h, op.stride_w,
                                op.pad_top, op.pad_left, op.pad_bottom, op.pad_right,
                                op.act_min, op.act_max, 0, op.input0, op.input1, op.output, 0,
                                op.weights_offset, op.bias_offset, op.requant_offset,
                                op.wscale_offset, *[int(p) for p in params])
    lut = np.asarray(model.input_lut, np.int8)
    model.input_lut_offset = put(lut.reshape(-1), np.int8)

    tensor_bytes = bytearray()
    for t in model.tensors:
        tensor_bytes += struct.pack(TENSOR_FMT, t.h, t.w, t.c, t.flags, t.scale, t.zero_point)

    file_bytes = data_offset + len(data)
    mean = list(model.mean) + [0.0] * (3 - len(model.mean))
    std = list(model.std) + [1.0] * (3 - len(model.std))
    name = model.name.encode("ascii")
    assert len(name) <= 31, "name must fit 31 bytes + NUL"

    def header(crc, fp):
        return struct.pack(HEADER_FMT, MAGIC, VERSION_MAJOR, model.version_minor, file_bytes,
                           crc, fp, HEADER_BYTES, nt, no, HEADER_BYTES, ops_offset, data_offset,
                           len(data), model.input_tensor, model.part_feature_tensor,
                           model.full_feature_tensor, model.split_op, model.channel_order,
                           model.resize, 0, *mean, *std, model.input_lut_offset,
                           name.ljust(32, b"\0"), b"\0" * 8)

    body = bytes(tensor_bytes + op_bytes + data)
    fp = fnv1a64(body)
    buf = bytearray(header(0, fp) + body)
    crc = crc32(buf[16:])
    buf[12:16] = struct.pack("<I", crc)
    model.file_bytes, model.crc32, model.fingerprint = file_bytes, crc, fp
    return bytes(buf)


# ---------------------------------------------------------------------------------- reader

def _need(cond, code, msg):
    if not cond:
        raise MtmError(code, msg)


def op_extents(op, tensors):
    """{field: bytes} the data of an op occupies, computed from the shapes (as the loader does)."""
    t_in, t_out = tensors[op.input0], tensors[op.output]
    cout = t_out.c
    if op.type == CONV2D:
        w = cout * op.kh * op.kw * t_in.c
    elif op.type == DEPTHWISE_CONV2D:
        w = op.kh * op.kw * t_in.c
    elif op.type == FULLY_CONNECTED:
        w = cout * t_in.size
    else:
        return {}
    return {"weights": w, "bias": 4 * cout, "requant": 8 * cout, "wscale": 4 * cout}


def read(buf, validate=True):
    """Parses .mtm bytes into a Model (numpy arrays are copies). With validate, raises MtmError
    naming the code mt_model_open returns for the first fault, checked in the doc's order."""
    buf = bytes(buf)
    _need(len(buf) >= HEADER_BYTES and buf[:4] == MAGIC, "MT_E_MODEL_MAGIC", "no MTM1 magic")
    h = struct.unpack_from(HEADER_FMT, buf, 0)
    (magic, vmaj, vmin, file_bytes, crc, fp, header_bytes, nt, no, t_off, o_off, d_off,
     d_bytes, in_t, part_t, full_t, split_op, order, resize, _res) = h[:20]
    mean, std = h[20:23], h[23:26]
    lut_off, name_b = h[26], h[27]
    _need(vmaj == VERSION_MAJOR, "MT_E_MODEL_VERSION", "major version %d" % vmaj)
    _need(file_bytes <= len(buf), "MT_E_MODEL_TRUNCATED", "file_bytes %d > %d" % (file_bytes, len(buf)))
    if validate:
        _need(file_bytes >= HEADER_BYTES, "MT_E_MODEL_LAYOUT", "file shorter than its header")
        _need(crc32(buf[16:file_bytes]) == crc, "MT_E_MODEL_CRC", "CRC-32 mismatch")
        _need(fnv1a64(buf[HEADER_BYTES:file_bytes]) == fp, "MT_E_MODEL_FINGERPRINT",
              "fingerprint mismatch")
        _need(header_bytes == HEADER_BYTES and t_off == HEADER_BYTES
              and o_off == HEADER_BYTES + TENSOR_BYTES * nt and d_off == o_off + OP_BYTES * no
              and d_off % 4 == 0 and d_off + d_bytes == file_bytes,
              "MT_E_MODEL_LAYOUT", "sections do not follow each other")
        _need(1 <= nt <= MAX_TENSORS and 1 <= no <= MAX_OPS, "MT_E_MODEL_LIMIT",
              "%d tensors, %d ops" % (nt, no))
    tensors = []
    for i in range(nt):
        hh, ww, cc, flags, sc, zp = struct.unpack_from(TENSOR_FMT, buf, t_off + TENSOR_BYTES * i)
        tensors.append(Tensor(hh, ww, cc, sc, zp, flags))
    ops = []
    for i in range(no):
        f = struct.unpack_from(OP_FMT, buf, o_off + OP_BYTES * i)
        ops.append(Op(type=f[0], kh=f[1], kw=f[2], stride_h=f[3], stride_w=f[4], pad_top=f[5],
                      pad_left=f[6], pad_bottom=f[7], pad_right=f[8], act_min=f[9],
                      act_max=f[10], input0=f[12], input1=f[13], output=f[14],
                      weights_offset=f[16], bias_offset=f[17], requant_offset=f[18],
                      wscale_offset=f[19], params=list(f[20:27])))
    name = name_b.split(b"\0", 1)[0].decode("ascii", "replace")
    c_in = tensors[in_t].c if in_t < nt else 0
    model = Model(name=name, tensors=tensors, ops=ops, input_tensor=in_t,
                  part_feature_tensor=part_t, full_feature_tensor=full_t, split_op=split_op,
                  channel_order=order, mean=tuple(mean), std=tuple(std), input_lut=None,
                  resize=resize, version_minor=vmin, file_bytes=file_bytes, crc32=crc,
                  fingerprint=fp, input_lut_offset=lut_off)
    if validate:
        _validate(model, buf)
    # load the constant data (after validation, so the extents are known to be in range)
    d_end = d_off + d_bytes
    for op in ops:
        if op.type not in OP_NAMES or op.input0 >= nt or op.output >= nt:
            continue
        ext = op_extents(op, tensors)
        if not ext:
            continue

        def arr(off, n, dt):
            if off == 0 or off + n * np.dtype(dt).itemsize > d_end:
                return None
            return np.frombuffer(buf, dtype=dt, count=n, offset=off).copy()
        op.weights = arr(op.weights_offset, ext["weights"], "<i1")
        cout = tensors[op.output].c
        op.bias = arr(op.bias_offset, cout, "<i4")
        rq = arr(op.requant_offset, 2 * cout, "<i4")
        if rq is not None:
            op.mult, op.shift = rq[:cout].copy(), rq[cout:].copy()
        op.wscale = arr(op.wscale_offset, cout, "<f4")
    if 0 < lut_off and lut_off + 256 * c_in <= d_end:
        model.input_lut = np.frombuffer(buf, "<i1", 256 * c_in, lut_off).reshape(c_in, 256).copy()
    return model


def _validate(m, buf):
    nt, no = len(m.tensors), len(m.ops)
    d_off = HEADER_BYTES + TENSOR_BYTES * nt + OP_BYTES * no
    d_end = m.file_bytes

    for i, t in enumerate(m.tensors):
        _need(t.h >= 1 and t.w >= 1 and t.c >= 1 and t.size <= (1 << 24) and t.flags == 0,
              "MT_E_MODEL_SHAPE", "tensor %d shape" % i)
        _need(math.isfinite(t.scale) and t.scale > 0 and -128 <= t.zero_point <= 127,
              "MT_E_MODEL_QUANT", "tensor %d quantization" % i)

    # input spec
    _need(m.input_tensor < nt, "MT_E_MODEL_GRAPH", "input tensor index")
    want_c = {ORDER_RGB: 3, ORDER_BGR: 3, ORDER_GRAY: 1}.get(m.channel_order)
    c_in = m.tensors[m.input_tensor].c
    _need(want_c is not None and want_c == c_in, "MT_E_MODEL_INPUT", "channel order vs C")
    _need(all(math.isfinite(v) for v in m.mean) and all(math.isfinite(v) and v > 0 for v in m.std),
          "MT_E_MODEL_INPUT", "mean/std")
    _need(m.input_lut_offset % 4 == 0 and d_off <= m.input_lut_offset
          and m.input_lut_offset + 256 * c_in <= d_end, "MT_E_MODEL_RANGE", "input LUT extent")

    written = {}
    for i, op in enumerate(m.ops):
        _need(op.type in OP_NAMES, "MT_E_MODEL_OP", "op %d type %d" % (i, op.type))
        ins = [op.input0] + ([op.input1] if op.type == ADD else [])
        _need(all(x < nt for x in ins) and op.output < nt and op.output not in ins
              and op.output != m.input_tensor and op.output not in written
              and all(x == m.input_tensor or x in written for x in ins)
              and (op.type == ADD or op.input1 == NO_TENSOR),
              "MT_E_MODEL_GRAPH", "op %d tensors" % i)
        written[op.output] = i
        ti, to = m.tensors[op.input0], m.tensors[op.output]
        _need(op.act_min <= op.act_max, "MT_E_MODEL_SHAPE", "op %d act range" % i)
        if op.type in (CONV2D, DEPTHWISE_CONV2D):
            _need(1 <= op.kh <= 15 and 1 <= op.kw <= 15 and 1 <= op.stride_h <= 4
                  and 1 <= op.stride_w <= 4 and op.pad_top < op.kh and op.pad_bottom < op.kh
                  and op.pad_left < op.kw and op.pad_right < op.kw, "MT_E_MODEL_SHAPE",
                  "op %d geometry" % i)
            oh = ti.h + op.pad_top + op.pad_bottom - op.kh
            ow = ti.w + op.pad_left + op.pad_right - op.kw
            _need(oh >= 0 and ow >= 0 and oh // op.stride_h + 1 == to.h
                  and ow // op.stride_w + 1 == to.w, "MT_E_MODEL_SHAPE", "op %d output size" % i)
            _need(op.type == CONV2D or ti.c == to.c, "MT_E_MODEL_SHAPE", "op %d channels" % i)
        elif op.type == FULLY_CONNECTED:
            _need(to.h == 1 and to.w == 1, "MT_E_MODEL_SHAPE", "op %d FC output" % i)
        elif op.type == ADD:
            t1 = m.tensors[op.input1]
            _need((ti.h, ti.w, ti.c) == (t1.h, t1.w, t1.c) == (to.h, to.w, to.c),
                  "MT_E_MODEL_SHAPE", "op %d ADD shapes" % i)
        else:  # GLOBAL_AVG_POOL, GLOBAL_AVG_POOL_DIV
            _need(to.h == 1 and to.w == 1 and to.c == ti.c, "MT_E_MODEL_SHAPE",
                  "op %d pool shapes" % i)
        ext = op_extents(op, m.tensors)
        for fld in ("weights", "bias", "requant", "wscale"):
            off = getattr(op, fld + "_offset")
            n = ext.get(fld, 0)
            if n:
                _need(off % 4 == 0 and d_off <= off and off + n <= d_end, "MT_E_MODEL_RANGE",
                      "op %d %s extent" % (i, fld))
            else:
                _need(off == 0, "MT_E_MODEL_RANGE", "op %d unused %s offset" % (i, fld))
        if ext:
            cout = to.c
            rq = np.frombuffer(buf, "<i4", 2 * cout, op.requant_offset)
            ws = np.frombuffer(buf, "<f4", cout, op.wscale_offset)
            _check_requant(rq[:cout], rq[cout:], "op %d" % i)
            _need(np.all(np.isfinite(ws)) and np.all(ws > 0), "MT_E_MODEL_QUANT",
                  "op %d weight scales" % i)
            # no int32 accumulator can wrap, whatever the input: |bias| + fan_in * 255 * 128
            fan_in = ext["weights"] // cout if op.type != DEPTHWISE_CONV2D else op.kh * op.kw
            bias = np.frombuffer(buf, "<i4", cout, op.bias_offset).astype(np.int64)
            _need(np.all(np.abs(bias) + fan_in * ACC_MAX_PRODUCT <= 2**31 - 1),
                  "MT_E_MODEL_QUANT", "op %d accumulator bound" % i)
        elif op.type == ADD:
            p = op.params
            _check_requant(p[0:6:2], p[1:6:2], "op %d ADD" % i)
            _need(p[1] <= 0 and p[3] <= 0 and 0 <= p[6] <= ADD_MAX_LEFT_SHIFT,
                  "MT_E_MODEL_QUANT", "op %d ADD input shifts / left_shift" % i)
        elif op.type == GLOBAL_AVG_POOL_DIV:
            mult, shift = op.params[0], op.params[1]
            _need(ti.h * ti.w * 255 <= 2**31 - 1, "MT_E_MODEL_SHAPE", "op %d pool size" % i)
            _need(not any(op.params[2:]), "MT_E_MODEL_QUANT", "op %d unused params" % i)
            if mult == 0:
                _need(shift == 0 and ti.scale == to.scale and ti.zero_point == to.zero_point,
                      "MT_E_MODEL_QUANT", "op %d raw mean quantization" % i)
            else:
                _check_requant([mult], [shift], "op %d pool" % i)
                _need((ti.h * ti.w * 255) << max(shift, 0) <= 2**31 - 1, "MT_E_MODEL_QUANT",
                      "op %d shifted sum" % i)
        else:
            _need(ti.h * ti.w * 255 <= 2**31 - 1, "MT_E_MODEL_SHAPE", "op %d pool size" % i)
            _check_requant(op.params[0:1], op.params[1:2], "op %d pool" % i)

    # stages
    _need(1 <= m.split_op < no, "MT_E_MODEL_GRAPH", "split_op")
    for t, op_i, what in ((m.part_feature_tensor, m.split_op - 1, "part"),
                          (m.full_feature_tensor, no - 1, "full")):
        _need(t < nt and written.get(t) == op_i, "MT_E_MODEL_GRAPH", "%s feature writer" % what)
        tt = m.tensors[t]
        _need(tt.h == 1 and tt.w == 1, "MT_E_MODEL_GRAPH", "%s feature shape" % what)


def _check_requant(mult, shift, what):
    for mu, sh in zip(mult, shift):
        mu, sh = int(mu), int(sh)
        _need((mu == 0 or (1 << 30) <= mu < (1 << 31)) and -31 <= sh <= 30,
              "MT_E_MODEL_QUANT", "%s multiplier %d shift %d" % (what, mu, sh))


# ------------------------------------------------------------------------------- printing

def op_macs(op, tensors):
    """MACs as mt_op_info_t counts them (ADD/POOL: one per input element)."""
    ti, to = tensors[op.input0], tensors[op.output]
    if op.type == CONV2D:
        return to.size * op.kh * op.kw * ti.c
    if op.type == DEPTHWISE_CONV2D:
        return to.size * op.kh * op.kw
    if op.type == FULLY_CONNECTED:
        return to.c * ti.size
    return ti.size


def describe(m):
    """A human-readable listing (what `microt inspect` prints, roughly)."""
    lines = ["%s  v1.%d  %d bytes  crc32 %08x  fingerprint %016x"
             % (m.name, m.version_minor, m.file_bytes, m.crc32, m.fingerprint),
             "input t%d  order %d  mean %s  std %s  split_op %d  part t%d  full t%d"
             % (m.input_tensor, m.channel_order, ["%.4g" % v for v in m.mean],
                ["%.4g" % v for v in m.std], m.split_op, m.part_feature_tensor,
                m.full_feature_tensor)]
    for i, t in enumerate(m.tensors):
        lines.append("  t%-3d %3dx%3dx%4d  scale %.6g  zp %d" % (i, t.h, t.w, t.c, t.scale, t.zero_point))
    macs = [0, 0]
    for i, op in enumerate(m.ops):
        n = op_macs(op, m.tensors)
        macs[0 if i < m.split_op else 1] += n
        src = "t%d" % op.input0 + (",t%d" % op.input1 if op.type == ADD else "")
        lines.append("  op%-3d %-16s k%dx%d s%d pad %d,%d,%d,%d  %s -> t%d  act [%d,%d]  %d MACs"
                     % (i, OP_NAMES.get(op.type, "?"), op.kh, op.kw, op.stride_h, op.pad_top,
                        op.pad_left, op.pad_bottom, op.pad_right, src, op.output, op.act_min,
                        op.act_max, n))
    lines.append("MACs: part %d, rest %d, full %d" % (macs[0], macs[1], sum(macs)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description="Validate and print a .mtm model file.")
    ap.add_argument("model", help="path to a .mtm file")
    ap.add_argument("--seed", type=int, default=0, help="unused (no randomness); kept for uniformity")
    args = ap.parse_args()
    with open(args.model, "rb") as f:
        buf = f.read()
    try:
        m = read(buf)
    except MtmError as e:
        print("invalid: %s" % e, file=sys.stderr)
        return 1
    print(describe(m))
    return 0


if __name__ == "__main__":
    sys.exit(main())
