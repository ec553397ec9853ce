"""The paper's backprop baselines, simulated in PyTorch: TinyTL and SparseUpdate, with their
training cost from analytically counted forward + backward multiply-accumulates (MACs).

Both start from a student checkpoint (distill.py's final.pt: spec, state_dict, mean, std), fold
its BatchNorm into the convolutions (netspec.fold_bn, running statistics frozen: nothing here
ever updates BN statistics, so train and eval mode are the same network), freeze every weight
and then make a method-specific subset trainable, plus a new linear head on the full feature:

  tinytl        (Cai et al., NeurIPS 2020) every folded conv bias (equivalent to training the
                BN shift beta: bias = beta - mu*gamma/sigma, d bias / d beta = 1), plus one
                lite-residual branch per inverted-residual block b0..bN (not on `first`):
                avg-pool 2x2 of the block input -> 3x3 conv, 2 groups, Cin -> Cin channels,
                stride = the block's, bias, ReLU6 -> 1x1 conv Cin -> Cout, bias, zero-initialised
                (the branch starts as a no-op, like TinyTL's zero final-BN gamma) -> bilinear
                upsample to the block output, added to it. No BN inside the branch.
  sparseupdate  (Lin et al., NeurIPS 2022) the biases of every conv in the last `bias_blocks`
                blocks, plus the weights of the pointwise (1x1) convs -- expand and project --
                of the last `weight_blocks` blocks, only the first `channel_ratio` of their output
                channels; depthwise weights never. The fixed rule stands in for the paper's
                contribution analysis, whose findings it follows: later layers and pointwise convs
                give the most accuracy per byte, depthwise weights the least.

Start: a distill.py checkpoint (final.pt), or -- what the results pipeline uses, since a fresh
machine has no float checkpoint -- a shipped .mtm extractor dequantized to float with its BN
already folded and its int8 output ranges kept as clamps (baselines_mtm.py).
Costs (training MACs, SRAM of a training step): baselines_cost.py.

  factory/run.sh baselines.py --method tinytl --checkpoint models/mcunet-ttl-64.mtm \
      --task fashion --k 10 --seeds 0 1 2 3 4 --epochs 1 3 10 30
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from factory import env
from factory import netspec
from factory.baselines_cost import (analytic_cost, conv_cost, linear_cost, microt_cost,  # noqa: F401
                                    total, train_memory)

METHODS = ("tinytl", "sparseupdate")
DEFAULTS = {
    "tinytl": {"lr": 3e-3, "epochs": 30, "batch": 20},
    "sparseupdate": {"lr": 1e-3, "epochs": 30, "batch": 20,
                     "bias_blocks": 6, "weight_blocks": 3, "channel_ratio": 0.5},
}
EVAL_EPOCHS = (1, 3, 10, 30)  # the curve of the results: accuracy after these epochs, one run
# The learning rates were picked on a validation split of the Fashion-MNIST pool (docs/baselines.md):
# under the protocol (docs/protocol.md) the recipe counts as selected on that task.
SELECTED_ON = ("fashion-mnist",)


# ---------------------------------------------------------------- the adapted network

class FoldedConv(nn.Module):
    """A BN-folded conv with frozen weights; optionally a trainable bias and trainable weights
    for the first n_upd output channels; output clamped to `clamp` (lo, hi) when given (the int8
    range of a dequantized .mtm), else ReLU6 when `relu6`. Records its cost when counting."""

    def __init__(self, name, weight, bias, stride, pad, groups, relu6, clamp=None):
        super().__init__()
        self.name, self.stride, self.pad, self.groups, self.relu6 = name, stride, pad, groups, relu6
        self.clamp = clamp
        self.register_buffer("w_frozen", weight.clone())
        self.w_upd = None
        self.weight_ratio = 0.0
        self.bias = nn.Parameter(bias.clone(), requires_grad=False)
        self.counter = None

    def train_weights(self, ratio):
        n = int(round(self.w_frozen.shape[0] * ratio))
        if n == 0:
            return
        self.weight_ratio = n / self.w_frozen.shape[0]
        self.w_upd = nn.Parameter(self.w_frozen[:n].clone())

    def weight(self):
        if self.w_upd is None:
            return self.w_frozen
        return torch.cat([self.w_upd, self.w_frozen[self.w_upd.shape[0]:]])

    def forward(self, x):
        t, l, b, r = self.pad
        if t == l == b == r:
            y = F.conv2d(x, self.weight(), self.bias, self.stride, t, groups=self.groups)
        else:
            y = F.conv2d(F.pad(x, (l, r, t, b)), self.weight(), self.bias, self.stride,
                         groups=self.groups)
        if self.counter is not None:
            w = self.w_frozen
            self.counter.append((self.name, conv_cost(
                w.shape[2], w.shape[1] * self.groups, w.shape[0], self.groups,
                y.shape[2] * y.shape[3], x.requires_grad, self.weight_ratio,
                self.bias.requires_grad)))
        if self.clamp is not None:
            return torch.clamp(y, self.clamp[0], self.clamp[1])
        return F.relu6(y) if self.relu6 else y


class LiteResidual(nn.Module):
    """TinyTL's lite residual: avgpool 2x2 -> 3x3 group conv (2 groups, stride of the block)
    + bias + ReLU6 -> 1x1 conv (zero init) + bias -> bilinear upsample to the main output."""

    def __init__(self, name, cin, cout, stride, groups=2):
        super().__init__()
        self.name, self.stride, self.groups = name, stride, groups
        self.conv1 = nn.Conv2d(cin, cin, 3, stride, 1, groups=groups)
        self.conv2 = nn.Conv2d(cin, cout, 1)
        nn.init.kaiming_normal_(self.conv1.weight, mode="fan_out")
        nn.init.zeros_(self.conv1.bias)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)
        self.counter = None

    def forward(self, x, out_hw):
        p = F.avg_pool2d(x, 2) if min(x.shape[2:]) >= 2 else x
        h = F.relu6(self.conv1(p))
        y = self.conv2(h)
        if self.counter is not None:
            cin, cout = self.conv1.in_channels, self.conv2.out_channels
            n1, n2 = h.shape[2] * h.shape[3], y.shape[2] * y.shape[3]
            self.counter.append((self.name + ".conv1", conv_cost(
                3, cin, cin, self.groups, n1, p.requires_grad, 1.0, True)))
            self.counter.append((self.name + ".conv2", conv_cost(
                1, cin, cout, 1, n2, True, 1.0, True)))
        return F.interpolate(y, size=out_hw, mode="bilinear", align_corners=False)


class Adapted(nn.Module):
    """A fold_bn()-format op list as modules, plus lite residuals (TinyTL) and a linear head on
    the full pooled feature (full_dim). forward(x) -> logits."""

    def __init__(self, ops, full_dim, n_classes):
        super().__init__()
        self.ops = ops
        self.convs = nn.ModuleDict()
        for op in self.ops:
            if op["op"] in ("conv", "dw"):
                w = op["weight"]
                self.convs[op["name"].replace(".", "_")] = FoldedConv(
                    op["name"], w, op["bias"], op["stride"], op["pad"],
                    w.shape[0] if op["op"] == "dw" else 1, op["relu6"], op.get("clamp"))
        self.blocks = self._blocks()
        self.lite = nn.ModuleDict()
        self.head = nn.Linear(full_dim, n_classes)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        self.counter = None

    def _blocks(self):
        """[(block name, input tensor, output tensor, stride)] of the inverted residuals b0..."""
        out = []
        for op in self.ops:
            if op["op"] == "pool":
                continue
            blk = op["name"].split(".")[0]
            if blk.startswith("b") and blk[1:].isdigit():
                if not out or out[-1][0] != blk:
                    out.append([blk, op["in"], op["out"], 1])
                out[-1][2] = op["out"]
                if op["op"] == "dw":
                    out[-1][3] = op["stride"]
        return [tuple(b) for b in out]

    def conv(self, name):
        return self.convs[name.replace(".", "_")]

    def add_lite_residuals(self):
        chans = {op["out"]: (op["weight"].shape[0] if "weight" in op else None) for op in self.ops}
        c_in = {}
        for op in self.ops:
            if "weight" in op:
                c_in[op["in"]] = op["weight"].shape[1] * (op["weight"].shape[0] if op["op"] == "dw" else 1)
        for name, src, dst, stride in self.blocks:
            cout = chans[dst] if chans.get(dst) else self.conv(name + ".project").w_frozen.shape[0]
            self.lite[name] = LiteResidual(name + ".lite", c_in[src], cout, stride)

    def set_counter(self, counter):
        self.counter = counter
        for m in list(self.convs.values()) + list(self.lite.values()):
            m.counter = counter

    def first_trained_op(self):
        """Index of the first op holding a trainable parameter (or a lite residual): everything
        before it is a frozen prefix whose outputs can be computed once and reused."""
        for i, op in enumerate(self.ops):
            if op["op"] in ("conv", "dw"):
                c = self.conv(op["name"])
                if c.bias.requires_grad or c.w_upd is not None or \
                        op["name"].split(".")[0] in self.lite:
                    return i
        return len(self.ops)

    def run_ops(self, env, lo=0, hi=None):
        """Runs ops[lo:hi] on the tensors in env (in place); returns the full pooled feature when
        the full pool is reached, else None."""
        block_out = {dst: (name, src) for name, src, dst, _ in self.blocks}
        for op in self.ops[lo:hi]:
            if op["op"] in ("conv", "dw"):
                env[op["out"]] = self.conv(op["name"])(env[op["in"]])
            elif op["op"] == "add":
                y = env[op["in"]] + env[op["in1"]]
                env[op["out"]] = torch.clamp(y, *op["clamp"]) if op.get("clamp") else y
            elif op["stage"] == "full":
                return env[op["in"]].mean((2, 3))
            if op["out"] in block_out and block_out[op["out"]][0] in self.lite:
                name, src = block_out[op["out"]]
                y = env[op["out"]]
                env[op["out"]] = y + self.lite[name](env[src], y.shape[2:])
        return None

    def prefix(self, x):
        """(cut, {tensor: value}) of the frozen prefix: the tensors that ops[cut:] read."""
        cut = self.first_trained_op()
        env = {"input": x}
        with torch.no_grad():
            self.run_ops(env, 0, cut)
        needed = {op[key] for op in self.ops[cut:] for key in ("in", "in1") if key in op}
        needed |= {src for name, src, _, _ in self.blocks if name in self.lite}
        return cut, {t: v for t, v in env.items() if t in needed}

    def features(self, x, cut=0):
        """Full pooled feature; x is the input tensor, or (cut > 0) prefix()'s dict."""
        env = dict(x) if cut else {"input": x}
        f = self.run_ops(env, cut)
        if f is None:
            raise ValueError("no full pool in the op list")
        return f

    def forward(self, x, cut=0):
        f = self.features(x, cut)
        y = self.head(f)
        if self.counter is not None:
            self.counter.append(("head", linear_cost(f.shape[1], y.shape[1], f.requires_grad)))
        return y


