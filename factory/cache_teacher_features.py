"""Computes a teacher target's pooled embedding for all CIFAR-10 train and test images, once.

Writes float32 [N, D] to <cache>/teacher/<target>-<px>.npy (train, N = 50,000, order of
factory.cifar.load_split('train')) and <target>-<px>-test.npy, through a temporary name and a
rename, so a half-written file never appears. --default also writes <cache>/teacher/DEFAULT
(the train file name) for the distillation scripts. Never writes into the repository.
"""
import argparse
import os
import sys
import time

# glibc's default mmap threshold made PyTorch 7-10x slower on large activations (env notes)
import numpy as np
import torch

from factory import env
from factory.cifar import DEFAULT_ARCHIVE, cache_dir, load_split
from factory.teacher import Teacher, repair_images_default


def feature_path(target, px, split="train"):
    suffix = "" if split == "train" else f"-{split}"
    return os.path.join(cache_dir(), "teacher", f"{target}-{px}{suffix}.npy")


def default_path():
    return os.path.join(cache_dir(), "teacher", "DEFAULT")


def read_default():
    """The chosen target's train feature file (absolute path), or None if none was chosen."""
    try:
        with open(default_path()) as f:
            return os.path.join(cache_dir(), "teacher", f.read().strip())
    except OSError:
        return None


def write_atomic_npy(path, arr):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        np.save(f, arr)
    os.replace(tmp, path)


def embed_timed(teacher, images, batch, label):
    out, t0 = [], time.time()
    for i in range(0, len(images), batch):
        out.append(teacher.embed(images[i:i + batch], batch))
        done = i + len(out[-1])
        if (i // batch) % 20 == 0 or done == len(images):
            rate = done / (time.time() - t0)
            print(f"  {label}: {done}/{len(images)}  {rate:.0f} images/s  "
                  f"{(len(images) - done) / rate:.0f} s left", flush=True)
    return np.concatenate(out), time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", default="mnv2.b13", help="teacher target (see factory/teacher.py)")
    ap.add_argument("--px", type=int, default=96, help="teacher input size (CIFAR is resized up)")
    ap.add_argument("--cifar", default=DEFAULT_ARCHIVE, help="path to cifar10-jpeg.tar.gz")
    ap.add_argument("--batch", type=int, default=250)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--default", action="store_true", help="also make this target the DEFAULT")
    ap.add_argument("--force", action="store_true", help="recompute even if the files exist")
    args = ap.parse_args()
    env.set_up(args.threads)
    torch.manual_seed(0)

    parts = args.target.split("+")
    for split in ("train", "test"):
        path = feature_path(args.target, args.px, split)
        if os.path.exists(path) and not args.force:
            print(f"{path} exists (use --force to recompute)")
            continue
        images = None
        feats = []
        # a multi-teacher target is the concatenation of its parts, each cached on its own
        for part in parts:
            ppath = feature_path(part, args.px, split)
            if len(parts) > 1 and os.path.exists(ppath) and not args.force:
                feats.append(np.load(ppath))
                print(f"{split}: reusing {ppath}")
                continue
            if images is None:
                images, _ = load_split(split, args.cifar)
            needs_repair = any(f in part for f in (".recal", ".fixvar"))
            teacher = Teacher(part, args.px,
                              repair_images=repair_images_default() if needs_repair else None).eval()
            f, dt = embed_timed(teacher, images, args.batch, f"{split} {part}")
            if not np.isfinite(f).all():
                sys.exit(f"non-finite teacher features for {part}")
            if len(parts) > 1:
                write_atomic_npy(ppath, f)
            feats.append(f)
            print(f"{split} {part}: {f.shape} ({len(images) / dt:.0f} images/s, {dt:.0f} s)", flush=True)
        feats = np.concatenate(feats, 1).astype(np.float32)
        write_atomic_npy(path, feats)
        print(f"{split}: {feats.shape} float32 -> {path}")
    if args.default:
        tmp = default_path() + ".tmp"
        with open(tmp, "w") as f:
            f.write(os.path.basename(feature_path(args.target, args.px)) + "\n")
        os.replace(tmp, default_path())
        print(f"DEFAULT -> {os.path.basename(feature_path(args.target, args.px))}")


if __name__ == "__main__":
    main()
