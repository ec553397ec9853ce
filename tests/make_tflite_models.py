"""Writes small synthetic .tflite files with Google's FlatBuffers builder (Debian's
python3-flatbuffers, an encoder independent of microt's reader) for tests/test_tflite_dump.sh:

  options.tflite + options.expected.json   every op whose options tflite-dump decodes, with
      non-default values (and one with its options table absent, so the schema defaults show),
      FLOAT32 / FLOAT16 / INT8 per-channel / INT32 constants, a buffer two tensors share, an op
      code above 127 (only in the int builtin_code field), a CUSTOM op, an op code outside the
      schema's enum, and awkward tensor names (quote, newline, UTF-8, invalid UTF-8).
  bad_*.tflite + bad.expected.json          malformed files and the message fragment each must
      be refused with.
  arith_*.tflite                            small int8 models with random weights covering every
      op and option `microt import` translates (tests/data/tflite/, factory/make_tflite_golden.py).

Field and union numbers follow tensorflow/lite/schema/schema.fbs (a field's number is its
position in its table). Same bytes on every run (no randomness).
usage: make_tflite_models.py OUT_DIR
"""
import argparse
import json
import os
import struct

import flatbuffers
import numpy as np

# union members of BuiltinOptions used here
U_CONV, U_DW, U_POOL, U_FC, U_SOFTMAX, U_CONCAT, U_ADD, U_RESHAPE, U_MUL, U_PAD, U_REDUCER, U_SUB = \
    1, 2, 5, 8, 9, 10, 11, 17, 21, 22, 27, 28


def ivec(b, xs, width=4, fmt="Int32"):
    b.StartVector(width, len(xs), width)
    for x in reversed(xs):
        getattr(b, "Prepend" + fmt)(x)
    return b.EndVector()


def offvec(b, offs):
    b.StartVector(4, len(offs), 4)
    for o in reversed(offs):
        b.PrependUOffsetTRelative(o)
    return b.EndVector()


def table(b, n_fields, fields):
    """fields: list of (kind, slot, value); kind is a Prepend*Slot suffix or 'off'."""
    b.StartObject(n_fields)
    for kind, slot, value in fields:
        if kind == "off":
            b.PrependUOffsetTRelativeSlot(slot, value, 0)
        else:
            getattr(b, "Prepend%sSlot" % kind)(slot, value, None)  # None: always written
    return b.EndObject()