def configure(net, method, opts):
    """Makes the method's parameter subset trainable (everything else frozen)."""
    for p in net.parameters():
        p.requires_grad_(False)
    if method == "tinytl":
        net.add_lite_residuals()
        for c in net.convs.values():
            c.bias.requires_grad_(True)
    elif method == "sparseupdate":
        names = [b[0] for b in net.blocks]
        for blk in names[len(names) - opts["bias_blocks"]:]:
            for suffix in (".expand", ".dw", ".project"):
                key = (blk + suffix).replace(".", "_")
                if key in net.convs:
                    net.convs[key].bias.requires_grad_(True)
        for blk in names[len(names) - opts["weight_blocks"]:]:
            for suffix in (".expand", ".project"):
                key = (blk + suffix).replace(".", "_")
                if key in net.convs:
                    net.convs[key].train_weights(opts["channel_ratio"])
    else:
        raise ValueError("unknown method %r (one of %s)" % (method, ", ".join(METHODS)))
    for p in net.head.parameters():
        p.requires_grad_(True)
    for p in net.lite.parameters():
        p.requires_grad_(True)
    return net


def start_ops(ck):
    """(fold_bn-format ops, full feature dim) of a start: a distill.py checkpoint dict (spec,
    state_dict) or a dequantized .mtm (ops, full_dim; load_start)."""
    if "ops" in ck:
        return ck["ops"], ck["full_dim"]
    model = netspec.build(ck["spec"])
    model.load_state_dict(ck["state_dict"])
    model.eval()
    return netspec.fold_bn(model), model.full_dim


