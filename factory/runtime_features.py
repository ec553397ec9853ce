"""Features from the C runtime: images -> u8 frames at the model's size -> `microt extract`.

The frames are made exactly as training feeds the student (distill.preprocess): pixel/255,
torch bilinear resize (align_corners=False) to the model's px, then -- the only extra step
-- rounded half-up back to 8-bit pixels, because a camera frame is 8-bit and the model file's
input LUT maps bytes. Grey images are replicated to 3 channels for an RGB model (as the
teacher and the float evaluation do). The subprocess runs the device library, so the
features are the integers an MCU computes, dequantized (part feature then full feature).
"""
import argparse
import os
import subprocess

import numpy as np
import torch
import torch.nn.functional as F

from factory import mtm

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MICROT = os.path.join(REPO, "build", "tools", "microt")


def resized_float(images, px, channels=3):
    """uint8 [N, H, W] or [N, H, W, C] -> float NCHW in [0, 1] at px (training's resize)."""
    x = torch.from_numpy(np.ascontiguousarray(images))
    if x.dim() == 3:
        x = x.unsqueeze(-1)
    x = x.permute(0, 3, 1, 2).float().div_(255.0)
    if x.shape[1] == 1 and channels == 3:
        x = x.expand(-1, 3, -1, -1)
    elif x.shape[1] == 3 and channels == 1:
        x = (x * torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True)
    if x.shape[2] != px or x.shape[3] != px:
        x = F.interpolate(x, size=(px, px), mode="bilinear", align_corners=False)
    return x


def normalised(images, px, mean, std, channels=3):
    """The float student's input: training's pre-processing (no rounding to 8 bits)."""
    x = resized_float(images, px, channels)
    c = x.shape[1]
    return (x - torch.tensor(mean[:c]).view(1, c, 1, 1)) / torch.tensor(std[:c]).view(1, c, 1, 1)


def to_frames(images, px, channels=3):
    """uint8 NHWC frames at px: training's resize, rounded half-up and clamped to 0..255."""
    x = resized_float(images, px, channels)
    x = torch.floor(x * 255.0 + 0.5).clamp_(0, 255)
    return np.ascontiguousarray(x.permute(0, 2, 3, 1).numpy().astype(np.uint8))


def model_info(mtm_path):
    """(px, channels, part_dim, full_dim) of a .mtm file."""
    with open(mtm_path, "rb") as f:
        m = mtm.read(f.read())
    t_in = m.tensors[m.input_tensor]
    part = m.tensors[m.part_feature_tensor]
    full = m.tensors[m.full_feature_tensor]
    if t_in.h != t_in.w:
        raise ValueError("%s: non-square input %dx%d" % (mtm_path, t_in.h, t_in.w))
    return t_in.h, t_in.c, part.c, full.c


def extract_frames(mtm_path, frames, microt=DEFAULT_MICROT):
    """u8 frames [N, px, px, C] -> (part [N, Dp], full [N, Df]) float32 from `microt extract`."""
    px, c, dp, df = model_info(mtm_path)
    if frames.dtype != np.uint8 or frames.shape[1:] != (px, px, c):
        raise ValueError("frames must be uint8 [N, %d, %d, %d], got %s %s"
                         % (px, px, c, frames.dtype, frames.shape))
    if not os.path.exists(microt):
        raise FileNotFoundError("%s not built: cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "
                                "&& cmake --build build -j2" % microt)
    r = subprocess.run([microt, "extract", mtm_path], input=np.ascontiguousarray(frames).tobytes(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if r.returncode != 0:
        raise RuntimeError("microt extract %s failed (%d): %s"
                           % (mtm_path, r.returncode, r.stderr.decode(errors="replace")))
    out = np.frombuffer(r.stdout, dtype="<f4")
    if out.size != len(frames) * (dp + df):
        raise RuntimeError("microt extract returned %d floats for %d frames of %d + %d"
                           % (out.size, len(frames), dp, df))
    out = out.reshape(len(frames), dp + df)
    return out[:, :dp].copy(), out[:, dp:].copy()


def extract(mtm_path, images, microt=DEFAULT_MICROT):
    """Images (any size, grey or RGB, uint8) -> (part, full) int8-runtime features."""
    px, c, _, _ = model_info(mtm_path)
    frames = to_frames(images, px, c)
    with open(mtm_path, "rb") as f:
        if mtm.read(f.read()).channel_order == mtm.ORDER_BGR:
            frames = np.ascontiguousarray(frames[..., ::-1])
    return extract_frames(mtm_path, frames, microt)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", help=".mtm file")
    ap.add_argument("images", help="uint8 images .npy ([N, H, W] grey or [N, H, W, 3])")
    ap.add_argument("out", help=".npz with 'part' and 'full' float32 features")
    ap.add_argument("--microt", default=DEFAULT_MICROT)
    args = ap.parse_args()
    part, full = extract(args.model, np.load(args.images), args.microt)
    np.savez(args.out, part=part, full=full)
    print("%s: %d images -> part %s, full %s" % (args.out, len(part), part.shape[1:], full.shape[1:]))


if __name__ == "__main__":
    main()
