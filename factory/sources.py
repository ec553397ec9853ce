"""Where the factory's images come from, outside CIFAR-10: Debian packages and npm, read in
place (never copied into the repository), decoded to square RGB uint8 the same way everywhere.

Labelled sources feed the selection tasks (factory/selection.py); unlabelled ones feed
distillation (factory/image_stream.py). A file is in at most one of the two: the selection
tasks' folders are listed here and excluded from the distillation sources.
"""
import glob
import io
import os
import warnings

import numpy as np

OPENCLIPART = "/usr/share/openclipart/png"            # Debian openclipart-png (public domain)
GCOMPRIS_RCC = "/usr/share/gcompris-qt/rcc"           # Debian gcompris-qt-data (photos: see docs/protocol.md)
ENDLESS_SKY_LAND = "/usr/share/games/endless-sky/images/land"   # Debian endless-sky-data
WALLPAPER_DIRS = ("/usr/share/wallpapers", "/usr/share/backgrounds")   # plasma/mate/ukui/lomiri

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp", ".bmp")
# Larger images are skipped (one openclipart PNG is 623 M pixels: decoding it takes 2 GB).
MAX_PIXELS = 40_000_000


class TooLarge(ValueError):
    """An image over MAX_PIXELS; callers skip it and count it."""


def _rgb_on_white(img):
    """RGB image; transparent pixels composited over white, the page a clip-art is drawn on.
    Clip art is cropped to the bounding box of its opaque pixels first (its canvas margins
    carry no content and would shrink the drawing to a few pixels)."""
    from PIL import Image
    if img.mode in ("P", "LA", "L") and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA"):
        img = img.convert("RGBA")
        box = img.getchannel("A").point(lambda a: 255 if a > 8 else 0).getbbox()
        if box is not None:
            img = img.crop(box)
        bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
        return Image.alpha_composite(bg, img).convert("RGB")
    return img.convert("RGB")


def square_rgb(data_or_path, px, fit):
    """Decodes an image (bytes or a path) to uint8 [px, px, 3].

    fit="pad": the whole image, centred on a white square (drawings: nothing is cut off);
    fit="crop": the central square (photos, as a camera frame would be cropped)."""
    from PIL import Image
    src = io.BytesIO(data_or_path) if isinstance(data_or_path, (bytes, bytearray)) else data_or_path
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(src)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise TooLarge(str(e)) from None
    with im:
        if im.size[0] * im.size[1] > MAX_PIXELS:
            raise TooLarge("%dx%d" % im.size)
        im.draft("RGB", (px * 2, px * 2))      # JPEG: decode at a reduced scale when large
        img = _rgb_on_white(im)
    w, h = img.size
    if fit == "pad":
        side = max(w, h)
        canvas = Image.new("RGB", (side, side), (255, 255, 255))
        canvas.paste(img, ((side - w) // 2, (side - h) // 2))
        img = canvas
    elif fit == "crop":
        side = min(w, h)
        img = img.crop(((w - side) // 2, (h - side) // 2, (w - side) // 2 + side, (h - side) // 2 + side))
    else:
        raise ValueError("fit must be 'pad' or 'crop'")
    img = img.resize((px, px), Image.BICUBIC, reducing_gap=2.0)
    return np.asarray(img, dtype=np.uint8)


def openclipart_files(folder):
    """Every PNG under one openclipart category folder (recursive), sorted, duplicates folder
    excluded."""
    root = os.path.join(OPENCLIPART, folder)
    files = [f for f in glob.glob(os.path.join(root, "**", "*.png"), recursive=True)
             if "/duplicates/" not in f]
    return sorted(files)


def gcompris_files(rcc_name, folder):
    """[(name, bytes)] of the WebP photos in one folder of a gcompris resource file."""
    from factory.qt_rcc import read_rcc
    path = os.path.join(GCOMPRIS_RCC, rcc_name + ".rcc")
    out = [(n, raw) for n, raw in read_rcc(path)
           if n.lower().endswith(".webp") and n.rsplit("/", 1)[0].endswith(folder)]
    return sorted(out)


def endless_sky_files(prefix):
    """Land photos of one kind (file names start with the kind: mountain0.jpg, beach11-harro.jpg)."""
    files = glob.glob(os.path.join(ENDLESS_SKY_LAND, prefix + "*.jpg"))
    # the kind is the letters before the digits, so "sea" does not take another kind's files
    kind = lambda f: os.path.splitext(os.path.basename(f))[0].split("-")[0].rstrip("0123456789")
    return sorted(f for f in files if kind(f) == prefix)


def image_files(folder):
    """Every image file under a folder (recursive, sorted): the user-facing `--images DIR`."""
    out = []
    for dirpath, _, names in os.walk(folder, followlinks=False):
        out += [os.path.join(dirpath, n) for n in names if n.lower().endswith(IMAGE_EXTS)]
    return sorted(out)