def build(ck, method, n_classes, opts=None, seed=0):
    """The adapted network for start `ck` (see start_ops)."""
    o = dict(DEFAULTS[method], **(opts or {}))
    torch.manual_seed(seed)  # lite-residual initialisation
    ops, full_dim = start_ops(ck)
    net = Adapted(ops, full_dim, n_classes)
    return configure(net, method, o), o


def measured_cost(net, px, in_ch=3):
    """Per-sample costs from the forward hooks (autograd's requires_grad decides which input
    gradients backprop needs): (total dict, [(layer, cost)])."""
    rec = []
    net.set_counter(rec)
    try:
        net(torch.zeros(1, in_ch, px, px))
    finally:
        net.set_counter(None)
    return total([c for _, c in rec]), rec


# ---------------------------------------------------------------- data + training

def to_input(images, px, mean, std, in_ch=3):
    """uint8 [N,H,W] / [N,H,W,C] -> normalised float NCHW at px, as distill.preprocess (pixel/255,
    bilinear resize, align_corners=False, (x - mean)/std); grey replicated to 3 channels."""
    x = torch.from_numpy(np.ascontiguousarray(images))
    if x.dim() == 3:
        x = x.unsqueeze(-1)
    x = x.permute(0, 3, 1, 2).float().div_(255.0)
    if x.shape[1] == 1 and in_ch == 3:
        x = x.expand(-1, 3, -1, -1)
    if x.shape[2] != px or x.shape[3] != px:
        x = F.interpolate(x, size=(px, px), mode="bilinear", align_corners=False)
    c = x.shape[1]
    return (x - torch.tensor(mean[:c]).view(1, c, 1, 1)) / torch.tensor(std[:c]).view(1, c, 1, 1)