class Model:
    """A one-subgraph model description, serialised by build()."""

    def __init__(self):
        self.buffers = [b""]          # buffer 0: the empty sentinel
        self.tensors = []             # dicts
        self.opcodes = []             # (deprecated, builtin, version, custom)
        self.ops = []                 # dicts
        self.inputs, self.outputs = [], []
        self.description = "synthetic"

    def buffer(self, data):
        self.buffers.append(bytes(data))
        return len(self.buffers) - 1

    def tensor(self, name, ttype, shape, buffer=0, quant=None, raw_name=None):
        self.tensors.append(dict(name=name, raw_name=raw_name, type=ttype, shape=shape,
                                 buffer=buffer, quant=quant))
        return len(self.tensors) - 1

    def op(self, code, inputs, outputs, opt=None, version=1, custom=None):
        key = (code, version, custom)
        if key not in self.opcodes:
            self.opcodes.append(key)
        self.ops.append(dict(opcode=self.opcodes.index(key), inputs=inputs, outputs=outputs, opt=opt))

    def build(self, ident=b"TFL3", hooks=None):
        """Serialises; hooks may name objects whose final positions are returned."""
        b = flatbuffers.Builder(1024)
        marks = {}
        bufs = []
        for data in self.buffers:
            fields = []
            if data:
                b.StartVector(1, len(data), 16)  # force_align: 16, as the schema asks
                for x in reversed(data):
                    b.PrependUint8(x)
                fields.append(("off", 0, b.EndVector()))
            bufs.append(table(b, 3, fields))
        tens = []
        for i, t in enumerate(self.tensors):
            name = b.CreateString(t["raw_name"] if t["raw_name"] is not None else t["name"])
            marks["name%d" % i] = name
            shape = ivec(b, t["shape"])
            marks["shape%d" % i] = shape
            fields = [("off", 0, shape), ("Int8", 1, t["type"]), ("Uint32", 2, t["buffer"]),
                      ("off", 3, name)]
            q = t["quant"]
            if q is not None:
                qf = []
                if "scale" in q:
                    qf.append(("off", 2, ivec(b, q["scale"], 4, "Float32")))
                if "zero_point" in q:
                    qf.append(("off", 3, ivec(b, q["zero_point"], 8, "Int64")))
                if q.get("dim"):
                    qf.append(("Int32", 6, q["dim"]))
                fields.append(("off", 4, table(b, 7, qf)))
            tens.append(table(b, 10, fields))
            marks["tensor%d" % i] = tens[-1]
        ops = []
        for o in self.ops:
            fields = [("Uint32", 0, o["opcode"]), ("off", 1, ivec(b, o["inputs"])),
                      ("off", 2, ivec(b, o["outputs"]))]
            if o["opt"] is not None:
                utype, ofields = o["opt"]
                fields += [("Uint8", 3, utype), ("off", 4, table(b, 8, ofields(b)))]
            ops.append(table(b, 9, fields))
        codes = []
        for code, version, custom in self.opcodes:
            fields = [("Int8", 0, min(code, 127)), ("Int32", 2, version), ("Int32", 3, code)]
            if custom is not None:
                fields.append(("off", 1, b.CreateString(custom)))
            codes.append(table(b, 4, fields))
        sg = table(b, 5, [("off", 0, offvec(b, tens)), ("off", 1, ivec(b, self.inputs)),
                          ("off", 2, ivec(b, self.outputs)), ("off", 3, offvec(b, ops)),
                          ("off", 4, b.CreateString("main"))])
        root = table(b, 5, [("Uint32", 0, 3), ("off", 1, offvec(b, codes)),
                            ("off", 2, offvec(b, [sg])),
                            ("off", 3, b.CreateString(self.description)),
                            ("off", 4, offvec(b, bufs))])
        b.Finish(root, file_identifier=ident)
        out = bytearray(b.Output())
        pos = {k: len(out) - v for k, v in marks.items()}
        return out, pos


def f16(xs):
    return np.asarray(xs, np.float16).astype("<f2").tobytes()


