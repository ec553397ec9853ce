"""PyTorch port of the nsfwjs@4.3.0 Keras teachers (MobileNetV2, InceptionV3), cut at chosen taps.

Builds the network straight from the Keras model JSON stored by teacher_import.py, so the layer
graph, padding and BatchNorm epsilon are Keras' own (asymmetric ZeroPadding2D before stride-2
convs, TF 'same' padding, eps 1e-3, ReLU6). Returns globally average-pooled tap embeddings.
Never trains the weights; the only state it may change is BatchNorm statistics (repair).

Target names (one string, used for cache files too): parts joined by '+', each part
'<model>.<tap>[.<tap>...][.sym][.recal|.fixvar]', e.g. 'mnv2.b13', 'mnv2.b10.b13.recal',
'mnv2.b13+incv3.mixed5'. Models: mnv2 (MobileNetV2), incv3 (InceptionV3, frozen part only).
Input: the package feeds x/255 in [0,1] ('unit', the default); '.sym' feeds 2*x/255-1 in [-1,1]
(the Keras ImageNet convention its frozen layers were trained with).
"""
import json
import os
import re

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from factory.cifar import cache_dir
from factory.tflite_teachers import TEACHERS as TFLITE_TEACHERS, TFLiteTeacherNet

MODELS = {"mnv2": "mobilenet_v2", "incv3": "inception_v3"}
TAPS = {  # short tap name -> Keras layer whose output is pooled
    "mnv2": {"b6": "block_6_project_BN", "b10": "block_10_project_BN",
             "b12": "block_12_add", "b13": "block_13_project_BN",
             "b16": "block_16_project_BN", "out": "out_relu"},
    "incv3": {"mixed2": "mixed2", "mixed4": "mixed4", "mixed5": "mixed5"},
}
REPAIRS = ("recal", "fixvar")


def weights_path(model):
    return os.path.join(cache_dir(), "teacher", f"{model}.npz")


