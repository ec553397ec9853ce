"""What the backprop baselines cost a device: training MACs counted from the op graph, and the
SRAM one training step needs (parameters, optimizer state, the activations backprop keeps, the
gradients live at once). Pure arithmetic on shapes; baselines.py holds the networks.

MACs per sample and training step; a conv with K x K kernel, Cin inputs, Cout outputs, g groups,
Ho x Wo output has F = K*K*(Cin/g)*Cout*Ho*Wo (a linear layer D -> C: F = D*C):
  forward          F for every layer
  grad wrt input   F, for every layer whose input depends on a trainable parameter (backprop
                   runs only as deep as the earliest trained layer)
  grad wrt weight  F * (share of output channels trained), only where weights are trained
  grad wrt bias    Cout*Ho*Wo, only where biases are trained
Not counted (as netspec.macs): ReLU6 masks, residual adds, pooling, upsampling, the loss, the
optimizer update.

SRAM of one training step (the device trains one sample at a time and accumulates the gradient
over the mini-batch; docs/baselines.md "Memory"):
  parameters       every trainable parameter in float32, its gradient accumulator (float32)
                   and the optimizer's state (Adam: two float32 moments): 16 B each
  kept activations what backward reads: the int8 input of every layer whose weights train
                   (1 B/element, the device's forward is int8), a 1-bit mask of every clamp
                   (ReLU6 / saturation) on the gradient path, the head's float input
  gradients        float32 activation gradients alive at once during backward (liveness over
                   the op graph: a tensor's gradient lives from its last consumer's backward to
                   its producer's)
  + the inference arena of the frozen forward (given by the caller: `microt inspect`)
The training samples themselves (k*C frames) are listed apart: a device can keep them in flash.
"""
import math

BYTES_PER_TRAINED_PARAM = {"adam": 16, "sgd": 8}  # value + gradient (+ 2 moments for Adam)


