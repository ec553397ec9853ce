"""A shipped .mtm extractor as the float network the backprop baselines fine-tune.

TinyTL and SparseUpdate must start from the extractor the other rows of the results use, and a
fresh machine has only models/*.mtm (no float checkpoint). This module dequantizes one: every
conv weight w = wscale[c] * q, every bias b = in_scale * wscale[c] * q_bias (BatchNorm was folded
before export), every op's output clamped to the real range its int8 output tensor can hold
((act_min - zp) * scale .. (act_max - zp) * scale: ReLU6 where the exporter put it, the
calibrated saturation elsewhere), and the input as the device sees it: 8-bit frames through the
model's input LUT, dequantized. The result is fold_bn()'s op-list format (netspec.py), with block
names (stem, first, b0.., mix) recovered from the graph, so baselines.Adapted runs it unchanged.
What stays different from the device: float arithmetic instead of int8 rounding between layers.
It never writes a model file.
"""

import numpy as np
import torch

from factory import mtm


def _real_range(t, op):
    """The real values an op's int8 output can take (its clamp, dequantized)."""
    return (float(t.scale * (op.act_min - t.zero_point)), float(t.scale * (op.act_max - t.zero_point)))


def _conv_weight(op, t_in, t_out):
    """torch [Cout, Cin/groups, KH, KW] float32 weight and [Cout] bias of a conv/depthwise op."""
    ws = op.wscale.astype(np.float64)
    if op.type == mtm.DEPTHWISE_CONV2D:
        w = op.weights.astype(np.float64).reshape(op.kh, op.kw, t_in.c).transpose(2, 0, 1)[:, None]
    else:
        w = op.weights.astype(np.float64).reshape(t_out.c, op.kh, op.kw, t_in.c).transpose(0, 3, 1, 2)
    w = w * ws[:, None, None, None]
    b = op.bias.astype(np.float64) * t_in.scale * ws
    return torch.tensor(w, dtype=torch.float32), torch.tensor(b, dtype=torch.float32)


def _block_names(model):
    """{op index: name} for the convolutions and adds: stem, first.*, b<i>.{expand,dw,project,add},
    mix. A block is centred on its depthwise op: the 1x1 conv feeding it is its expand, the 1x1
    conv it feeds is its project, an ADD of the project's output its residual."""
    ops, names = model.ops, {}
    is_pw = [op.type == mtm.CONV2D and op.kh == 1 and op.kw == 1 for op in ops]
    block = 0
    for j, op in enumerate(ops):
        if op.type != mtm.DEPTHWISE_CONV2D:
            continue
        has_expand = j > 0 and is_pw[j - 1] and ops[j - 1].output == op.input0 and j - 1 not in names
        first = block == 0 and not has_expand and names == {} and j == 1
        name = "first" if first else "b%d" % block
        if not first:
            block += 1
        if has_expand:
            names[j - 1] = name + ".expand"
        names[j] = name + ".dw"
        if j + 1 < len(ops) and is_pw[j + 1] and ops[j + 1].input0 == op.output:
            names[j + 1] = name + ".project"
            if j + 2 < len(ops) and ops[j + 2].type == mtm.ADD and \
                    ops[j + 1].output in (ops[j + 2].input0, ops[j + 2].input1):
                names[j + 2] = name + ".add"
    for i, op in enumerate(ops):
        if i in names or op.type not in (mtm.CONV2D, mtm.ADD):
            continue
        if op.type == mtm.CONV2D and op.input0 == model.input_tensor:
            names[i] = "stem"
        elif op.type == mtm.CONV2D and "mix" not in names.values():
            names[i] = "mix"
        else:
            raise ValueError("op %d (%s) fits no stem/block/mix pattern" % (i, mtm.OP_NAMES[op.type]))
    return names


