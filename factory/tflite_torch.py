"""A float TFLite graph as a PyTorch module, for teachers that ship as .tflite files.

The graph comes from `microt tflite-dump MODEL.tflite -o DIR` (the CLI's bounds-checked TFLite
reader, docs/import.md): DIR/graph.json + DIR/buffers.bin. Activations run NCHW in PyTorch
(TFLite's are NHWC); weights are converted once. Constant sub-graphs (fp16 DEQUANTIZE of
weights) are folded at load. Any input size works: an AVERAGE_POOL_2D whose window covered
its whole input at the graph's native size stays a global average.

Taps: `op<N>` is operator N's output; `b<K>` is the K-th bottleneck output in graph order
(a linear 1x1 projection, or the residual ADD that consumes it), MobileNet's block numbering
(b12 of SSD-MobileNetV2 = expanded_conv_12/add). forward() returns {tap: pooled [B, C]}.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

_NP = {"FLOAT32": np.float32, "FLOAT16": np.float16, "INT32": np.int32, "INT64": np.int64,
       "INT8": np.int8, "UINT8": np.uint8, "INT16": np.int16}
_NHWC_TO_NCHW = {0: 0, 1: 2, 2: 3, 3: 1}
_SUPPORTED = {"CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "SUB", "MUL", "HARD_SWISH", "MEAN",
              "AVERAGE_POOL_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "DEQUANTIZE",
              "CONCATENATION", "LOGISTIC", "RELU", "RELU6", "SOFTMAX", "PAD"}


_NOT_AFTER_PROJECTION = {"HARD_SWISH", "RELU", "RELU6", "LOGISTIC", "RESHAPE"}


def load_dump(folder):
    """(graph dict, buffers bytes) of a tflite-dump folder."""
    with open(os.path.join(folder, "graph.json")) as f:
        g = json.load(f)
    if g.get("format") != "microt-tflite-dump-1":
        raise ValueError("%s: not a microt tflite-dump (format %r)" % (folder, g.get("format")))
    with open(os.path.join(folder, "buffers.bin"), "rb") as f:
        return g, f.read()


def _activation(x, name):
    if name in (None, "NONE"):
        return x
    if name == "RELU":
        return F.relu(x)
    if name == "RELU6":
        return F.relu6(x)
    if name == "RELU_N1_TO_1":
        return x.clamp(-1, 1)
    if name == "TANH":
        return torch.tanh(x)
    raise ValueError("unsupported fused activation %s" % name)


def _same_pad(size, k, s, d):
    """TensorFlow SAME padding (before, after) for one spatial axis."""
    eff = (k - 1) * d + 1
    out = math.ceil(size / s)
    total = max((out - 1) * s + eff - size, 0)
    return total // 2, total - total // 2


def bottleneck_ops(graph):
    """Operator indices of the bottleneck outputs (see the module doc), in graph order."""
    T, ops = graph["tensors"], graph["operators"]
    consumers = {}
    for o in ops:
        for i in o["inputs"]:
            consumers.setdefault(i, []).append(o["op"])
    out = []
    for o in ops:
        shape = T[o["outputs"][0]]["shape"]
        spatial = len(shape) == 4 and shape[1] * shape[2] > 1
        if o["op"] == "CONV_2D" and spatial and o["options"].get("fused_activation_function") == "NONE":
            # a projection: linear 1x1, not widening, not followed by an activation
            # (MobileNetV3's expansions take a separate HARD_SWISH) or a reshape (SSD's box heads)
            w = T[o["inputs"][1]]["shape"]
            nxt = consumers.get(o["outputs"][0], [])
            if w[1] == 1 and w[2] == 1 and w[0] <= w[3] and not set(nxt) & _NOT_AFTER_PROJECTION:
                out.append(o["index"])
        elif o["op"] == "ADD" and spatial and o["options"].get("fused_activation_function") == "NONE":
            a, b = (T[i]["shape"] for i in o["inputs"])
            if a == b:
                # the block's own projection is the later input; the earlier one is the skip
                # connection (the previous block's output, which stays a tap)
                producers = {p["outputs"][0]: p["index"] for p in ops}
                own = max(producers.get(i, -1) for i in o["inputs"])
                out = [i for i in out if i != own]
                out.append(o["index"])
    return out


class TFLiteNet(nn.Module):
    """The float graph up to the deepest requested tap; forward(x NCHW float) -> {tap: [B, C]}."""

    def __init__(self, folder, taps, pool=True):
        super().__init__()
        g, buf = load_dump(folder)
        self.graph, self.T = g, g["tensors"]
        blocks = bottleneck_ops(g)
        self.tap_ops = {}
        for t in taps:
            if t.startswith("op"):
                self.tap_ops[t] = int(t[2:])
            elif t.startswith("b"):
                k = int(t[1:])
                if k >= len(blocks):
                    raise ValueError("tap %s: the graph has %d bottlenecks" % (t, len(blocks)))
                self.tap_ops[t] = blocks[k]
            else:
                raise ValueError("tap %r: use op<N> or b<K>" % t)
        last = max(self.tap_ops.values())
        self.ops = g["operators"][:last + 1]
        for o in self.ops:
            if o["op"] not in _SUPPORTED:
                raise ValueError("operator %d: %s is not supported" % (o["index"], o["op"]))
        self.pool = pool
        self.const = {}
        for t in self.T:
            if t["buffer"] is not None:
                off, n = t["buffer"]["offset"], t["buffer"]["bytes"]
                a = np.frombuffer(buf, _NP[t["type"]], n // np.dtype(_NP[t["type"]]).itemsize, off)
                self.const[t["index"]] = a.reshape(t["shape"]).astype(np.float32 if t["type"] in ("FLOAT16", "FLOAT32") else a.dtype)
        for o in self.ops:          # fold DEQUANTIZE of constants (fp16 weights)
            if o["op"] == "DEQUANTIZE" and o["inputs"][0] in self.const:
                self.const[o["outputs"][0]] = self.const[o["inputs"][0]].astype(np.float32)
        self.params = nn.ParameterDict()
        self._prepare()
        self.eval()

    def _p(self, key, array):
        self.params[key] = nn.Parameter(torch.from_numpy(np.ascontiguousarray(array)), requires_grad=False)
        return self.params[key]

    def _prepare(self):
        """Weights in PyTorch layout, per operator."""
        for o in self.ops:
            i = o["index"]
            if o["op"] == "CONV_2D":
                w = self.const[o["inputs"][1]]                      # [O, KH, KW, I]
                self._p("w%d" % i, w.transpose(0, 3, 1, 2))
            elif o["op"] == "DEPTHWISE_CONV_2D":
                w = self.const[o["inputs"][1]]                      # [1, KH, KW, C*M]
                self._p("w%d" % i, w.transpose(3, 0, 1, 2))
            elif o["op"] == "FULLY_CONNECTED":
                self._p("w%d" % i, self.const[o["inputs"][1]])
            else:
                continue
            b = o["inputs"][2] if len(o["inputs"]) > 2 else -1
            if b >= 0:
                self._p("b%d" % i, self.const[b].reshape(-1))

    def _value(self, vals, idx, like=None):
        """A tensor's value: computed, or a constant in NCHW when it broadcasts against a 4-D map."""
        if idx in vals:
            return vals[idx]
        c = torch.from_numpy(self.const[idx].astype(np.float32))
        if c.dim() == 4:
            c = c.permute(0, 3, 1, 2)
        elif c.dim() == 1 and like is not None and like.dim() == 4 and c.numel() > 1:
            c = c.view(1, -1, 1, 1)
        return c

    def forward(self, x):
        vals = {self.graph["inputs"][0]: x}
        want = {op: t for t, op in self.tap_ops.items()}
        out = {}
        for o in self.ops:
            name, i, opt = o["op"], o["index"], o["options"]
            if name == "DEQUANTIZE" and o["inputs"][0] in self.const:
                continue
            ins = o["inputs"]
            if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
                a = vals[ins[0]]
                w = self.params["w%d" % i]
                kh, kw = w.shape[2], w.shape[3]
                sh, sw = opt.get("stride_h", 1), opt.get("stride_w", 1)
                dh, dw = opt.get("dilation_h_factor", 1), opt.get("dilation_w_factor", 1)
                if opt.get("padding") == "SAME":
                    ph, pw = _same_pad(a.shape[2], kh, sh, dh), _same_pad(a.shape[3], kw, sw, dw)
                    if ph[0] or ph[1] or pw[0] or pw[1]:
                        a = F.pad(a, (pw[0], pw[1], ph[0], ph[1]))
                groups = a.shape[1] if name == "DEPTHWISE_CONV_2D" else 1
                b = self.params["b%d" % i] if ("b%d" % i) in self.params else None
                y = F.conv2d(a, w, b, (sh, sw), 0, (dh, dw), groups)
                y = _activation(y, opt.get("fused_activation_function"))
            elif name in ("ADD", "SUB", "MUL"):
                a = self._value(vals, ins[0])
                b = self._value(vals, ins[1], like=a)
                a = self._value(vals, ins[0], like=b)
                y = a + b if name == "ADD" else a - b if name == "SUB" else a * b
                y = _activation(y, opt.get("fused_activation_function"))
            elif name == "HARD_SWISH":
                a = vals[ins[0]]
                y = a * F.relu6(a + 3.0) / 6.0
            elif name == "LOGISTIC":
                y = torch.sigmoid(vals[ins[0]])
            elif name == "RELU":
                y = F.relu(vals[ins[0]])
            elif name == "RELU6":
                y = F.relu6(vals[ins[0]])
            elif name == "MEAN":
                a = vals[ins[0]]
                axes = [int(v) for v in np.asarray(self.const[ins[1]]).reshape(-1)]
                dims = [_NHWC_TO_NCHW[ax % 4] for ax in axes] if a.dim() == 4 else axes
                y = a.mean(dim=dims, keepdim=bool(opt.get("keep_dims", False)))
            elif name in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
                a = vals[ins[0]]
                native = self.T[ins[0]]["shape"]
                fh, fw = opt["filter_height"], opt["filter_width"]
                if (fh, fw) == (native[1], native[2]) and opt.get("padding") == "VALID":
                    y = a.mean((2, 3), keepdim=True) if name == "AVERAGE_POOL_2D" else a.amax((2, 3), keepdim=True)
                elif fh == 1 and fw == 1 and opt.get("stride_h", 1) == 1:
                    y = a
                else:
                    sh, sw = opt["stride_h"], opt["stride_w"]
                    if opt.get("padding") == "SAME":
                        ph, pw = _same_pad(a.shape[2], fh, sh, 1), _same_pad(a.shape[3], fw, sw, 1)
                        a = F.pad(a, (pw[0], pw[1], ph[0], ph[1]), value=float("-inf") if name == "MAX_POOL_2D" else 0.0)
                        if name == "AVERAGE_POOL_2D" and (ph[0] or ph[1] or pw[0] or pw[1]):
                            raise ValueError("operator %d: padded average pooling is not supported" % i)
                    pool = F.avg_pool2d if name == "AVERAGE_POOL_2D" else F.max_pool2d
                    y = pool(a, (fh, fw), (sh, sw))
                y = _activation(y, opt.get("fused_activation_function"))
            elif name == "RESHAPE":
                a = vals[ins[0]]
                if a.dim() == 4:
                    a = a.permute(0, 2, 3, 1)
                shape = list(self.T[o["outputs"][0]]["shape"])
                y = a.reshape([a.shape[0]] + shape[1:]) if a.shape[1:].numel() == int(np.prod(shape[1:])) \
                    else a.reshape(a.shape[0], -1)
                if y.dim() == 4:
                    y = y.permute(0, 3, 1, 2)
            elif name == "FULLY_CONNECTED":
                a = vals[ins[0]].reshape(vals[ins[0]].shape[0], -1)
                b = self.params["b%d" % i] if ("b%d" % i) in self.params else None
                y = _activation(F.linear(a, self.params["w%d" % i], b), opt.get("fused_activation_function"))
            elif name == "CONCATENATION":
                parts = [self._value(vals, j) for j in ins]
                ax = opt.get("axis", -1) % parts[0].dim()
                if parts[0].dim() == 4:
                    ax = _NHWC_TO_NCHW[ax]
                y = _activation(torch.cat(parts, ax), opt.get("fused_activation_function"))
            elif name == "SOFTMAX":
                y = F.softmax(vals[ins[0]] * opt.get("beta", 1.0), dim=-1 if vals[ins[0]].dim() != 4 else 1)
            elif name == "PAD":
                a = vals[ins[0]]
                p = np.asarray(self.const[ins[1]]).reshape(4, 2)        # NHWC (before, after)
                y = F.pad(a, (int(p[2, 0]), int(p[2, 1]), int(p[1, 0]), int(p[1, 1]), int(p[3, 0]), int(p[3, 1])))
            else:
                raise ValueError("operator %d: %s" % (i, name))
            vals[o["outputs"][0]] = y
            if i in want:
                out[want[i]] = y.mean((2, 3)) if (self.pool and y.dim() == 4) else y
        return out