def options_model():
    """The model of options.tflite and the graph.json facts tflite-dump must write for it."""
    m = Model()
    fdata = np.arange(6, dtype="<f4").reshape(2, 3) / 4
    fb = m.buffer(fdata.tobytes())
    x = m.tensor("x", 0, [1, 4, 4, 3])
    w = m.tensor("w", 0, [2, 1, 1, 3], fb)
    w_again = m.tensor("w_again", 0, [2, 3], fb)  # same buffer: one copy in buffers.bin
    h = m.tensor("h", 1, [4], m.buffer(f16([1.5, -2.0, 0.25, 65504.0])))
    q8 = m.tensor("q8", 9, [3, 1, 1, 2], m.buffer(np.arange(-3, 3, dtype=np.int8).tobytes()),
                  quant=dict(scale=[0.5, 0.25, 0.125], zero_point=[0, 0, 0], dim=0))
    bias = m.tensor("bias", 2, [3], m.buffer(np.array([-7, 0, 9], "<i4").tobytes()),
                    quant=dict(scale=[0.01], zero_point=[-3]))
    noq = m.tensor("", 0, [1, 2], quant=dict())  # empty quantization table: quant null
    odd = m.tensor('quote " back \\ nl \n caf\u00e9', 0, [1])
    bad8 = m.tensor(None, 0, [1], raw_name=b"ab\xff\xc3(")
    y = m.tensor("y", 0, [1, 2, 2, 2])
    m.inputs, m.outputs = [x], [y]

    expect_ops = []

    def add(code, name, opt, want, inputs=(0,), version=1, custom=None):
        m.op(code, list(inputs), [y], opt, version, custom)
        e = dict(op=name, code=code, version=version, inputs=list(inputs), outputs=[y],
                 options=want)
        if custom is not None:
            e["custom_code"] = custom
        expect_ops.append(e)

    add(3, "CONV_2D", (U_CONV, lambda b: [("Int8", 0, 1), ("Int32", 1, 2), ("Int32", 2, 3),
                                          ("Int8", 3, 3), ("Int32", 4, 2), ("Int32", 5, 1)]),
        dict(padding="VALID", stride_w=2, stride_h=3, dilation_w_factor=2, dilation_h_factor=1,
             fused_activation_function="RELU6"), inputs=(x, w, -1), version=3)
    add(3, "CONV_2D", None,  # options table absent: schema defaults
        dict(padding="SAME", stride_w=0, stride_h=0, dilation_w_factor=1, dilation_h_factor=1,
             fused_activation_function="NONE"), version=3)
    add(4, "DEPTHWISE_CONV_2D",
        (U_DW, lambda b: [("Int8", 0, 0), ("Int32", 1, 1), ("Int32", 2, 2), ("Int32", 3, 2),
                          ("Int8", 4, 4), ("Int32", 5, 3), ("Int32", 6, 4)]),
        dict(padding="SAME", stride_w=1, stride_h=2, dilation_w_factor=3, dilation_h_factor=4,
             depth_multiplier=2, fused_activation_function="TANH"), inputs=(x, q8, bias))
    pool = (U_POOL, lambda b: [("Int8", 0, 1), ("Int32", 1, 2), ("Int32", 2, 1), ("Int32", 3, 3),
                               ("Int32", 4, 2), ("Int8", 5, 1)])
    pool_want = dict(padding="VALID", stride_w=2, stride_h=1, filter_width=3, filter_height=2,
                     fused_activation_function="RELU")
    add(1, "AVERAGE_POOL_2D", pool, pool_want)
    add(17, "MAX_POOL_2D", pool, pool_want)
    add(0, "ADD", (U_ADD, lambda b: [("Int8", 0, 2)]), dict(fused_activation_function="RELU_N1_TO_1"),
        inputs=(x, x))
    add(41, "SUB", (U_SUB, lambda b: [("Int8", 0, 1)]), dict(fused_activation_function="RELU"),
        inputs=(x, x))
    add(18, "MUL", (U_MUL, lambda b: []), dict(fused_activation_function="NONE"), inputs=(x, h))
    add(9, "FULLY_CONNECTED", (U_FC, lambda b: [("Int8", 0, 1), ("Bool", 2, True)]),
        dict(fused_activation_function="RELU", keep_num_dims=True, weights_format="DEFAULT"),
        inputs=(x, w_again, -1))
    add(2, "CONCATENATION", (U_CONCAT, lambda b: [("Int32", 0, -1)]),
        dict(axis=-1, fused_activation_function="NONE"), inputs=(x, x, x))
    add(22, "RESHAPE", (U_RESHAPE, lambda b: [("off", 0, ivec(b, [1, -1]))]),
        dict(new_shape=[1, -1]))
    add(22, "RESHAPE", None, {})
    add(25, "SOFTMAX", (U_SOFTMAX, lambda b: [("Float32", 0, 0.5)]), dict(beta=0.5))
    add(40, "MEAN", (U_REDUCER, lambda b: [("Bool", 0, True)]), dict(keep_dims=True))
    add(34, "PAD", (U_PAD, lambda b: []), {})
    for code, name in [(117, "HARD_SWISH"), (6, "DEQUANTIZE"), (114, "QUANTIZE"),
                       (14, "LOGISTIC"), (19, "RELU"), (21, "RELU6"), (150, "GELU")]:
        add(code, name, None, {})
    add(32, "CUSTOM", None, {}, custom="MyOp")
    add(250, "UNKNOWN", (U_CONV, lambda b: [("Int32", 1, 9)]), {})  # options of unknown ops: none

    tensors = [dict(index=0, name="x", type="FLOAT32", shape=[1, 4, 4, 3], data=None, quant=None),
               dict(index=1, name="w", type="FLOAT32", shape=[2, 1, 1, 3], data=fdata.tobytes(), quant=None),
               dict(index=2, name="w_again", type="FLOAT32", shape=[2, 3], data=fdata.tobytes(), quant=None),
               dict(index=3, name="h", type="FLOAT16", shape=[4], data=f16([1.5, -2.0, 0.25, 65504.0]), quant=None),
               dict(index=4, name="q8", type="INT8", shape=[3, 1, 1, 2],
                    data=np.arange(-3, 3, dtype=np.int8).tobytes(),
                    quant=dict(scale=[0.5, 0.25, 0.125], zero_point=[0, 0, 0], quantized_dimension=0)),
               dict(index=5, name="bias", type="INT32", shape=[3], data=np.array([-7, 0, 9], "<i4").tobytes(),
                    quant=dict(scale=[0.01], zero_point=[-3], quantized_dimension=0)),
               dict(index=6, name="", type="FLOAT32", shape=[1, 2], data=None, quant=None),
               dict(index=7, name='quote " back \\ nl \n caf\u00e9', type="FLOAT32", shape=[1], data=None, quant=None),
               dict(index=8, name="ab\ufffd\ufffd(", type="FLOAT32", shape=[1], data=None, quant=None),
               dict(index=9, name="y", type="FLOAT32", shape=[1, 2, 2, 2], data=None, quant=None)]
    for t in tensors:
        t["data"] = t["data"].hex() if t["data"] is not None else None
    expect = dict(format="microt-tflite-dump-1", source="options.tflite", version=3,
                  description="synthetic", tensors=tensors, operators=expect_ops,
                  inputs=[x], outputs=[y])
    return m, expect