def folded_ops(model):
    """fold_bn()-format op list of a parsed .mtm Model (see module doc); each conv/add op also
    carries 'clamp' (lo, hi); 'relu6' marks the convs whose clamp starts at 0."""
    tname = lambda i: "input" if i == model.input_tensor else "t%d" % i  # noqa: E731
    names = _block_names(model)
    out = []
    for i, op in enumerate(model.ops):
        t_in, t_out = model.tensors[op.input0], model.tensors[op.output]
        if op.type in (mtm.CONV2D, mtm.DEPTHWISE_CONV2D):
            if op.kh != op.kw or op.stride_h != op.stride_w:
                raise ValueError("op %d: non-square kernel or stride" % i)
            w, b = _conv_weight(op, t_in, t_out)
            lo, hi = _real_range(t_out, op)
            out.append({"op": "dw" if op.type == mtm.DEPTHWISE_CONV2D else "conv", "name": names[i],
                        "in": tname(op.input0), "out": tname(op.output), "weight": w, "bias": b,
                        "k": op.kh, "stride": op.stride_h,
                        "pad": (op.pad_top, op.pad_left, op.pad_bottom, op.pad_right),
                        "relu6": abs(lo) < 1e-6, "clamp": (lo, hi)})
        elif op.type == mtm.ADD:
            out.append({"op": "add", "name": names[i], "in": tname(op.input0),
                        "in1": tname(op.input1), "out": tname(op.output),
                        "clamp": _real_range(t_out, op)})
        elif op.type == mtm.GLOBAL_AVG_POOL:
            stage = "part" if op.output == model.part_feature_tensor else "full"
            if stage == "full" and op.output != model.full_feature_tensor:
                raise ValueError("op %d: a pool that is neither stage's feature" % i)
            out.append({"op": "pool", "name": stage + "_pool", "in": tname(op.input0),
                        "out": tname(op.output), "stage": stage})
        else:
            raise ValueError("op %d: %s has no float counterpart here" % (i, mtm.OP_NAMES.get(op.type)))
    return out


def load(path):
    """(ops, info) for a .mtm file: info = {px, in_ch, part_dim, full_dim, lut (float32 [C][256],
    the dequantized input LUT), order, name, fingerprint, macs (conv MACs of the whole model)}."""
    with open(path, "rb") as f:
        model = mtm.read(f.read())
    t_in = model.tensors[model.input_tensor]
    if t_in.h != t_in.w:
        raise ValueError("%s: non-square input" % path)
    lut = (t_in.scale * (model.input_lut.astype(np.float32) - t_in.zero_point)).astype(np.float32)
    macs = sum(mtm.op_macs(op, model.tensors) for op in model.ops
               if op.type in (mtm.CONV2D, mtm.DEPTHWISE_CONV2D))
    info = {"px": t_in.h, "in_ch": t_in.c, "part_dim": model.tensors[model.part_feature_tensor].c,
            "full_dim": model.tensors[model.full_feature_tensor].c, "lut": lut,
            "order": model.channel_order, "name": model.name,
            "fingerprint": "%016x" % model.fingerprint, "macs": int(macs)}
    return folded_ops(model), info


def frames_to_input(frames, lut):
    """u8 frames [N, px, px, C] (the model's channel order) -> float NCHW through the LUT."""
    f = torch.from_numpy(np.ascontiguousarray(frames)).long()
    table = torch.from_numpy(lut)
    x = torch.stack([table[c][f[..., c]] for c in range(f.shape[-1])], 1)
    return x.contiguous()


def images_to_input(images, info):
    """Images (any size, grey or RGB, uint8) -> the float input the device's frames give:
    runtime_features.to_frames (bilinear resize, rounded to 8 bits) then the input LUT."""
    from runtime_features import to_frames
    frames = to_frames(images, info["px"], info["in_ch"])
    if info["order"] == mtm.ORDER_BGR:
        frames = np.ascontiguousarray(frames[..., ::-1])
    return frames_to_input(frames, info["lut"])
