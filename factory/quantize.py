"""Post-training int8 quantization of a netspec model into a .mtm file (docs/quantization.md).

Weights: per-output-channel symmetric, s_w = max|w| / 127, q in [-127, 127]. Activations:
asymmetric per tensor, the range observed on calibration images (min/max by default, or a
two-sided percentile with --percentile), always widened to contain 0 so that zero is exact.
The network input's range is not calibrated: it is the whole range the pre-processing can
produce from 8-bit pixels, so the input LUT never clips. This module must produce exactly
the integers the C runtime and int8_reference.py consume; it never changes their arithmetic.
"""
import argparse
import math

import numpy as np
import torch

from factory import mtm
from factory import netspec

ADD_LEFT_SHIFT = 20


def round_half_away(x):
    """Round half away from zero (C's lround), elementwise; numpy's round is half-to-even."""
    x = np.asarray(x, dtype=np.float64)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def quantize_multiplier(m):
    """TFLite's QuantizeMultiplier: real m >= 0 -> (mult in [2^30, 2^31) or 0, shift) with
    m ~= mult * 2^(shift - 31)."""
    m = float(m)
    if not (m >= 0.0 and math.isfinite(m)):
        raise ValueError("multiplier must be finite and >= 0: %r" % m)
    if m == 0.0:
        return 0, 0
    frac, exp = math.frexp(m)  # m = frac * 2^exp, frac in [0.5, 1)
    q = int(round_half_away(frac * (1 << 31)))
    if q == (1 << 31):
        q //= 2
        exp += 1
    if exp < -31:
        return 0, 0
    if exp > 30:
        raise ValueError("multiplier %g too large for the format" % m)
    return q, exp


