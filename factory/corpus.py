"""The unlabelled distillation corpus: images decoded once, streamed into memory-mapped arrays
in the cache, read batch-wise by training (never all in RAM).

  factory/run.sh corpus.py --name default                     # the shipped recipe's sources
  factory/run.sh corpus.py --name mine --sources cifar --images ~/my-photos ~/more   # a user's domain

<cache>/corpus/<name>/ holds small.npy (uint8 [N1, 32, 32, 3], CIFAR-10 train without the
selection hold-out), large.npy (uint8 [N2, 128, 128, 3], every other source) and index.json
(sources, counts, licences). Image i is small[i] for i < N1, else large[i - N1].

Sources (docs/factory.md lists licences): cifar, emoji3d (npm @lobehub/fluent-emoji-3d@1.1.0),
clipart (openclipart-png minus every folder a selection task uses), wallpapers (Debian wallpaper
packages, random multi-scale crops), and any folders given with --images (centre crops).
Nothing here is ever copied into the repository.
"""
import argparse
import json
import os
import subprocess
import tarfile

import numpy as np

from factory import cifar
from factory import selection
from factory import sources

LARGE_PX = 128
EMOJI_PACKAGE = "@lobehub/fluent-emoji-3d@1.1.0"
WALLPAPER_CROPS = 40
DEFAULT_SOURCES = ("cifar", "emoji3d", "clipart", "wallpapers")
LICENCES = {"cifar": "CIFAR-10 (../shared/data)", "emoji3d": "MIT (" + EMOJI_PACKAGE + ")",
            "clipart": "public domain (openclipart-png)",
            "wallpapers": "GPL/LGPL/CC-BY-SA (plasma-workspace-wallpapers, mate-backgrounds, "
                          "ukui-wallpapers, lomiri-wallpapers: their debian/copyright)"}


def corpus_dir(name):
    return os.path.join(cifar.cache_dir(), "corpus", name)


def _selection_clipart_folders():
    out = set()
    for spec in selection.TASKS.values():
        for entries in spec["classes"].values():
            out |= {arg for src, arg in entries if src == "clipart"}
    # other drawings of the selection's playing cards are near-duplicates of them
    out.add("recreation/games/cards")
    return out


def clipart_rest():
    """openclipart PNGs outside every selection folder (and outside its duplicates folder)."""
    skip = _selection_clipart_folders()
    files = sources.openclipart_files("")
    rel = lambda f: os.path.relpath(f, sources.OPENCLIPART)
    return [f for f in files if not any(rel(f).startswith(s + "/") for s in skip)]


def wallpapers():
    """One file per wallpaper (Plasma ships several sizes of each: keep the largest)."""
    best = {}
    for root in sources.WALLPAPER_DIRS:
        for f in sources.image_files(root):
            key = f.split("/contents/")[0] if "/contents/" in f else f
            if key not in best or os.path.getsize(f) > os.path.getsize(best[key]):
                best[key] = f
    return sorted(best.values())


def emoji_files(out_dir):
    """[(name, bytes)] of the 3-D emoji images (256 px WebP), from the pinned npm tarball (packed into the cache)."""
    tgz = os.path.join(out_dir, "lobehub-fluent-emoji-3d-1.1.0.tgz")
    if not os.path.exists(tgz):
        subprocess.run(["npm", "pack", "--ignore-scripts", "--silent", "--pack-destination", out_dir,
                        EMOJI_PACKAGE], check=True, stdout=subprocess.DEVNULL)
    with tarfile.open(tgz) as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if m.isfile() and m.name.lower().endswith((".png", ".webp")):
                yield m.name, tar.extractfile(m).read()


def _wallpaper_crops(path, n, rng):
    """n random square crops (side 15-70 % of the short edge), 128 px each."""
    from PIL import Image
    with Image.open(path) as im:
        im.draft("RGB", (2048, 2048))
        img = im.convert("RGB")
    w, h = img.size
    for _ in range(n):
        side = int(min(w, h) * rng.uniform(0.15, 0.7))
        x, y = int(rng.integers(0, w - side + 1)), int(rng.integers(0, h - side + 1))
        crop = img.crop((x, y, x + side, y + side)).resize((LARGE_PX, LARGE_PX), Image.BICUBIC, reducing_gap=2.0)
        yield np.asarray(crop, dtype=np.uint8)