def conv_cost(k, cin, cout, groups, out_hw, need_input_grad, weight_ratio, train_bias):
    """MACs of one conv (out_hw = Ho*Wo): {fwd, bwd_in, bwd_w, bwd_b}. See the module doc."""
    f = k * k * (cin // groups) * cout * out_hw
    n_upd = int(round(cout * weight_ratio))
    return {"fwd": f, "bwd_in": f if need_input_grad else 0,
            "bwd_w": k * k * (cin // groups) * n_upd * out_hw,
            "bwd_b": cout * out_hw if train_bias else 0}


def linear_cost(d, c, need_input_grad):
    """A trained linear head D -> C."""
    return {"fwd": d * c, "bwd_in": d * c if need_input_grad else 0, "bwd_w": d * c, "bwd_b": c}


def total(costs):
    """Sums a list of cost dicts; adds 'bwd' and 'step' (= fwd + bwd) per sample."""
    out = {key: sum(c[key] for c in costs) for key in ("fwd", "bwd_in", "bwd_w", "bwd_b")}
    out["bwd"] = out["bwd_in"] + out["bwd_w"] + out["bwd_b"]
    out["step"] = out["fwd"] + out["bwd"]
    return out


def graph(net, px, in_ch=3):
    """The adapted network's layers in forward order, from shapes alone: a list of dicts
    {kind: conv|lite1|lite2|add|head, name, ins [tensor], out, out_elems, in_elems, cost,
    dep_ins (per input: depends on a trainable parameter), dep_out, w_trained}. Tensors are fold_bn's
    names; lite-residual intermediates are '<block>.lite.h' / '.y'."""
    size = {"input": (px, in_ch)}          # tensor -> (side, channels)
    dep = {"input": False}
    layers = []
    block_out = {dst: (name, src) for name, src, dst, _ in net.blocks}
    elems = lambda t: size[t][0] ** 2 * size[t][1]  # noqa: E731
    for op in net.ops:
        if op["op"] in ("conv", "dw"):
            c = net.conv(op["name"])
            w = c.w_frozen
            o = (size[op["in"]][0] + op["pad"][0] + op["pad"][2] - op["k"]) // op["stride"] + 1
            trained = c.bias.requires_grad or c.w_upd is not None
            size[op["out"]] = (o, w.shape[0])
            dep[op["out"]] = dep[op["in"]] or trained
            layers.append({"kind": "conv", "name": op["name"], "ins": [op["in"]], "out": op["out"],
                           "dep_out": dep[op["out"]],
                           "w_trained": c.w_upd is not None,
                           "cost": conv_cost(op["k"], w.shape[1] * c.groups, w.shape[0], c.groups,
                                             o * o, dep[op["in"]], c.weight_ratio,
                                             c.bias.requires_grad)})
        elif op["op"] == "add":
            size[op["out"]] = size[op["in"]]
            dep[op["out"]] = dep[op["in"]] or dep[op["in1"]]
            layers.append({"kind": "add", "name": op["name"], "ins": [op["in"], op["in1"]],
                           "out": op["out"], "dep_out": dep[op["out"]],
                           "w_trained": False, "cost": None})
        else:
            if op["stage"] == "full":
                d = net.head.in_features
                size["logits"] = (1, net.head.out_features)
                layers.append({"kind": "head", "name": "head", "ins": [op["in"]], "out": "logits",
                               "dep_out": True, "w_trained": True,
                               "cost": linear_cost(d, net.head.out_features, dep[op["in"]])})
            continue
        if op["out"] in block_out and block_out[op["out"]][0] in net.lite:
            name, src = block_out[op["out"]]
            lite = net.lite[name]
            s = size[src][0] // 2 if size[src][0] >= 2 else size[src][0]
            s = (s + 2 - 3) // lite.stride + 1
            cin, cout = lite.conv1.in_channels, lite.conv2.out_channels
            h, pool = name + ".lite.h", name + ".lite.pool"
            size[pool] = (size[src][0] // 2 if size[src][0] >= 2 else size[src][0], cin)
            size[h] = (s, cin)
            layers.append({"kind": "lite1", "name": name + ".lite.conv1", "ins": [src], "out": h,
                           "dep_out": True, "w_trained": True, "reads": pool,
                           "cost": conv_cost(3, cin, cin, lite.groups, s * s, dep[src], 1.0, True)})
            layers.append({"kind": "lite2", "name": name + ".lite.conv2", "ins": [h],
                           "out": op["out"], "dep_out": True, "w_trained": True,
                           "cost": conv_cost(1, cin, cout, 1, s * s, True, 1.0, True)})
            dep[op["out"]] = True
    for layer in layers:
        layer["out_elems"] = elems(layer["out"])
        layer["in_elems"] = [elems(t) for t in layer["ins"]]
        layer["kept_elems"] = elems(layer.get("reads", layer["ins"][0]))
        layer["dep_ins"] = [True] if layer["kind"] == "lite2" else [dep[t] for t in layer["ins"]]
    return layers


def analytic_cost(net, px, in_ch=3):
    """Per-sample training MACs from the graph walk (must equal measured_cost: tested)."""
    return total([layer["cost"] for layer in graph(net, px, in_ch) if layer["cost"]])


def train_memory(net, px, in_ch=3, optimizer="adam"):
    """SRAM bytes of one training step, without the inference arena (module doc):
    {params, kept, grads, total, trainable}."""
    layers = graph(net, px, in_ch)
    n = sum(p.numel() for p in net.parameters() if p.requires_grad)
    params = n * BYTES_PER_TRAINED_PARAM[optimizer]
    kept = 0
    for layer in layers:
        if layer["kind"] == "head":
            kept += 4 * net.head.in_features              # float feature for the weight gradient
            continue
        if layer["w_trained"]:
            kept += layer["kept_elems"]                    # int8 input, 1 B/element
        if layer["dep_out"] and layer["kind"] in ("conv", "add", "lite1"):
            kept += math.ceil(layer["out_elems"] / 8)      # clamp mask, 1 bit/element
    # gradient liveness, backward order: a gradient appears when its last consumer is
    # back-propagated (accumulated if already there) and dies with its producer's backward
    live, peak = {}, 0
    for layer in reversed(layers):
        if not (layer["dep_out"] or layer["kind"] == "head"):
            continue
        live.setdefault(layer["out"], layer["out_elems"])
        for t, e, needed in zip(layer["ins"], layer["in_elems"], layer["dep_ins"]):
            if needed:                                     # (the head's: the pooled map's)
                live.setdefault(t, e)
        peak = max(peak, 4 * sum(live.values()))
        # the block output's gradient is shared by the main path and the lite branch: it dies
        # only when its last producer (the main path's conv, visited after lite2) is done
        if layer["kind"] != "lite2":
            live.pop(layer["out"], None)
    return {"params": params, "kept": kept, "grads": peak, "total": params + kept + peak,
            "trainable": n}


def microt_cost(spec, n_samples, n_classes, iters=200, stages=("part", "full")):
    """MicroT's personalization MACs for a netspec student: one full-model forward per sample
    (the part feature comes free on the way) + 2*N*D*C per L-BFGS iteration for each head.
    stages=('full',) gives TTL's. The results pipeline prices the real runs with the cycle model
    instead (bench/results_energy.py); this is the MAC-level comparison of docs/baselines.md."""
    from factory import netspec
    m = netspec.macs(spec)
    model = netspec.build(spec)
    dims = {"part": model.part_dim, "full": model.full_dim}
    head = sum(2 * n_samples * dims[s] * n_classes * iters for s in stages)
    return {"forward": m["full"] * n_samples, "heads": head, "total": m["full"] * n_samples + head}
