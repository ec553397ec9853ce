"""The benchmark's report tasks as fixed, seeded subsets, written as IDX files for the C CLI.

Every method (the C runtime's extractors, raw pixels, the teacher, TinyTL/SparseUpdate) sees the
same images: per task a labelled pool and a disjoint test set (few-shot protocol: k samples per
class drawn from the pool with a draw seed), and a 500-per-class subset split 70/30, stratified,
once per draw (the paper's protocol, repeated, at a size the 2-core machine runs for every
method). All three are REPORT tasks (docs/protocol.md): nothing may be chosen on them.

  fashion: Fashion-MNIST (Debian dataset-fashion-mnist): pool 150/class of train, test
           100/class of t10k; split: 500/class of train
  digits:  OpenCV digits.png (Debian opencv-doc), 500/class: pool 150/class, test 100/class of
           the rest; split: all 5,000
  cifar10: CIFAR-10 *test* split (../shared/data; IN-DOMAIN: the extractors were trained on
           CIFAR-10 train images, TTL with its labels): pool 150/class, test 100/class of the
           rest; split: 500/class

Readers take paths (factory/downstream.py, factory/cifar.py); a missing data set raises
FileNotFoundError and the caller skips the task with a message.
"""
import gzip
import os
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # the factory package

TASKS = ("fashion", "digits", "cifar10")
IN_DOMAIN = {"cifar10"}
# The names docs/protocol.md and the manifest's "selected_on" use for these report tasks.
PROTOCOL_NAME = {"fashion": "fashion-mnist", "digits": "digits", "cifar10": "cifar10-test"}
DRAWS = (0, 1, 2, 3, 4)  # few-shot draws and 70/30 splits: >= 5 for a sample std
NAMES = {
    "fashion": "T-shirt,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Boot",
    "digits": "0,1,2,3,4,5,6,7,8,9",
    "cifar10": "airplane,automobile,bird,cat,deer,dog,frog,horse,ship,truck",
}
POOL_PER_CLASS = 150
TEST_PER_CLASS = 100
SPLIT_PER_CLASS = 500
SPLIT_TRAIN = 0.7


def _per_class(labels, n, rng, exclude=None):
    """Sorted indices of n random samples of each class (not in exclude)."""
    out = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        if exclude is not None:
            idx = np.setdiff1d(idx, exclude)
        out.append(rng.choice(idx, min(n, len(idx)), replace=False))
    return np.sort(np.concatenate(out))


def _raw(name, cifar=None):
    """(pool_source, test_source) as (images, labels) pairs; the same array when the task draws
    both from one set."""
    if name == "fashion":
        from factory.downstream import load_fashion
        d = load_fashion()
        return d["train"], d["test"]
    if name == "digits":
        from factory.downstream import load_digits_png
        d = load_digits_png()
        return d, d
    if name == "cifar10":
        from factory.cifar import DEFAULT_ARCHIVE, load_split
        d = load_split("test", cifar or DEFAULT_ARCHIVE)
        return d, d
    raise ValueError(f"unknown task {name} (one of {TASKS})")


def load(name, cifar=None, pool=POOL_PER_CLASS, test=TEST_PER_CLASS, split=SPLIT_PER_CLASS):
    """{'pool', 'test', 'split_pool'}: (uint8 images [N,H,W(,3)], int64 labels); the 70/30
    protocol splits split_pool once per draw (split())."""
    src_pool, src_test = _raw(name, cifar)
    xp, yp = src_pool[0], np.asarray(src_pool[1], np.int64)
    xt, yt = src_test[0], np.asarray(src_test[1], np.int64)
    rng = np.random.default_rng(20240313)  # fixed: the subsets never change between runs
    a = _per_class(yp, pool, rng)
    b = _per_class(yt, test, rng, exclude=a if src_pool is src_test else None)
    s = _per_class(yp, split, rng)
    return {"pool": (xp[a], yp[a]), "test": (xt[b], yt[b]), "split_pool": (xp[s], yp[s])}


def split(d, draw):
    """The 70/30 split of d['split_pool'] for one draw: {'train', 'test'} (images, labels),
    stratified (70 % of every class in train)."""
    xs, ys = d["split_pool"]
    rng = np.random.default_rng(7919 + draw)
    train, held = [], []
    for c in np.unique(ys):
        idx = rng.permutation(np.flatnonzero(ys == c))
        cut = int(round(SPLIT_TRAIN * len(idx)))
        train.append(idx[:cut])
        held.append(idx[cut:])
    train, held = np.sort(np.concatenate(train)), np.sort(np.concatenate(held))
    return {"train": (xs[train], ys[train]), "test": (xs[held], ys[held])}


def shots(labels, k, seed):
    """Indices (into the pool) of k samples per class for this seed, sorted."""
    rng = np.random.default_rng(1000 * seed + k)
    return np.sort(np.concatenate([rng.choice(np.flatnonzero(labels == c), k, replace=False)
                                   for c in np.unique(labels)]))


def idx_bytes(array):
    """uint8 IDX (plain) of images [n,h,w] / [n,h,w,c] or labels [n]."""
    a = np.ascontiguousarray(array, np.uint8)
    return bytes([0, 0, 0x08, a.ndim]) + struct.pack(">" + "I" * a.ndim, *a.shape) + a.tobytes()


def read_idx(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def write_set(folder, tag, images, labels):
    """Writes TAG-images-idx3-ubyte / TAG-labels-idx1-ubyte in folder, unless the files there
    already hold exactly these bytes (a task whose images changed is rewritten, never reused
    stale); returns both paths."""
    os.makedirs(folder, exist_ok=True)
    xi = os.path.join(folder, f"{tag}-images-idx3-ubyte")
    yi = os.path.join(folder, f"{tag}-labels-idx1-ubyte")
    for path, array in ((xi, images), (yi, labels)):
        want = idx_bytes(array)
        if not (os.path.exists(path) and os.path.getsize(path) == len(want)
                and _read(path) == want):
            with open(path + ".tmp", "wb") as f:
                f.write(want)
            os.replace(path + ".tmp", path)
    return xi, yi


def _read(path):
    with open(path, "rb") as f:
        return f.read()