def start_input(ck, images):
    """The start's input tensor for uint8 images: a .mtm's frames through its LUT, else the
    checkpoint's training pre-processing."""
    if "ops" in ck:
        from factory import baselines_mtm
        return baselines_mtm.images_to_input(images, ck["info"])
    return to_input(images, ck["spec"]["input_px"], ck["mean"], ck["std"], ck["spec"]["in_ch"])


def few_shot(pool_y, k, seed):
    """Indices of k samples per class drawn from the pool: probe.probe_accuracy's draw, so
    every method sees the same samples for a (k, seed)."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.choice(np.flatnonzero(pool_y == c), k, replace=False)
                           for c in np.unique(pool_y)])


def accuracy(net, x, y, batch=500):
    net.eval()
    right = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            right += int((net(x[i:i + batch]).argmax(1) == torch.from_numpy(y[i:i + batch])).sum())
    return right / len(x)


def fine_tune(ck, method, x_train, y_train, x_test, y_test, seed=0, opts=None, log=None,
              keep_net=False, eval_epochs=None):
    """Trains the method's subset with Adam on (x_train, y_train) (float input tensors) for
    opts['epochs'] epochs (default: max(eval_epochs) when given); scores the test set after each
    epoch in eval_epochs (constant lr: the first e epochs of a longer run ARE an e-epoch run).
    Returns dict(acc (last epoch), curve [{epoch, acc, steps, train_macs}], train_macs,
    fwd/bwd/step_macs_per_sample, steps, ...), plus the trained network under 'net' with keep_net."""
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    if eval_epochs:
        opts = dict(opts or {}, epochs=max(eval_epochs))
    net, o = build(ck, method, n_classes, opts, seed)
    px, in_ch = x_train.shape[2], x_train.shape[1]
    cost, _ = measured_cost(net, px, in_ch)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=o["lr"])
    gen = torch.Generator().manual_seed(seed)
    yt = torch.from_numpy(y_train)
    n, steps, curve = len(x_train), 0, []
    t0 = time.time()
    # Simulation speed-up only: the frozen prefix is computed once (the counted cost still
    # charges a whole forward per sample and step, as the device would run it).
    cut, cache = net.prefix(x_train.contiguous(memory_format=torch.channels_last))
    for ep in range(o["epochs"]):
        net.train()
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, o["batch"]):
            idx = perm[i:i + o["batch"]]
            batch = {t: v[idx] for t, v in cache.items()} if cut else cache["input"][idx]
            loss = F.cross_entropy(net(batch, cut), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
        if eval_epochs and ep + 1 in eval_epochs:
            curve.append({"epoch": ep + 1, "acc": accuracy(net, x_test, y_test), "steps": steps,
                          "train_macs": cost["step"] * n * (ep + 1)})
        if log and (ep + 1) % 10 == 0:
            log("  epoch %d loss %.4f" % (ep + 1, float(loss)))
    train_s = time.time() - t0
    acc = curve[-1]["acc"] if curve and curve[-1]["epoch"] == o["epochs"] else accuracy(net, x_test, y_test)
    n_train = sum(p.numel() for p in params)
    return {"acc": acc, "curve": curve, "train_macs": cost["step"] * n * o["epochs"],
            "fwd_macs_per_sample": cost["fwd"], "step_macs_per_sample": cost["step"],
            "bwd_macs_per_sample": cost["bwd"], "steps": steps, "epochs": o["epochs"],
            "n_train": n, "trainable_params": n_train, "train_s": train_s, "opts": o,
            "memory": train_memory(net, px, in_ch),
            **({"net": net} if keep_net else {})}


def load_checkpoint(path):
    ck = torch.load(path, map_location="cpu")
    for key in ("spec", "state_dict", "mean", "std"):
        if key not in ck:
            raise ValueError("%s: no %r (not a distill.py final.pt?)" % (path, key))
    return ck


def load_start(path):
    """A start for build(): a shipped .mtm (dequantized, baselines_mtm.py) or a final.pt."""
    if path.endswith(".mtm"):
        from factory import baselines_mtm
        ops, info = baselines_mtm.load(path)
        return {"ops": ops, "full_dim": info["full_dim"], "info": info, "path": path}
    return load_checkpoint(path)


def run_images(method, start, x_train, y_train, x_test, y_test, seed, epochs=EVAL_EPOCHS,
               opts=None, log=None):
    """The results pipeline's entry: fine-tunes `method` from `start` (load_start's dict or a
    path) on the given uint8 images -- the very images the other rows use -- and scores the
    test images after each of `epochs`. Returns fine_tune's dict without the network."""
    ck = load_start(start) if isinstance(start, str) else start
    xtr, xte = start_input(ck, x_train), start_input(ck, x_test)
    return fine_tune(ck, method, xtr, np.asarray(y_train, np.int64), xte,
                     np.asarray(y_test, np.int64), seed, opts, log, eval_epochs=tuple(epochs))