def _same_pad(size, k, s):
    """TF 'same' padding (before, after) for one dimension: the extra pixel goes after."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class KerasNet(nn.Module):
    """A Keras functional model (layers up to the deepest tap) executed with torch ops.

    forward(x) takes float NCHW RGB in [0, 1] and returns a dict tap layer -> [N, C] pooled means.
    """

    def __init__(self, model, taps, symmetric_input=False, path=None):
        super().__init__()
        path = path or weights_path(model)
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path} missing: run factory/teacher_import.py first")
        z = np.load(path)
        topo = json.loads(str(z["__topology__"]))
        self.quant = json.loads(str(z["__meta__"]))["quantization"]
        layers = topo["model_config"]["config"]["layers"]
        self.taps = list(taps)
        self.symmetric_input = symmetric_input
        names = [l["name"] for l in layers]
        for t in self.taps:
            if t not in names:
                raise KeyError(f"{model} has no layer {t}")
        # keep only the layers the taps depend on, in file order (topological in Keras JSON)
        by_name = {l["name"]: l for l in layers}
        need, stack = set(), list(self.taps)
        while stack:
            n = stack.pop()
            if n in need:
                continue
            need.add(n)
            for node in by_name[n]["inbound_nodes"]:
                stack.extend(src[0] for src in node)
        self.graph = []  # (name, class, config, [inputs])
        self.ops = nn.ModuleDict()
        for l in layers:
            if l["name"] not in need:
                continue
            ins = [src[0] for node in l["inbound_nodes"] for src in node]
            self.graph.append((l["name"], l["class_name"], l["config"], ins))
            self._build(l, z)
        # last use of every tensor, to free activations early
        self.last_use = {}
        for i, (_, _, _, ins) in enumerate(self.graph):
            for s in ins:
                self.last_use[s] = i

    @staticmethod
    def _key(name):
        return name.replace(".", "_")

    def _build(self, l, z):
        cls, cfg, name = l["class_name"], l["config"], l["name"]
        if cls == "Conv2D":
            w = torch.from_numpy(z[f"{name}/kernel"]).permute(3, 2, 0, 1).contiguous()
            conv = nn.Conv2d(w.shape[1], w.shape[0], tuple(cfg["kernel_size"]), tuple(cfg["strides"]),
                             bias=cfg["use_bias"])
            conv.weight.data.copy_(w)
            if cfg["use_bias"]:
                conv.bias.data.copy_(torch.from_numpy(z[f"{name}/bias"]))
            self.ops[self._key(name)] = conv
        elif cls == "DepthwiseConv2D":
            k = z[f"{name}/depthwise_kernel"]  # [kh, kw, cin, mult]; out channel = c * mult + m (as TF)
            kh, kw, cin, mult = k.shape
            w = torch.from_numpy(k.reshape(kh, kw, cin * mult)).permute(2, 0, 1).unsqueeze(1).contiguous()
            conv = nn.Conv2d(cin, cin * mult, (kh, kw), tuple(cfg["strides"]), groups=cin,
                             bias=cfg["use_bias"])
            conv.weight.data.copy_(w)
            if cfg["use_bias"]:
                conv.bias.data.copy_(torch.from_numpy(z[f"{name}/bias"]))
            self.ops[self._key(name)] = conv
        elif cls == "BatchNormalization":
            mean = torch.from_numpy(z[f"{name}/moving_mean"])
            bn = nn.BatchNorm2d(mean.numel(), eps=cfg["epsilon"])
            bn.running_mean.copy_(mean)
            bn.running_var.copy_(torch.from_numpy(z[f"{name}/moving_variance"]))
            bn.weight.data.copy_(torch.from_numpy(z[f"{name}/gamma"]) if cfg["scale"]
                                 else torch.ones_like(mean))
            bn.bias.data.copy_(torch.from_numpy(z[f"{name}/beta"]) if cfg["center"]
                               else torch.zeros_like(mean))
            self.ops[self._key(name)] = bn
        elif cls not in ("InputLayer", "ZeroPadding2D", "ReLU", "Activation", "Add", "Concatenate",
                         "MaxPooling2D", "AveragePooling2D"):
            raise NotImplementedError(f"layer {name}: {cls}")

    @torch.no_grad()
    def fuse(self):
        """Folds every BatchNorm into the convolution feeding it (inference only: call after any
        BN repair). Same function, about 1.3x faster on CPU. Irreversible."""
        uses = {}
        for _, _, _, ins in self.graph:
            for s in ins:
                uses[s] = uses.get(s, 0) + 1
        cls_of = {n: c for n, c, _, _ in self.graph}
        for i, (name, cls, cfg, ins) in enumerate(self.graph):
            src = ins[0] if ins else None
            if (cls != "BatchNormalization" or cls_of.get(src) not in ("Conv2D", "DepthwiseConv2D")
                    or uses[src] != 1 or src in self.taps):
                continue
            conv, bn = self.ops[self._key(src)], self.ops[self._key(name)]
            a = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            b = bn.bias - a * bn.running_mean
            if conv.bias is not None:
                b = b + a * conv.bias
            else:
                conv.bias = nn.Parameter(torch.zeros_like(b))
            conv.weight.mul_(a.view(-1, 1, 1, 1))
            conv.bias.copy_(b)
            self.graph[i] = (name, "Identity", cfg, ins)
            del self.ops[self._key(name)]
        return self

    def _pad_same(self, x, k, s):
        pt, pb = _same_pad(x.shape[2], k[0], s[0])
        pl, pr = _same_pad(x.shape[3], k[1], s[1])
        if pt == pb and pl == pr:
            return x, (pt, pl)
        return F.pad(x, (pl, pr, pt, pb)), (0, 0)

    def forward(self, x, pool=True):
        """x: float NCHW RGB [0, 1]. Returns {tap: [N, C] pooled} or {tap: [N, C, H, W]} if not pool."""
        if self.symmetric_input:
            x = x * 2.0 - 1.0
        acts, out = {}, {}
        for i, (name, cls, cfg, ins) in enumerate(self.graph):
            a = [acts[s] for s in ins]
            if cls == "InputLayer":
                y = x
            elif cls in ("Conv2D", "DepthwiseConv2D"):
                op = self.ops[self._key(name)]
                if cfg["padding"] == "same":
                    xin, pad = self._pad_same(a[0], op.kernel_size, op.stride)
                else:
                    xin, pad = a[0], (0, 0)
                y = F.conv2d(xin, op.weight, op.bias, op.stride, pad, 1, op.groups)
                act = cfg.get("activation", "linear")
                if act == "relu":
                    y = F.relu(y)
                elif act != "linear":
                    raise NotImplementedError(f"{name}: activation {act}")
            elif cls == "BatchNormalization":
                y = self.ops[self._key(name)](a[0])
            elif cls == "Identity":  # a BatchNorm folded into its convolution by fuse()
                y = a[0]
            elif cls == "ZeroPadding2D":
                (t, b), (l, r) = cfg["padding"]
                y = F.pad(a[0], (l, r, t, b))
            elif cls == "ReLU":
                if cfg.get("negative_slope", 0) or cfg.get("threshold", 0):
                    raise NotImplementedError(f"{name}: leaky/threshold ReLU")
                y = F.relu(a[0]) if cfg.get("max_value") is None else torch.clamp(a[0], 0.0, cfg["max_value"])
            elif cls == "Activation":
                if cfg["activation"] != "relu":
                    raise NotImplementedError(f"{name}: {cfg['activation']}")
                y = F.relu(a[0])
            elif cls == "Add":
                y = a[0]
                for t in a[1:]:
                    y = y + t
            elif cls == "Concatenate":
                if cfg.get("axis", -1) not in (-1, 3):
                    raise NotImplementedError(f"{name}: concat axis {cfg['axis']}")
                y = torch.cat(a, 1)
            elif cls in ("MaxPooling2D", "AveragePooling2D"):
                k, s = tuple(cfg["pool_size"]), tuple(cfg["strides"])
                if cfg["padding"] == "same":
                    pt, pb = _same_pad(a[0].shape[2], k[0], s[0])
                    pl, pr = _same_pad(a[0].shape[3], k[1], s[1])
                    if not (pt == pb and pl == pr):
                        raise NotImplementedError(f"{name}: asymmetric same pooling")
                    pad = (pt, pl)
                else:
                    pad = (0, 0)
                if cls == "MaxPooling2D":
                    y = F.max_pool2d(a[0], k, s, pad)  # pads with -inf, as TF
                else:  # TF averages over the valid pixels only
                    y = F.avg_pool2d(a[0], k, s, pad, count_include_pad=False)
            acts[name] = y
            if name in self.taps:
                out[name] = y.mean((2, 3)) if pool else y
                if len(out) == len(self.taps):
                    break
            for s in ins:
                if self.last_use.get(s) == i and s not in self.taps:
                    del acts[s]
        return out


def parse_target(target):
    """'mnv2.b13.recal+incv3.mixed5' -> [(model_short, [keras taps], symmetric, repair)]."""
    parts = []
    for part in target.split("+"):
        fields = part.split(".")
        short = fields[0]
        if short in TFLITE_TEACHERS:
            # TFLite teachers (factory/tflite_teachers.py): taps b<K>, op<N> or an alias
            taps = fields[1:]
            for f in taps:
                if not re.fullmatch(r"b\d+|op\d+", f) and f not in TFLITE_TEACHERS[short]["aliases"]:
                    raise ValueError(f"unknown tap '{f}' for {short} (b<K>, op<N>, "
                                     f"{', '.join(TFLITE_TEACHERS[short]['aliases'])})")
            if not taps:
                raise ValueError(f"no tap given for {short} in '{target}'")
            parts.append((short, taps, False, None))
            continue
        if short not in MODELS:
            raise ValueError(f"unknown teacher model '{short}' in '{target}' "
                             f"(one of {list(MODELS) + list(TFLITE_TEACHERS)})")
        taps, sym, repair = [], False, None
        for f in fields[1:]:
            if f == "sym":
                sym = True
            elif f in REPAIRS:
                repair = f
            elif f in TAPS[short]:
                taps.append(TAPS[short][f])
            else:
                raise ValueError(f"unknown tap/option '{f}' for {short} (taps {list(TAPS[short])}, "
                                 f"options sym, {', '.join(REPAIRS)})")
        if not taps:
            raise ValueError(f"no tap given for {short} in '{target}'")
        parts.append((short, taps, sym, repair))
    return parts


def repair_path(short, sym, repair, px):
    return os.path.join(cache_dir(), "teacher", f"{short}{'.sym' if sym else ''}.{repair}-{px}.npz")


def _bn_layers(net):
    return {n: m for n, m in net.ops.items() if isinstance(m, nn.BatchNorm2d)}


@torch.no_grad()
def estimate_bn_stats(net, images, px, batch=100):
    """Re-estimates every BatchNorm's running mean/var from unlabelled uint8 images (AdaBN-style:
    train-mode forward, cumulative average). Returns {bn name: (mean, var)}; net is left in eval."""
    bns = _bn_layers(net)
    saved = {n: (m.running_mean.clone(), m.running_var.clone(), m.momentum) for n, m in bns.items()}
    for m in bns.values():
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average over all batches
        m.train()
    for i in range(0, len(images), batch):
        net(to_input(images[i:i + batch], px))
    stats = {n: (m.running_mean.clone(), m.running_var.clone()) for n, m in bns.items()}
    for n, m in bns.items():
        m.running_mean.copy_(saved[n][0])
        m.running_var.copy_(saved[n][1])
        m.momentum = saved[n][2]
    net.eval()
    return stats


def apply_repair(net, stats, repair):
    """recal: use the re-estimated mean and var everywhere. fixvar: keep the package's statistics
    but replace the variances that uint8 quantization pushed to the tensor's floor (q == 0)."""
    for n, m in _bn_layers(net).items():
        mean, var = stats[n]
        if repair == "recal":
            m.running_mean.copy_(mean)
            m.running_var.copy_(var)
        elif repair == "fixvar":
            v = m.running_var
            floor = v == v.min()
            # only where the floor is a real loss: the quantization floor far below the median
            if float(v.min()) < 0.05 * float(v.median()):
                m.running_var.copy_(torch.where(floor, var, v))
        else:
            raise ValueError(repair)


