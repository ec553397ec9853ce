"""CIFAR-10 from ../shared/data (JPEG folders) as uint8 arrays, decoded once and cached.

Never copies images into the repository: the decoded arrays live in the cache folder
(default ~/.cache/microt, or $MICROT_CACHE). Order is fixed (class folder, then file name,
both sorted) so cached teacher features line up with images by index.
"""
import argparse
import os
import tarfile

import numpy as np

CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
           "dog", "frog", "horse", "ship", "truck"]
DEFAULT_ARCHIVE = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data",
                               "cifar10-jpeg.tar.gz")


def cache_dir():
    """The folder for decoded data, teacher features and checkpoints (outside the repo)."""
    path = os.environ.get("MICROT_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "microt"))
    os.makedirs(path, exist_ok=True)
    return path


def _decode_from_archive(archive, split):
    from PIL import Image  # python3-pil, a dependency of python3-torchvision
    import io
    images, labels, names = [], [], []
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar.getmembers()
                   if m.isfile() and m.name.lower().endswith((".jpg", ".jpeg"))
                   and f"/{split}/" in "/" + m.name]
        def key(m):
            parts = m.name.split("/")
            return (parts[-2], parts[-1])
        members.sort(key=key)
        for m in members:
            cls = m.name.split("/")[-2]
            if cls not in CLASSES:
                continue
            data = tar.extractfile(m).read()
            img = Image.open(io.BytesIO(data)).convert("RGB")
            images.append(np.asarray(img, dtype=np.uint8))
            labels.append(CLASSES.index(cls))
            names.append(m.name)
    if not images:
        raise FileNotFoundError(f"no {split} images found in {archive}")
    return np.stack(images), np.asarray(labels, dtype=np.int64)


def load_split(split, archive=DEFAULT_ARCHIVE):
    """Returns (images uint8 [N,32,32,3] RGB, labels int64 [N]) for split 'train' or 'test'."""
    if split not in ("train", "test"):
        raise ValueError("split must be 'train' or 'test'")
    archive = os.path.abspath(archive)
    if not os.path.exists(archive):
        raise FileNotFoundError(
            f"CIFAR-10 archive not found at {archive} (pass --cifar PATH to ../shared/data/cifar10-jpeg.tar.gz)")
    out = os.path.join(cache_dir(), f"cifar10-{split}.npz")
    if os.path.exists(out):
        with np.load(out) as z:
            return z["images"], z["labels"]
    images, labels = _decode_from_archive(archive, split)
    tmp = out + ".tmp.npz"
    np.savez(tmp, images=images, labels=labels)
    os.replace(tmp, out)
    return images, labels


# The selection task sel-cifar (factory/selection.py) takes these train images; distillation
# and TTL training never see them, so choices made on them are made on unseen photos.
HOLDOUT_PER_CLASS = 500
HOLDOUT_SEED = 2026


def holdout_indices(labels):
    """Sorted indices of the train images held out for selection (500 per class, fixed seed)."""
    rng = np.random.default_rng(HOLDOUT_SEED)
    idx = [rng.choice(np.flatnonzero(labels == c), HOLDOUT_PER_CLASS, replace=False)
           for c in range(len(CLASSES))]
    return np.sort(np.concatenate(idx))


def training_indices(labels):
    """Sorted indices of the train images the students may train on (all but the hold-out)."""
    keep = np.ones(len(labels), bool)
    keep[holdout_indices(labels)] = False
    return np.flatnonzero(keep)


def main():
    ap = argparse.ArgumentParser(description="Decode CIFAR-10 JPEGs once into the cache folder.")
    ap.add_argument("--cifar", default=DEFAULT_ARCHIVE, help="path to cifar10-jpeg.tar.gz")
    args = ap.parse_args()
    for split in ("train", "test"):
        images, labels = load_split(split, args.cifar)
        print(f"{split}: {images.shape} {np.bincount(labels).tolist()}")


if __name__ == "__main__":
    main()