_TASKS = {}


def _task(task, cifar=None):
    if task not in _TASKS:
        from factory import downstream
        _TASKS[task] = downstream.load_task(task, cifar) if cifar else downstream.load_task(task)
    return _TASKS[task]


def run(method, checkpoint, task, k, seed, opts=None, cifar=None, log=None):
    """Fine-tunes `method` from `checkpoint` (a .mtm / final.pt path or a loaded start) on k
    samples per class of `task` (downstream.load_task's pool, drawn as the probes draw them) and
    scores on the task's test set. Returns dict(acc (0..1), train_macs, steps, ...)."""
    ck = load_start(checkpoint) if isinstance(checkpoint, str) else checkpoint
    d = _task(task, cifar)
    (px_, py), (tx, ty) = d["pool"], d["test"]
    idx = few_shot(py, k, seed)
    xtr, xte = start_input(ck, px_[idx]), start_input(ck, tx)
    r = fine_tune(ck, method, xtr, py[idx], xte, ty, seed, opts, log)
    if "spec" in ck:
        r["microt_macs"] = microt_cost(ck["spec"], len(idx), int(py.max()) + 1)["total"]
        r["ttl_macs"] = microt_cost(ck["spec"], len(idx), int(py.max()) + 1, stages=("full",))["total"]
    return r


