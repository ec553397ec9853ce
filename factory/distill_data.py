"""What distill.py trains on, in two forms with one interface (n, batch(), notes):

CifarData: CIFAR-10 train with precomputed teacher embeddings of the unaugmented images and an
optional pad-2 crop + flip (the previous recipe; the targets do not follow the augmentation).
ViewData: function matching -- a corpus (factory/corpus.py) whose every view (crop, flip,
mixup: factory/views.py) has its own cached teacher targets (factory/view_targets.py), part and
full stage matched to their own taps; the supervised TTL baseline reads the corpus's CIFAR rows
with the same views and mixes the labels as mixup does.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

from factory import cifar

# ImageNet normalisation (the paper's and the teacher's): x = (pixel/255 - mean) / std.
# The exporter writes these into the model file's input LUT.
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
N_CLASSES = 10
FAKE_TEACHER_DIM = 160


def normalise(x, channels_last):
    """float NCHW [0, 1] -> the students' normalised input."""
    mean = torch.tensor(MEAN, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=x.device).view(1, 3, 1, 1)
    x = (x - mean) / std
    return x.contiguous(memory_format=torch.channels_last) if channels_last else x


def load_data(args, rank):
    """(images uint8 [N,32,32,3], labels int64 [N], teacher float32 [N,D] or None, notes)."""
    notes = []
    try:
        if args.fake:
            raise FileNotFoundError("--fake")
        images, labels = cifar.load_split("train", args.cifar)
    except FileNotFoundError:
        if not (args.smoke or args.fake):
            raise
        g = np.random.default_rng(args.seed)
        n = args.max_images or 512
        images = g.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
        labels = g.integers(0, N_CLASSES, n).astype(np.int64)
        notes.append("CIFAR-10 absent or --fake: RANDOM images and labels (testing only)")
    teacher = None
    if args.mode == "microt":
        path = "" if args.fake else (args.teacher or default_teacher())
        if path and os.path.exists(path):
            teacher = np.load(path, mmap_mode="r")
            if teacher.shape[0] != images.shape[0]:
                raise ValueError("teacher %s has %d rows, CIFAR train has %d"
                                 % (path, teacher.shape[0], images.shape[0]))
            notes.append("teacher %s %s" % (path, tuple(teacher.shape)))
            args.teacher = path
        elif args.smoke or args.fake:
            g = np.random.default_rng(args.seed + 1)
            teacher = g.standard_normal((images.shape[0], FAKE_TEACHER_DIM)).astype(np.float32)
            notes.append("teacher cache absent or --fake: RANDOM targets [%d, %d] (testing only)"
                         % teacher.shape)
            args.teacher = "fake"
        else:
            raise FileNotFoundError("no teacher embeddings: run cache_teacher_features.py or "
                                    "pass --teacher PATH (looked for %r)" % path)
    if args.max_images and args.max_images < images.shape[0]:
        # evenly spaced, so a subset of the class-sorted split still holds every class
        keep = np.linspace(0, images.shape[0] - 1, args.max_images).round().astype(np.int64)
        images, labels = images[keep], labels[keep]
        if teacher is not None:
            teacher = teacher[keep]
    if teacher is not None:
        teacher = np.array(teacher, dtype=np.float32)  # a writable in-memory copy
    return images, labels, teacher, notes


def default_teacher():
    d = os.path.join(cifar.cache_dir(), "teacher")
    f = os.path.join(d, "DEFAULT")
    if not os.path.exists(f):
        return ""
    with open(f) as fh:
        name = fh.read().strip()
    return name if os.path.isabs(name) else os.path.join(d, name)


def preprocess(batch_u8, px, augment, gen, channels_last, device="cpu"):
    """uint8 [B,32,32,3] -> normalised float [B,3,px,px] (bilinear resize, batch-wise) on
    `device`; the augmentation draws come from the CPU generator `gen` on every device."""
    x = torch.from_numpy(batch_u8).to(device).permute(0, 3, 1, 2).float().div_(255.0)
    if augment:
        b, _, h, w = x.shape
        flip = (torch.rand(b, generator=gen) < 0.5).to(device)
        x[flip] = x[flip].flip(3)
        pad = 2
        xp = F.pad(x, (pad, pad, pad, pad), mode="replicate")
        off = torch.randint(0, 2 * pad + 1, (b, 2), generator=gen)
        x = torch.stack([xp[i, :, off[i, 0]:off[i, 0] + h, off[i, 1]:off[i, 1] + w]
                         for i in range(b)])
    if x.shape[-1] != px:
        x = F.interpolate(x, size=(px, px), mode="bilinear", align_corners=False)
    return normalise(x, channels_last)


