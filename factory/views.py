"""Augmented views for function-matching distillation: the teacher and the student see the
SAME view of an image (same crop, flip and mixup partner), each at its own input size.

A view is fixed by (seed, epoch, image index), drawn for the whole corpus at once, so the
teacher's targets can be computed once per epoch and cached (factory/view_targets.py) and the
student, in any batch order and on any number of processes, renders the identical view.

View: a random-resized crop (area 25-100 %, aspect 3:4-4:3), a horizontal flip (p 0.5) and,
with probability MIX_P, a mixup with a random partner's own view (lambda ~ U(0, 1)), as in
Beyer et al., "Knowledge distillation: a good teacher is patient and consistent" (CVPR 2022).
Epoch -1 is the identity view (whole image, no flip, no mix): fixed targets, the old recipe.
"""
import numpy as np
import torch
from torchvision.ops import roi_align

MIN_AREA = 0.25
MIX_P = 0.5


def params(n, epoch, seed, mix_p=MIX_P, min_area=MIN_AREA):
    """The views of all n images for one epoch: dict of numpy arrays (boxes in [0, 1])."""
    if epoch < 0:
        box = np.tile(np.array([0, 0, 1, 1], np.float32), (n, 1))
        return {"box": box, "flip": np.zeros(n, bool), "partner": np.arange(n),
                "pbox": box.copy(), "pflip": np.zeros(n, bool), "lam": np.ones(n, np.float32)}
    rng = np.random.default_rng([seed, epoch, 7919])

    def crops():
        area = rng.uniform(min_area, 1.0, n)
        logr = rng.uniform(np.log(3 / 4), np.log(4 / 3), n)
        w = np.minimum(np.sqrt(area * np.exp(logr)), 1.0)
        h = np.minimum(np.sqrt(area / np.exp(logr)), 1.0)
        x0, y0 = rng.uniform(0, 1, n) * (1 - w), rng.uniform(0, 1, n) * (1 - h)
        return np.stack([x0, y0, x0 + w, y0 + h], 1).astype(np.float32), rng.uniform(0, 1, n) < 0.5

    box, flip = crops()
    pbox, pflip = crops()
    partner = rng.permutation(n)
    mixed = rng.uniform(0, 1, n) < mix_p
    lam = np.where(mixed, rng.uniform(0, 1, n), 1.0).astype(np.float32)
    return {"box": box, "flip": flip, "partner": partner, "pbox": pbox, "pflip": pflip, "lam": lam}


def _crop(corpus, idx, box, flip, px):
    """float NCHW [0, 1] crops of corpus images idx (boxes relative), resized to px."""
    out = torch.empty(len(idx), 3, px, px)
    idx = np.asarray(idx)
    for part, lo, hi in ((corpus.small, 0, corpus.n_small), (corpus.large, corpus.n_small, None)):
        sel = np.flatnonzero((idx >= lo) & ((idx < hi) if hi is not None else True))
        if not len(sel):
            continue
        order = np.argsort(idx[sel])                  # memmap reads in file order
        rows = idx[sel][order] - lo
        imgs = torch.from_numpy(np.ascontiguousarray(part[rows])).permute(0, 3, 1, 2).float().div_(255.0)
        side = imgs.shape[-1]
        b = torch.from_numpy(box[sel][order] * side)
        rois = torch.cat([torch.arange(len(sel), dtype=torch.float32)[:, None], b], 1)
        # adaptive sampling (ratio 0): each output pixel averages the source pixels it covers
        crops = roi_align(imgs, rois, (px, px), spatial_scale=1.0, sampling_ratio=0, aligned=True)
        f = torch.from_numpy(flip[sel][order])
        crops[f] = crops[f].flip(3)
        out[torch.from_numpy(sel[order])] = crops
    return out


def render(corpus, idx, p, px):
    """The views of images idx (rows of the epoch's params p) at px: float NCHW [0, 1]."""
    idx = np.asarray(idx)
    x = _crop(corpus, idx, p["box"][idx], p["flip"][idx], px)
    lam = p["lam"][idx]
    mix = np.flatnonzero(lam < 1.0)
    if len(mix):
        y = _crop(corpus, p["partner"][idx[mix]], p["pbox"][idx[mix]], p["pflip"][idx[mix]], px)
        l = torch.from_numpy(lam[mix]).view(-1, 1, 1, 1)
        x[torch.from_numpy(mix)] = l * x[torch.from_numpy(mix)] + (1 - l) * y
    return x