def probe_reference(checkpoint, task, k, seed, cifar=None):
    """The frozen-extractor reference on the same samples: probe.probe_accuracy (standardised
    features, logistic regression) on the start's full pooled feature -- what TTL's (and
    MicroT's full-stage) personalization trains. Returns accuracy 0..1."""
    from factory import probe
    ck = load_start(checkpoint) if isinstance(checkpoint, str) else checkpoint
    d = _task(task, cifar)
    key = (id(ck.get("ops", ck.get("state_dict"))), task)
    if key not in _FEATS:
        _FEATS[key] = _full_features(ck, d)
    feats = _FEATS[key]
    return probe.probe_accuracy(feats[0], d["pool"][1], feats[1], d["test"][1], k, seed)


_FEATS = {}


def _full_features(ck, d):
    ops, full_dim = start_ops(ck)
    net = Adapted(ops, full_dim, 2).eval()
    feats = []
    with torch.no_grad():
        for images, _ in (d["pool"], d["test"]):
            f = [net.features(start_input(ck, images[i:i + 500])).numpy()
                 for i in range(0, len(images), 500)]
            feats.append(np.concatenate(f))
    return feats


def _fmt_macs(n):
    return "%.2f G" % (n / 1e9) if n >= 1e8 else "%.1f M" % (n / 1e6)


def main():
    ap = argparse.ArgumentParser(description="TinyTL / SparseUpdate fine-tuning with counted MACs.")
    ap.add_argument("--method", choices=METHODS, required=True)
    ap.add_argument("--checkpoint", required=True, help="a shipped .mtm (dequantized) or a distill.py final.pt")
    ap.add_argument("--task", required=True, choices=("cifar10", "fashion", "digits"))
    ap.add_argument("--k", type=int, default=10, help="labelled samples per class")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--lr", type=float)
    ap.add_argument("--epochs", type=int, nargs="+", default=[30],
                    help="score after these epochs (one run of the largest)")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--cifar", default=None)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--probe", action="store_true",
                    help="also score a linear probe on the frozen full feature, same samples")
    args = ap.parse_args()
    env.set_up(args.threads)
    opts = {key: getattr(args, key) for key in ("lr", "batch") if getattr(args, key)}
    opts["epochs"] = max(args.epochs)
    ck = load_start(args.checkpoint)
    accs, probes, res = {e: [] for e in args.epochs}, [], None
    for s in args.seeds:
        if args.probe:
            probes.append(100 * probe_reference(ck, args.task, args.k, s, args.cifar))
            print("seed %d: frozen-feature probe %.2f%%" % (s, probes[-1]), flush=True)
        d = _task(args.task, args.cifar)
        idx = few_shot(d["pool"][1], args.k, s)
        xtr, xte = start_input(ck, d["pool"][0][idx]), start_input(ck, d["test"][0])
        res = fine_tune(ck, args.method, xtr, d["pool"][1][idx], xte, d["test"][1], s, opts,
                        print if args.verbose else None, eval_epochs=tuple(args.epochs))
        for c in res["curve"]:
            accs[c["epoch"]].append(100 * c["acc"])
        print("seed %d: %s (%d steps, %.0f s)" % (s, ", ".join(
            "%d ep %.2f%%" % (c["epoch"], 100 * c["acc"]) for c in res["curve"]), res["steps"],
            res["train_s"]), flush=True)
    name = os.path.basename(args.checkpoint)
    ddof = 1 if len(args.seeds) > 1 else 0
    print("| method | start | task | k | epochs | acc %% (mean ± sample std, %d draws) | training MACs "
          "| fwd+bwd MACs/sample | training SRAM (no arena) |" % len(args.seeds))
    print("|---|---|---|---|---:|---|---:|---:|---:|")
    for e in args.epochs:
        m = res["memory"]
        print("| %s (simulated, counted MACs) | %s | %s | %d | %d | %.2f ± %.2f | %s | %s | %d B |" % (
            args.method, name, args.task, args.k, e, float(np.mean(accs[e])),
            float(np.std(accs[e], ddof=ddof)), _fmt_macs(res["step_macs_per_sample"] * res["n_train"] * e),
            _fmt_macs(res["step_macs_per_sample"]), m["total"]))
    if probes:
        print("| linear probe on the frozen full feature | %s | %s | %d | – | %.2f ± %.2f | | | |" % (
            name, args.task, args.k, float(np.mean(probes)), float(np.std(probes, ddof=ddof))))


if __name__ == "__main__":
    main()