def act_params(lo, hi):
    """(scale, zero_point) of an asymmetric int8 tensor covering [lo, hi] (0 always inside)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = (hi - lo) / 255.0
    zp = int(round_half_away(-128.0 - lo / scale))
    return float(np.float32(scale)), max(-128, min(127, zp))


def relu6_clamp(scale, zp):
    """[act_min, act_max]: the int8 image of [0, 6] (docs/quantization.md)."""
    return zp, min(127, zp + int(round_half_away(6.0 / scale)))


def quantize_weights(w):
    """Per-output-channel symmetric int8: w [Cout, ...] float -> (q int8, scale float32 [Cout])."""
    w = np.asarray(w, dtype=np.float64)
    maxabs = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
    scale = np.where(maxabs > 0, maxabs / 127.0, 1.0).astype(np.float32)
    q = round_half_away(w / scale.astype(np.float64).reshape((-1,) + (1,) * (w.ndim - 1)))
    return np.clip(q, -127, 127).astype(np.int8), scale


def input_lut(mean, std, scale, zp, channels):
    """lut[c][p] = clamp(round_half_away((p/255 - mean[c]) / std[c] / scale) + zp) (int8)."""
    p = np.arange(256, dtype=np.float64) / 255.0
    lut = np.empty((channels, 256), dtype=np.int8)
    for c in range(channels):
        v = round_half_away((p - mean[c]) / std[c] / scale) + zp
        lut[c] = np.clip(v, -128, 127).astype(np.int8)
    return lut


def preprocess(images_u8, mean, std):
    """uint8 [N, H, W, C] -> float32 NCHW tensor (x = (p/255 - mean)/std), as the LUT does."""
    x = images_u8.astype(np.float32) / 255.0
    x = (x - np.asarray(mean[:x.shape[3]], np.float32)) / np.asarray(std[:x.shape[3]], np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


def calibrate(ops, images_u8, mean, std, percentile=None, batch=64):
    """{tensor name: (lo, hi)} over calibration images, from the BN-folded float model."""
    stats = {}
    with torch.no_grad():
        for i in range(0, len(images_u8), batch):
            env = netspec.run_folded(ops, preprocess(images_u8[i:i + batch], mean, std))
            for name, v in env.items():
                if name == "input":
                    continue
                v = v.detach().numpy()
                if percentile is None:
                    lo, hi = float(v.min()), float(v.max())
                else:
                    lo, hi = (float(x) for x in np.percentile(v, [100.0 - percentile, percentile]))
                stats.setdefault(name, []).append((lo, hi))
    # min/max: the extremes over batches; percentile: the mean of per-batch percentiles
    out = {}
    for name, r in stats.items():
        los, his = zip(*r)
        out[name] = (min(los), max(his)) if percentile is None else (np.mean(los), np.mean(his))
    return out


def quantize(model, spec, calib_u8, mean, std, channel_order=None, percentile=None, name=None,
             margin=1.0):
    """A netspec model (eval mode; BN folded here) -> mtm.Model. calib_u8: uint8 [N, px, px, C]."""
    model.eval()
    ops = netspec.fold_bn(model)
    c_in = spec["in_ch"]
    px = spec["input_px"]
    if calib_u8.shape[1:] != (px, px, c_in):
        raise ValueError("calibration images must be [N, %d, %d, %d]" % (px, px, c_in))
    mean = tuple(float(v) for v in mean)[:c_in]
    std = tuple(float(v) for v in std)[:c_in]
    ranges = calibrate(ops, calib_u8, mean, std, percentile)
    # widen every range by `margin` (ReLU6 outputs still end at 6): images unlike the
    # calibration set (grey-scale, high-contrast) reach 10-50 % past CIFAR-10's extremes
    ranges = {k: (lo * margin, hi * margin) for k, (lo, hi) in ranges.items()}

    # the input: every value the pre-processing can produce from 8-bit pixels
    lo = min((0.0 - mean[c]) / std[c] for c in range(c_in))
    hi = max((1.0 - mean[c]) / std[c] for c in range(c_in))
    s_in, zp_in = act_params(lo, hi)
    tensors = [mtm.Tensor(px, px, c_in, s_in, zp_in)]
    index = {"input": 0}
    shape = {"input": (px, px, c_in)}
    mops = []
    split_op = None
    for op in ops:
        src = op["in"]
        t_src = tensors[index[src]]
        h, w, c = shape[src]
        if op["op"] in ("conv", "dw"):
            k, s = op["k"], op["stride"]
            pt, pl, pb, pr = op["pad"]
            oh, ow = (h + pt + pb - k) // s + 1, (w + pl + pr - k) // s + 1
            wt = op["weight"].numpy()
            cout = wt.shape[0]
            lo, hi = (0.0, min(6.0, ranges[op["out"]][1])) if op["relu6"] else ranges[op["out"]]
            s_out, zp_out = act_params(lo, hi)
            q, s_w = quantize_weights(wt)
            bias = round_half_away(op["bias"].numpy().astype(np.float64)
                                   / (np.float64(t_src.scale) * s_w.astype(np.float64)))
            bias = np.clip(bias, -2**31, 2**31 - 1).astype(np.int32)
            mult, shift = zip(*[quantize_multiplier(np.float64(t_src.scale) * np.float64(sw)
                                                    / np.float64(s_out)) for sw in s_w])
            if op["op"] == "conv":
                qw = q.transpose(0, 2, 3, 1)            # [Cout][KH][KW][Cin]
                typ = mtm.CONV2D
            else:
                qw = q[:, 0].transpose(1, 2, 0)         # [KH][KW][C]
                typ = mtm.DEPTHWISE_CONV2D
            amin, amax = relu6_clamp(s_out, zp_out) if op["relu6"] else (-128, 127)
            mops.append(mtm.Op(type=typ, input0=index[src], output=len(tensors), kh=k, kw=k,
                               stride_h=s, stride_w=s, pad_top=pt, pad_left=pl, pad_bottom=pb,
                               pad_right=pr, act_min=amin, act_max=amax,
                               weights=np.ascontiguousarray(qw), bias=bias,
                               mult=np.asarray(mult, np.int32), shift=np.asarray(shift, np.int32),
                               wscale=s_w))
            new_shape = (oh, ow, cout)
        elif op["op"] == "add":
            t1 = tensors[index[op["in1"]]]
            s_out, zp_out = act_params(*ranges[op["out"]])
            s0, s1 = np.float64(t_src.scale), np.float64(t1.scale)
            smax2 = 2.0 * max(s0, s1)
            m0 = quantize_multiplier(s0 / smax2)
            m1 = quantize_multiplier(s1 / smax2)
            mo = quantize_multiplier(smax2 / ((1 << ADD_LEFT_SHIFT) * np.float64(s_out)))
            mops.append(mtm.Op(type=mtm.ADD, input0=index[src], input1=index[op["in1"]],
                               output=len(tensors),
                               params=[m0[0], m0[1], m1[0], m1[1], mo[0], mo[1], ADD_LEFT_SHIFT]))
            new_shape = (h, w, c)
        else:  # pool
            s_out, zp_out = act_params(*ranges[op["out"]])
            pm = quantize_multiplier(np.float64(t_src.scale) / (np.float64(s_out) * h * w))
            mops.append(mtm.Op(type=mtm.GLOBAL_AVG_POOL, input0=index[src], output=len(tensors),
                               params=[pm[0], pm[1], 0, 0, 0, 0, 0]))
            new_shape = (1, 1, c)
            if op["stage"] == "part":
                split_op = len(mops)
                part_t = len(tensors)
        index[op["out"]] = len(tensors)
        shape[op["out"]] = new_shape
        tensors.append(mtm.Tensor(*new_shape, s_out, zp_out))
    if channel_order is None:
        channel_order = mtm.ORDER_RGB if c_in == 3 else mtm.ORDER_GRAY
    return mtm.Model(name=name or spec["name"], tensors=tensors, ops=mops, input_tensor=0,
                     part_feature_tensor=part_t, full_feature_tensor=len(tensors) - 1,
                     split_op=split_op, channel_order=channel_order, mean=mean, std=std,
                     input_lut=input_lut(mean, std, s_in, zp_in, c_in))


def _load_calibration(args, spec):
    px, c = spec["input_px"], spec["in_ch"]
    rng = np.random.default_rng(args.seed)
    if getattr(args, "calib_corpus", ""):
        # whole images of the distillation corpus (every source: photos, clip art, renders),
        # resized as training's identity view resizes them
        from factory import views
        from factory.corpus import Corpus
        corpus = Corpus(args.calib_corpus)
        idx = np.sort(rng.permutation(len(corpus))[:args.n_calib])
        x = views.render(corpus, idx, views.params(len(corpus), -1, 0), px)
        imgs = np.clip(np.floor(x.numpy() * 255.0 + 0.5), 0, 255).astype(np.uint8).transpose(0, 2, 3, 1)
    elif args.calib_npy:
        imgs = np.load(args.calib_npy)
    else:
        from factory import cifar
        imgs, _ = cifar.load_split("train", args.cifar) if args.cifar else cifar.load_split("train")
    if not getattr(args, "calib_corpus", ""):
        imgs = imgs[rng.permutation(len(imgs))[:args.n_calib]]
    if imgs.shape[1:3] != (px, px):
        t = torch.from_numpy(imgs.transpose(0, 3, 1, 2).astype(np.float32))
        t = torch.nn.functional.interpolate(t, size=(px, px), mode="bilinear", align_corners=False)
        imgs = np.clip(np.round(t.numpy()), 0, 255).astype(np.uint8).transpose(0, 2, 3, 1)
    if c == 1 and imgs.shape[3] == 3:
        imgs = np.round(imgs.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32))
        imgs = imgs.astype(np.uint8)[..., None]
    return np.ascontiguousarray(imgs)


def main():
    ap = argparse.ArgumentParser(
        description="Quantize a trained netspec checkpoint to an int8 .mtm model file.",
        epilog="The checkpoint is a torch.save'd dict with 'spec' and 'state_dict' "
               "(optionally 'mean' and 'std'). Calibration: --calib-npy (uint8 NHWC), "
               "else the CIFAR-10 train split through factory/cifar.py.")
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True, help="the .mtm file to write")
    ap.add_argument("--calib-npy", help="uint8 [N, H, W, C] calibration images (.npy)")
    ap.add_argument("--cifar", help="path to cifar10-jpeg.tar.gz (default: cifar.py's)")
    ap.add_argument("--n-calib", type=int, default=512, help="calibration images (default 512)")
    ap.add_argument("--percentile", type=float, default=None,
                    help="clip activation ranges at this two-sided percentile, e.g. 99.99 "
                         "(default: plain min/max)")
    ap.add_argument("--name", help="model name in the header (default: the spec's)")
    ap.add_argument("--seed", type=int, default=0, help="picks the calibration subset (default 0)")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    ck = torch.load(args.checkpoint, map_location="cpu")
    spec = ck["spec"]
    model = netspec.build(spec)
    model.load_state_dict(ck["state_dict"])
    mean = ck.get("mean", (0.485, 0.456, 0.406))
    std = ck.get("std", (0.229, 0.224, 0.225))
    calib = _load_calibration(args, spec)
    m = quantize(model, spec, calib, mean, std, percentile=args.percentile, name=args.name)
    buf = mtm.write(m)
    mtm.read(buf)  # validate what we wrote
    with open(args.out, "wb") as f:
        f.write(buf)
    print("wrote %s: %d bytes, %d tensors, %d ops, split_op %d, fingerprint %016x"
          % (args.out, len(buf), len(m.tensors), len(m.ops), m.split_op, m.fingerprint))


if __name__ == "__main__":
    main()