def _large_items(src, out_dir, rng):
    """Yields uint8 [128, 128, 3] images of one source (skipping and counting bad files)."""
    if src == "emoji3d":
        items, fit = emoji_files(out_dir), "pad"
    elif src == "clipart":
        items, fit = ((f, f) for f in clipart_rest()), "pad"
    elif src == "wallpapers":
        for f in wallpapers():
            yield from _wallpaper_crops(f, WALLPAPER_CROPS, rng)
        return
    elif src.startswith("dir:"):
        items, fit = ((f, f) for f in sources.image_files(src[4:])), "crop"
    else:
        raise ValueError("unknown source %r" % src)
    for name, data in items:
        try:
            yield sources.square_rgb(data, LARGE_PX, fit)
        except (OSError, ValueError) as e:      # unreadable, truncated or too large: skip it
            print("corpus: skipped %s (%s)" % (name, str(e)[:80]))


def build(name, srcs, archive=cifar.DEFAULT_ARCHIVE, seed=0, limit=0):
    """Writes <cache>/corpus/<name>/; returns its index dict. limit > 0 caps each source (smoke)."""
    out = corpus_dir(name)
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    counts = {}
    small = np.zeros((0, 32, 32, 3), np.uint8)
    if "cifar" in srcs:
        x, y = cifar.load_split("train", archive)
        keep = cifar.training_indices(y)
        keep = keep[:limit] if limit else keep
        small = x[keep]
        counts["cifar"] = len(small)
        # CIFAR-10 labels of the small rows: read by the supervised TTL baseline only
        np.save(os.path.join(out, "small_labels.npy"), y[keep])
    np.save(os.path.join(out, "small.npy"), small)
    # large images stream into a growing temporary file, then become a .npy memmap
    raw_path = os.path.join(out, "large.raw")
    n_large = 0
    with open(raw_path, "wb") as f:
        for src in srcs:
            if src == "cifar":
                continue
            c = 0
            for img in _large_items(src, out, rng):
                f.write(img.tobytes())
                c += 1
                if limit and c >= limit:
                    break
            counts[src] = c
            n_large += c
            print("corpus %s: %s %d images" % (name, src, c), flush=True)
    large = np.lib.format.open_memmap(os.path.join(out, "large.npy.tmp"), "w+", np.uint8,
                                      (n_large, LARGE_PX, LARGE_PX, 3))
    step = 1024
    with open(raw_path, "rb") as f:
        for i in range(0, n_large, step):
            k = min(step, n_large - i)
            large[i:i + k] = np.frombuffer(f.read(k * LARGE_PX * LARGE_PX * 3), np.uint8).reshape(k, LARGE_PX, LARGE_PX, 3)
    large.flush()
    del large
    os.replace(os.path.join(out, "large.npy.tmp"), os.path.join(out, "large.npy"))
    os.remove(raw_path)
    index = {"name": name, "sources": list(srcs), "counts": counts, "small": len(small),
             "large": n_large, "seed": seed, "limit": limit,
             "licences": {s: LICENCES.get(s, "the user's own images") for s in srcs}}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
    return index


class Corpus:
    """Read-only view of a built corpus: len(), and batch(idx) -> (small part, large part)."""

    def __init__(self, name):
        d = corpus_dir(name)
        with open(os.path.join(d, "index.json")) as f:
            self.index = json.load(f)
        self.small = np.load(os.path.join(d, "small.npy"), mmap_mode="r")
        self.large = np.load(os.path.join(d, "large.npy"), mmap_mode="r")
        self.n_small = len(self.small)
        self.name = name
        lab = os.path.join(d, "small_labels.npy")
        self.small_labels = np.load(lab) if os.path.exists(lab) else None

    def __len__(self):
        return self.n_small + len(self.large)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", default="default")
    ap.add_argument("--sources", nargs="*", default=list(DEFAULT_SOURCES),
                    help="any of %s" % ", ".join(DEFAULT_SOURCES))
    ap.add_argument("--images", nargs="*", default=[], metavar="DIR",
                    help="also every image under these folders (a user's own domain)")
    ap.add_argument("--cifar", default=cifar.DEFAULT_ARCHIVE)
    ap.add_argument("--seed", type=int, default=0, help="wallpaper crop positions")
    ap.add_argument("--limit", type=int, default=0, help="at most N images per source (smoke)")
    args = ap.parse_args()
    srcs = list(args.sources) + ["dir:" + os.path.abspath(d) for d in args.images]
    idx = build(args.name, srcs, args.cifar, args.seed, args.limit)
    print(json.dumps(idx["counts"]), "->", corpus_dir(args.name))


if __name__ == "__main__":
    main()