def to_input(images, px):
    """uint8 [N, H, W, C] (C = 1 or 3) -> float NCHW RGB [0, 1] at px x px (bilinear), channels_last.
    Grey images are replicated to 3 channels."""
    x = torch.from_numpy(np.ascontiguousarray(images))
    if x.dim() == 3:
        x = x.unsqueeze(-1)
    x = x.permute(0, 3, 1, 2).float().div_(255.0)
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    if x.shape[2] != px or x.shape[3] != px:
        x = F.interpolate(x, size=(px, px), mode="bilinear", align_corners=False)
    return x.contiguous(memory_format=torch.channels_last)


class Teacher(nn.Module):
    """A target: one or more KerasNets whose pooled taps are concatenated in the order named."""

    def __init__(self, target, px=96, repair_images=None):
        super().__init__()
        self.target, self.px = target, px
        self.nets = nn.ModuleList()
        for short, taps, sym, repair in parse_target(target):
            if short in TFLITE_TEACHERS:
                self.nets.append(TFLiteTeacherNet(short, taps).to(memory_format=torch.channels_last))
                continue
            net = KerasNet(MODELS[short], taps, symmetric_input=sym).eval()
            if repair:
                path = repair_path(short, sym, repair, px)
                if os.path.exists(path):
                    with np.load(path) as z:
                        stats = {k: (torch.from_numpy(z[k + "/mean"]), torch.from_numpy(z[k + "/var"]))
                                 for k in _bn_layers(net)}
                else:
                    if repair_images is None:
                        raise FileNotFoundError(f"{path} missing and no images given to estimate it")
                    # estimate on the model up to its deepest tap, so the file covers every BN
                    deepest = list(TAPS[short].values())[-1]
                    full = KerasNet(MODELS[short], [deepest], symmetric_input=sym).eval()
                    stats = estimate_bn_stats(full.to(memory_format=torch.channels_last),
                                              repair_images, px)
                    del full
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    tmp = path + ".tmp.npz"
                    np.savez(tmp, **{f"{k}/mean": v[0].numpy() for k, v in stats.items()},
                             **{f"{k}/var": v[1].numpy() for k, v in stats.items()})
                    os.replace(tmp, path)
                apply_repair(net, {k: stats[k] for k in _bn_layers(net)}, repair)
            self.nets.append(net.fuse().to(memory_format=torch.channels_last))
        for p in self.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def forward(self, x):
        feats = []
        for net in self.nets:
            out = net(x)
            feats += [out[t] for t in net.taps]
        return torch.cat(feats, 1)

    @torch.no_grad()
    def embed(self, images, batch=250):
        """uint8 images [N, H, W, C] -> float32 numpy [N, D]."""
        out = [self(to_input(images[i:i + batch], self.px)).numpy() for i in range(0, len(images), batch)]
        return np.concatenate(out).astype(np.float32)


def repair_images_default(n=2000, seed=0):
    """The unlabelled images used for BN repair: a fixed random subset of CIFAR-10 train."""
    from factory.cifar import load_split
    images, _ = load_split("train")
    idx = np.random.default_rng(seed).choice(len(images), n, replace=False)
    return images[np.sort(idx)]