def small_model():
    """A valid two-op model the bad_* files are made from."""
    m = Model()
    x = m.tensor("x", 9, [1, 2, 2, 3], quant=dict(scale=[0.5], zero_point=[1]))
    w = m.tensor("w", 9, [2, 1, 1, 3], m.buffer(bytes([1, 2, 3, 4, 5, 6])),
                 quant=dict(scale=[0.1, 0.2], zero_point=[0, 0], dim=0))
    y = m.tensor("y", 9, [1, 2, 2, 2], quant=dict(scale=[0.25], zero_point=[-2]))
    z = m.tensor("z", 9, [1, 2, 2, 2], quant=dict(scale=[0.25], zero_point=[-2]))
    m.inputs, m.outputs = [x], [z]
    m.op(3, [x, w, -1], [y], (U_CONV, lambda b: [("Int32", 1, 1), ("Int32", 2, 1)]))
    m.op(19, [y], [z])
    return m, (x, w, y, z)


def bad_models():
    """(name, bytes, message fragment) for each malformed file."""
    out = []

    def variant(name, fragment, edit=None, patch=None, ident=b"TFL3"):
        m, ids = small_model()
        if edit:
            edit(m, ids)
        buf, pos = m.build(ident)
        if patch:
            patch(buf, pos)
        out.append((name, bytes(buf), fragment))

    def le32(buf, at, v):
        buf[at:at + 4] = struct.pack("<I", v & 0xFFFFFFFF)

    variant("bad_ident", "file identifier", ident=b"XYZ0")
    variant("bad_root", "outside the file", patch=lambda buf, pos: le32(buf, 0, len(buf) + 100))
    variant("bad_vtable", "vtable", patch=lambda buf, pos: le32(buf, pos["tensor1"], 0x7FFFFFF0))
    variant("bad_vector_length", "extends past the end",
            patch=lambda buf, pos: le32(buf, pos["shape2"], 0x40000000))
    variant("bad_string", "not NUL-terminated",
            patch=lambda buf, pos: buf.__setitem__(pos["name0"] + 4 + 1, 0x41))
    variant("bad_tensor_index", "input 0 is tensor 99",
            edit=lambda m, ids: m.ops[0].__setitem__("inputs", [99, 1, -1]))
    variant("bad_output_absent", "output 0 is tensor -1",
            edit=lambda m, ids: m.ops[1].__setitem__("outputs", [-1]))
    variant("bad_opcode_index", "opcode index 7",
            edit=lambda m, ids: m.ops[0].__setitem__("opcode", 7))
    variant("bad_buffer_index", "buffer 50",
            edit=lambda m, ids: m.tensors[1].__setitem__("buffer", 50))
    variant("bad_data_size", "constant data has 6 bytes",
            edit=lambda m, ids: m.tensors[1].__setitem__("shape", [2, 1, 1, 4]))
    variant("bad_zero_points", "2 scales but 1 zero points",
            edit=lambda m, ids: m.tensors[1]["quant"].__setitem__("zero_point", [0]))
    variant("bad_per_channel", "per-channel scales",
            edit=lambda m, ids: m.tensors[1]["quant"].update(scale=[1.0, 1.0, 1.0], zero_point=[0, 0, 0]))
    variant("bad_union", "union type 5",
            edit=lambda m, ids: m.ops[0].__setitem__("opt", (U_POOL, lambda b: [])))
    variant("bad_padding", "unknown padding 7",
            edit=lambda m, ids: m.ops[0].__setitem__("opt", (U_CONV, lambda b: [("Int8", 0, 7)])))
    variant("bad_activation", "unknown activation 9",
            edit=lambda m, ids: m.ops[0].__setitem__("opt", (U_CONV, lambda b: [("Int8", 3, 9)])))
    variant("bad_type", "unknown tensor type 99",
            edit=lambda m, ids: m.tensors[0].__setitem__("type", 99))
    variant("bad_dimension", "dimension 1 is -5",
            edit=lambda m, ids: m.tensors[0].__setitem__("shape", [1, -5, 2, 2]))
    full, _ = small_model()[0].build()
    out.append(("bad_truncated", bytes(full[:len(full) // 2]), "outside"))
    out.append(("bad_empty", b"", "not a flatbuffer size"))
    return out


class ArithBuilder:
    """Small int8 models with random weights for the bit-exactness goldens (arith_*.tflite):
    each output scale is set from the spread of its accumulator (about 3 sigma of a sum of
    fan_in products of uniform inputs and weights), so no op saturates or collapses."""

    ACT = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3}

    def __init__(self, seed):
        self.m = Model()
        self.m.description = "microt arithmetic test model"
        self.rng = np.random.default_rng(seed)

    def act(self, shape, scale, zp, name):
        return self.m.tensor(name, 9, shape, quant=dict(scale=[float(np.float32(scale))], zero_point=[int(zp)]))

    def q(self, t):
        q = self.m.tensors[t]["quant"]
        return q["scale"][0], q["zero_point"][0]

    def _out_quant(self, s_acc, fan_in, act):
        sigma = s_acc * np.sqrt(fan_in) * 70.0 * 55.0 * 3.0   # uniform int8 inputs x weights
        if act in ("RELU", "RELU6"):
            return sigma / 255.0, -128
        return 2.0 * sigma / 255.0, int(self.rng.integers(-20, 21))

    def conv(self, x, cout, k, stride, padding, act, out_shape, depthwise=False, per_channel=True):
        s_in, _ = self.q(x)
        cin = self.m.tensors[x]["shape"][3]
        wshape = [1, k, k, cout] if depthwise else [cout, k, k, cin]
        w = self.rng.integers(-127, 128, wshape).astype(np.int8)
        n_s = cout if per_channel else 1
        s_w = (self.rng.uniform(0.5, 1.5, n_s) * 0.01).astype(np.float32)
        fan_in = k * k * (1 if depthwise else cin)
        s_out, zp_out = self._out_quant(s_in * float(s_w.mean()), fan_in, act)
        y = self.act(out_shape, s_out, zp_out, "t%d" % len(self.m.tensors))
        wt = self.m.tensor("w%d" % len(self.m.tensors), 9, wshape, self.m.buffer(w.tobytes()),
                           quant=dict(scale=[float(v) for v in s_w], zero_point=[0] * n_s,
                                      dim=3 if depthwise else 0))
        sigma_acc = np.sqrt(fan_in) * 70.0 * 55.0
        bias = self.rng.integers(-int(sigma_acc), int(sigma_acc) + 1, cout).astype("<i4")
        bt = self.m.tensor("b%d" % len(self.m.tensors), 2, [cout], self.m.buffer(bias.tobytes()),
                           quant=dict(scale=[float(s_in * v) for v in (s_w if per_channel else s_w[:1])],
                                      zero_point=[0] * n_s))
        pad = 0 if padding == "SAME" else 1
        if depthwise:
            opt = (U_DW, lambda b: [("Int8", 0, pad), ("Int32", 1, stride), ("Int32", 2, stride),
                                    ("Int32", 3, 1), ("Int8", 4, self.ACT[act]), ("Int32", 5, 1),
                                    ("Int32", 6, 1)])
            self.m.op(4, [x, wt, bt], [y], opt, version=3)
        else:
            opt = (U_CONV, lambda b: [("Int8", 0, pad), ("Int32", 1, stride), ("Int32", 2, stride),
                                      ("Int8", 3, self.ACT[act]), ("Int32", 4, 1), ("Int32", 5, 1)])
            self.m.op(3, [x, wt, bt], [y], opt, version=3)
        return y

    def add(self, a, b_, act):
        (sa, _), (sb, _) = self.q(a), self.q(b_)
        s_out = (sa + sb) * 0.8
        zp = -128 if act == "RELU" else int(self.rng.integers(-10, 11))
        y = self.act(self.m.tensors[a]["shape"], s_out, zp, "t%d" % len(self.m.tensors))
        self.m.op(0, [a, b_], [y], (U_ADD, lambda b: [("Int8", 0, self.ACT[act])]))
        return y

    def pad(self, x, pads):
        shape = [d + p[0] + p[1] for d, p in zip(self.m.tensors[x]["shape"], pads)]
        pt = self.m.tensor("pads", 2, [4, 2], self.m.buffer(np.array(pads, "<i4").tobytes()))
        y = self.act(shape, *self.q(x), "t%d" % len(self.m.tensors))
        self.m.op(34, [x, pt], [y], (U_PAD, lambda b: []))
        return y

    def avg_pool(self, x):
        _, h, w, c = self.m.tensors[x]["shape"]
        y = self.act([1, 1, 1, c], *self.q(x), "t%d" % len(self.m.tensors))
        self.m.op(1, [x], [y], (U_POOL, lambda b: [("Int8", 0, 1), ("Int32", 1, 1), ("Int32", 2, 1),
                                                   ("Int32", 3, w), ("Int32", 4, h), ("Int8", 5, 0)]))
        return y

    def mean(self, x):
        c = self.m.tensors[x]["shape"][3]
        s, zp = self.q(x)
        axes = self.m.tensor("axes", 2, [2], self.m.buffer(np.array([1, 2], "<i4").tobytes()))
        y = self.act([1, 1, 1, c], s * 0.7, zp + 3, "t%d" % len(self.m.tensors))
        self.m.op(40, [x, axes], [y], (U_REDUCER, lambda b: [("Bool", 0, True)]))
        return y

    def reshape(self, x, shape):
        y = self.act(shape, *self.q(x), "t%d" % len(self.m.tensors))
        st = self.m.tensor("shape", 2, [len(shape)], self.m.buffer(np.array(shape, "<i4").tobytes()))
        self.m.op(22, [x, st], [y], (U_RESHAPE, lambda b: [("off", 0, ivec(b, shape))]))
        return y

    def fc(self, x, cout, act, per_channel=False):
        s_in, _ = self.q(x)
        n = int(np.prod(self.m.tensors[x]["shape"]))
        w = self.rng.integers(-127, 128, [cout, n]).astype(np.int8)
        n_s = cout if per_channel else 1
        s_w = (self.rng.uniform(0.5, 1.5, n_s) * 0.01).astype(np.float32)
        s_out, zp = self._out_quant(s_in * float(s_w.mean()), n, act)
        if act == "RELU_N1_TO_1":
            s_out = 2.0 / 255.0
        y = self.act([1, cout], s_out, zp, "t%d" % len(self.m.tensors))
        wt = self.m.tensor("fw", 9, [cout, n], self.m.buffer(w.tobytes()),
                           quant=dict(scale=[float(v) for v in s_w], zero_point=[0] * n_s))
        bias = self.rng.integers(-3000, 3001, cout).astype("<i4")
        bt = self.m.tensor("fb", 2, [cout], self.m.buffer(bias.tobytes()),
                           quant=dict(scale=[float(s_in * v) for v in s_w], zero_point=[0] * n_s))
        self.m.op(9, [x, wt, bt], [y], (U_FC, lambda b: [("Int8", 0, self.ACT[act])]))
        return y


def arith_models():
    """(name, bytes): every op and option microt import translates, on odd shapes."""
    out = []
    a = ArithBuilder(20261207)
    x = a.act([1, 13, 11, 3], 0.02, -5, "input")
    t1 = a.conv(x, 8, 3, 2, "SAME", "RELU6", [1, 7, 6, 8])
    t2 = a.conv(t1, 8, 3, 1, "SAME", "RELU", [1, 7, 6, 8], depthwise=True)
    t3 = a.conv(t2, 8, 1, 1, "VALID", "NONE", [1, 7, 6, 8], per_channel=False)
    t4 = a.add(t1, t3, "RELU")
    t5 = a.pad(t4, [[0, 0], [1, 1], [2, 0], [0, 0]])
    t6 = a.conv(t5, 8, 3, 2, "VALID", "NONE", [1, 4, 3, 8], depthwise=True)
    t7 = a.conv(t6, 12, 5, 1, "SAME", "RELU", [1, 4, 3, 12])
    t8 = a.avg_pool(t7)                    # 12 elements: exact ties
    t9 = a.reshape(t8, [1, 12])
    t10 = a.fc(t9, 5, "RELU_N1_TO_1")
    a.m.inputs, a.m.outputs = [x], [t10]
    out.append(("arith_a", bytes(a.m.build()[0])))

    b = ArithBuilder(7)
    x = b.act([1, 9, 9, 1], 1.0 / 255, -128, "input")
    t1 = b.conv(x, 6, 3, 1, "VALID", "RELU", [1, 7, 7, 6])
    t2 = b.conv(t1, 6, 2, 2, "VALID", "NONE", [1, 3, 3, 6], depthwise=True)
    t3 = b.conv(t2, 16, 1, 1, "SAME", "RELU6", [1, 3, 3, 16])
    t4 = b.avg_pool(t3)                    # 9 elements, the VWW case
    t5 = b.reshape(t4, [1, 16])
    t6 = b.fc(t5, 4, "NONE", per_channel=True)
    b.m.inputs, b.m.outputs = [x], [t6]
    out.append(("arith_b", bytes(b.m.build()[0])))

    c = ArithBuilder(99)
    x = c.act([1, 6, 5, 3], 0.03, 10, "input")
    t1 = c.conv(x, 10, 3, 1, "SAME", "NONE", [1, 6, 5, 10])
    t2 = c.mean(t1)                        # Keras GlobalAveragePooling2D
    c.m.inputs, c.m.outputs = [x], [t2]
    out.append(("arith_mean", bytes(c.m.build()[0])))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", help="output folder")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    m, expect = options_model()
    buf, _ = m.build()
    with open(os.path.join(args.out, "options.tflite"), "wb") as f:
        f.write(buf)
    with open(os.path.join(args.out, "options.expected.json"), "w") as f:
        json.dump(expect, f, indent=1)
    small, _ = small_model()
    with open(os.path.join(args.out, "small.tflite"), "wb") as f:
        f.write(small.build()[0])
    bad = {}
    for name, data, fragment in bad_models():
        with open(os.path.join(args.out, name + ".tflite"), "wb") as f:
            f.write(data)
        bad[name] = fragment
    with open(os.path.join(args.out, "bad.expected.json"), "w") as f:
        json.dump(bad, f, indent=1)
    for name, data in arith_models():
        with open(os.path.join(args.out, name + ".tflite"), "wb") as f:
            f.write(data)
    print("wrote options.tflite, small.tflite, arith_*.tflite and %d malformed files to %s"
          % (len(bad), args.out))


if __name__ == "__main__":
    main()
