"""The downstream (personalization) tasks for linear probes, as uint8 image arrays.

Each task gives a labelled pool (k samples per class are drawn from it) and a disjoint held-out
test set, both fixed subsets chosen with a fixed seed, so every extractor is scored on the same
images. Reads data in place (Debian packages, ../shared/data); never copies images into the repo.
  cifar10: pool = 150/class of CIFAR-10 train, test = 250/class of CIFAR-10 test (RGB 32x32)
  fashion: pool = 150/class of Fashion-MNIST train, test = 250/class of its t10k (grey 28x28)
  digits:  OpenCV digits.png, 500/class 20x20 grey: 150/class pool, the other 350/class test
Sizes are small because teacher features cost ~5 ms/image here on a shared 2-core machine;
pass pool/test sizes to load_task() for larger runs.
"""
import argparse
import gzip
import os

import numpy as np

from factory.cifar import DEFAULT_ARCHIVE, load_split

FASHION_DIR = "/usr/share/datasets/fashion-mnist"  # Debian dataset-fashion-mnist
DIGITS_PNG = "/usr/share/doc/opencv-doc/examples/data/digits.png"  # Debian opencv-doc
TASKS = ("cifar10", "fashion", "digits")
POOL_PER_CLASS = 150  # labelled pool per class (k <= 100 samples per class are drawn from it)
TEST_PER_CLASS = 250  # held-out test images per class (cifar10, fashion)


def _read_idx(path):
    """IDX file (gzip) -> numpy array (uint8 images [N, H, W] or labels [N])."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    arr = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(shape)):
        raise ValueError(f"{path}: {arr.size} bytes for shape {shape}")
    return arr.reshape(shape)


def _per_class_subset(labels, n, seed):
    """Sorted indices of n random samples per class."""
    rng = np.random.default_rng(seed)
    idx = [rng.choice(np.flatnonzero(labels == c), n, replace=False) for c in np.unique(labels)]
    return np.sort(np.concatenate(idx))


def load_fashion(root=FASHION_DIR):
    out = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        x = _read_idx(os.path.join(root, f"{prefix}-images-idx3-ubyte.gz"))
        y = _read_idx(os.path.join(root, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
        out[split] = (x, y)
    return out


def load_digits_png(path=DIGITS_PNG):
    """digits.png: 50 rows x 100 columns of 20x20 cells, 5 rows per digit -> ([5000,20,20], labels)."""
    from PIL import Image
    img = np.asarray(Image.open(path).convert("L"))
    if img.shape != (1000, 2000):
        raise ValueError(f"{path}: expected 1000x2000, got {img.shape}")
    cells = img.reshape(50, 20, 100, 20).transpose(0, 2, 1, 3).reshape(5000, 20, 20)
    labels = np.repeat(np.arange(10), 500)
    return np.ascontiguousarray(cells), labels.astype(np.int64)


def load_task(name, cifar=DEFAULT_ARCHIVE, seed=0, pool=POOL_PER_CLASS, test=TEST_PER_CLASS):
    """Returns {'pool': (images, labels), 'test': (images, labels)}; images uint8 [N,H,W] or [N,H,W,3]."""
    if name == "cifar10":
        xtr, ytr = load_split("train", cifar)
        xte, yte = load_split("test", cifar)
        a, b = _per_class_subset(ytr, pool, seed), _per_class_subset(yte, test, seed + 1)
        return {"pool": (xtr[a], ytr[a]), "test": (xte[b], yte[b])}
    if name == "fashion":
        d = load_fashion()
        a = _per_class_subset(d["train"][1], pool, seed)
        b = _per_class_subset(d["test"][1], test, seed + 1)
        return {"pool": (d["train"][0][a], d["train"][1][a]), "test": (d["test"][0][b], d["test"][1][b])}
    if name == "digits":
        x, y = load_digits_png()
        a = _per_class_subset(y, pool, seed)
        b = np.setdiff1d(np.arange(len(y)), a)
        return {"pool": (x[a], y[a]), "test": (x[b], y[b])}
    raise ValueError(f"unknown task {name} (one of {TASKS})")


def main():
    ap = argparse.ArgumentParser(description="Print the downstream tasks' sizes (a smoke check).")
    ap.add_argument("--cifar", default=DEFAULT_ARCHIVE)
    args = ap.parse_args()
    for t in TASKS:
        try:
            d = load_task(t, args.cifar)
        except FileNotFoundError as e:
            print(f"{t}: unavailable ({e})")
            continue
        for part, (x, y) in d.items():
            print(f"{t} {part}: {x.shape} {x.dtype} per class {np.bincount(y).tolist()}")


if __name__ == "__main__":
    main()