class CifarData:
    """The previous recipe's data (see the module doc)."""

    def __init__(self, args, rank):
        self.images, self.labels, teacher, self.notes = load_data(args, rank)
        self.n = self.images.shape[0]
        self.args = args
        self.full = self.part = None
        if teacher is not None:
            t = torch.from_numpy(teacher)
            if args.loss == "nmse":
                t = (t - t.mean(0, keepdim=True)) / t.std(0, keepdim=True).clamp_min(1e-6)
            self.full = self.part = t.to(args.device)
        self.weights_full = self.weights_part = None
        self.labels_t = torch.from_numpy(self.labels).to(args.device)

    def dims(self):
        d = self.full.shape[1] if self.full is not None else 0
        return d, d

    def batch(self, idx, epoch, gen):
        a = self.args
        x = preprocess(self.images[idx], a.px, a.augment, gen, a.channels_last, a.device)
        tidx = torch.from_numpy(idx).to(a.device)
        t = self.full[tidx] if self.full is not None else None
        return x, t, t, {"y": self.labels_t[tidx]}


def _tap_columns(meta, names):
    """Column indices and per-column weights of the named taps (balanced: each tap block
    weighs the same, whatever its width)."""
    taps = {t["name"]: t for t in meta["taps"]}
    names = names or list(taps)
    cols, w = [], []
    for n in names:
        if n not in taps:
            raise ValueError("tap %r not in the targets (have %s)" % (n, ", ".join(taps)))
        t = taps[n]
        cols += range(t["start"], t["start"] + t["width"])
        w += [1.0 / (len(names) * t["width"])] * t["width"]
    return np.array(cols), torch.tensor(w)


class ViewData:
    """Function matching on a corpus with cached per-view targets (see the module doc)."""

    STATS_ROWS = 20000

    def __init__(self, args, rank):
        from factory import view_targets
        from factory.corpus import Corpus
        self.args = args
        self.targets, self.meta = view_targets.load(args.targets, need_epochs=args.epochs)
        self.corpus = Corpus(self.meta["corpus"])
        self.n_views = self.targets.shape[0]
        self.identity = self.meta["epochs"] == 0
        if args.mode == "ttl" or args.corpus_rows == "cifar":
            if self.corpus.small_labels is None:
                raise ValueError("corpus %s has no CIFAR-10 rows" % self.corpus.name)
            rows = np.arange(self.corpus.n_small)
        else:
            rows = np.arange(len(self.corpus))
        if args.max_images and args.max_images < len(rows):
            rows = rows[np.linspace(0, len(rows) - 1, args.max_images).round().astype(np.int64)]
        self.rows = rows
        self.n = len(rows)
        self.fcols, self.weights_full = _tap_columns(self.meta, args.full_tap)
        self.pcols, self.weights_part = _tap_columns(self.meta, args.part_tap or args.full_tap)
        pick = rows[np.linspace(0, len(rows) - 1, min(len(rows), self.STATS_ROWS)).round().astype(np.int64)]
        ref = np.asarray(self.targets[0][np.sort(pick)], np.float32)
        self.mu = torch.from_numpy(ref.mean(0))
        self.sd = torch.from_numpy(ref.std(0)).clamp_min(1e-6)
        self._epoch, self._params = None, None
        args.teacher = args.teacher or "views:%s@%d" % (self.meta["teacher"], self.meta["px"])
        self.notes = ["targets %s %s (%s), corpus %s: %d images, %d distinct views per image" % (
            args.targets, tuple(self.targets.shape), ", ".join(t["name"] for t in self.meta["taps"]),
            self.corpus.name, self.n, self.n_views)]

    def dims(self):
        return len(self.fcols), len(self.pcols)

    def _epoch_params(self, epoch):
        from factory import views
        e = -1 if self.identity else epoch % self.n_views
        if self._epoch != e:
            self._params = views.params(len(self.corpus), e, self.meta["seed"], self.meta["mix_p"],
                                        self.meta.get("min_area", views.MIN_AREA))
            self._epoch = e
        return max(e, 0), self._params

    def batch(self, local_idx, epoch, gen):
        from factory import views
        a = self.args
        idx = self.rows[local_idx]
        e, p = self._epoch_params(epoch)
        extra = {}
        if a.mode == "ttl":
            # mixup partners outside the labelled CIFAR rows are not mixed in
            p = dict(p)
            p["lam"] = np.where(p["partner"] < self.corpus.n_small, p["lam"], 1.0).astype(np.float32)
            y = self.corpus.small_labels
            extra = {"y": torch.from_numpy(y[idx]).to(a.device),
                     "y2": torch.from_numpy(y[np.minimum(p["partner"][idx], self.corpus.n_small - 1)]).to(a.device),
                     "lam": torch.from_numpy(p["lam"][idx]).to(a.device)}
        x = normalise(views.render(self.corpus, idx, p, a.px).to(a.device), a.channels_last)
        if a.mode == "ttl":
            return x, None, None, extra
        order = np.argsort(idx)
        t = torch.empty(len(idx), self.targets.shape[2])
        t[torch.from_numpy(order)] = torch.from_numpy(np.asarray(self.targets[e][idx[order]], np.float32))
        t = (t - self.mu) / self.sd
        full = t[:, torch.from_numpy(self.fcols)].to(a.device)
        part = t[:, torch.from_numpy(self.pcols)].to(a.device)
        return x, full, part, extra
