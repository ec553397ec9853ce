"""The selection tasks: few-shot tasks that decide every factory choice (teacher, tap,
resolution, recipe, epochs, split, ranges, head options, thresholds). They are disjoint from
every distillation image and from the report tasks (Fashion-MNIST, OpenCV digits, CIFAR-10
test), which are evaluated only after a choice is made (docs/protocol.md).

  python3 -m factory.selection            # build the task caches, print the table
  python3 -m factory.selection --markdown # the table of docs/protocol.md

Each task is built once into <cache>/selection/<task>.npz (images uint8 [N, px, px, 3], labels,
class names, source names) from Debian packages (openclipart-png, gcompris-qt-data,
endless-sky-data) and the CIFAR-10 train hold-out (factory/cifar.py: never distilled on).
A draw takes k images per class at random as the user's training samples and scores on the
others (at most test_cap per class).
"""
import argparse
import os

import numpy as np

from factory import cifar
from factory import sources

PX = 128  # stored size of the drawn/photo tasks: the largest student input of the size ladder

# task -> kind, k, test cap per class, {class: [(source, arg)...]}
TASKS = {
    "sel-cifar": {
        "kind": "photo, 32 px, in-domain", "k": 10, "test_cap": 200,
        "licence": "CIFAR-10 (../shared/data), train split hold-out",
        "classes": {c: [("cifar-holdout", i)] for i, c in enumerate(cifar.CLASSES)},
    },
    "sel-objects": {
        "kind": "clip art (drawn objects)", "k": 10, "test_cap": 100,
        "licence": "openclipart-png, public domain",
        "classes": {
            "mammals": [("clipart", "animals/mammals")], "birds": [("clipart", "animals/birds")],
            "bugs": [("clipart", "animals/bugs")], "fruit": [("clipart", "food/fruit")],
            "desserts": [("clipart", "food/desserts")], "beverages": [("clipart", "food/beverages")],
            "vehicles": [("clipart", "transportation/vehicles")],
            "clothing": [("clipart", "people/clothing")], "music": [("clipart", "recreation/music")],
            "hardware": [("clipart", "computer/hardware")], "flowers": [("clipart", "plants/flowers")],
            "homes": [("clipart", "buildings/homes")],
        },
    },
    "sel-symbols": {
        "kind": "clip art (signs, strokes, shapes)", "k": 10, "test_cap": 100,
        "licence": "openclipart-png, public domain",
        "classes": {
            "roadsigns": [("clipart", "transportation/roadsigns")],
            "weather": [("clipart", "signs_and_symbols/weather")],
            "clocks": [("clipart", "signs_and_symbols/clocks")], "smilies": [("clipart", "people/smilies")],
            "stickmen": [("clipart", "people/stickmen")], "arrows": [("clipart", "shapes/arrows")],
            "jigsaw": [("clipart", "shapes/jigsaw")],
            "pictograms": [("clipart", "transportation/aiga-symbols")],
            "callouts": [("clipart", "shapes/callouts")],
            "cards": [("clipart", "recreation/games/cards/simple")],
        },
    },
    "sel-photos": {
        "kind": "photos (objects, animals, buildings)", "k": 10, "test_cap": 100,
        "licence": "gcompris-qt-data (GPL-3+ package; photo licences in its debian/copyright)",
        "classes": {
            "tools": [("gcompris", ("categorization", "images/tools"))],
            "energy": [("gcompris", ("categorization", "images/renewable"))],
            "fishes": [("gcompris", ("categorization", "images/fishes"))],
            "monuments": [("gcompris", ("categorization", "images/monuments"))]
            + [("gcompris", ("explore_monuments", "resource/" + c))
               for c in ("usa", "egypt", "india", "france", "germany", "wonders")],
            "animals": [("gcompris", ("erase", "erase/resource")),
                        ("gcompris", ("explore_world_animals", "resource/animals")),
                        ("gcompris", ("explore_farm_animals", "resource/animals"))],
        },
    },
    "sel-scenes": {
        "kind": "photos (landscapes)", "k": 5, "test_cap": 100,
        "licence": "endless-sky-data (CC-BY-SA / public domain photos, its debian/copyright)",
        "classes": {c: [("endless-sky", c)] for c in
                    ("mountain", "city", "sea", "canyon", "fields", "snow", "beach", "desert")},
    },
}
N_DRAWS = 10


def task_path(name):
    return os.path.join(cifar.cache_dir(), "selection", name + ".npz")


def _class_images(entries, archive):
    """uint8 [n, px, px, 3] and source names of one class; photos deduplicated by file name
    (gcompris ships some monuments in two activities)."""
    imgs, names, seen = [], [], set()
    for source, arg in entries:
        if source == "cifar-holdout":
            x, y = cifar.load_split("train", archive)
            idx = cifar.holdout_indices(y)
            idx = idx[y[idx] == arg]
            return x[idx], ["cifar10/train#%d" % i for i in idx]
        if source == "clipart":
            items = [(f, f) for f in sources.openclipart_files(arg)]
            fit = "pad"
        elif source == "gcompris":
            items = sources.gcompris_files(*arg)
            fit = "crop"
        elif source == "endless-sky":
            items = [(f, f) for f in sources.endless_sky_files(arg)]
            fit = "crop"
        else:
            raise ValueError(source)
        for name, data in items:
            key = os.path.basename(name).lower()
            if source != "clipart" and key in seen:
                continue
            seen.add(key)
            try:
                imgs.append(sources.square_rgb(data, PX, fit))
            except sources.TooLarge as e:
                print("selection: skipped %s (%s pixels)" % (name, e))
                continue
            names.append(name.replace(sources.OPENCLIPART + "/", "openclipart:"))
    return np.stack(imgs), names


def build(name, archive=cifar.DEFAULT_ARCHIVE):
    spec = TASKS[name]
    xs, ys, ids = [], [], []
    for c, entries in enumerate(spec["classes"].values()):
        x, n = _class_images(entries, archive)
        xs.append(x)
        ys.append(np.full(len(x), c, np.int64))
        ids += n
    out = task_path(name)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = out + ".tmp.npz"
    np.savez(tmp, images=np.concatenate(xs), labels=np.concatenate(ys),
             classes=np.array(list(spec["classes"])), ids=np.array(ids))
    os.replace(tmp, out)


def load(name, archive=cifar.DEFAULT_ARCHIVE):
    """(images uint8 [N, px, px, 3], labels int64 [N], class names); builds the cache once."""
    if name not in TASKS:
        raise ValueError("unknown selection task %r (one of %s)" % (name, ", ".join(TASKS)))
    path = task_path(name)
    if not os.path.exists(path):
        build(name, archive)
    with np.load(path) as z:
        return z["images"], z["labels"], [str(c) for c in z["classes"]]


def draws(labels, k, test_cap, n_draws=N_DRAWS):
    """[(train idx, test idx)] for seeds 0..n_draws-1: k random images per class to train on,
    up to test_cap of the others per class to score."""
    out = []
    for seed in range(n_draws):
        rng = np.random.default_rng(seed)
        tr, te = [], []
        for c in np.unique(labels):
            idx = rng.permutation(np.flatnonzero(labels == c))
            tr.append(idx[:k])
            te.append(idx[k:k + test_cap])
        out.append((np.concatenate(tr), np.concatenate(te)))
    return out


def probe(features, labels, k, test_cap, n_draws=N_DRAWS):
    """Accuracies (%) over the draws: features standardised with the training samples' mean
    and std, multinomial logistic regression (sklearn lbfgs, C = 1, max_iter 1000)."""
    from sklearn.linear_model import LogisticRegression
    acc = []
    for tr, te in draws(labels, k, test_cap, n_draws):
        x = features[tr].astype(np.float64)
        mu, sd = x.mean(0), x.std(0) + 1e-6
        clf = LogisticRegression(max_iter=1000, solver="lbfgs").fit((x - mu) / sd, labels[tr])
        acc.append(100.0 * float((clf.predict((features[te] - mu) / sd) == labels[te]).mean()))
    return np.array(acc)


def score(features_by_task):
    """{task: accuracies over the draws} for {task: features [N, D]} (rows = the task's images)."""
    out = {}
    for task, f in features_by_task.items():
        _, y, _ = load(task)
        spec = TASKS[task]
        out[task] = probe(f, y, spec["k"], spec["test_cap"])
    return out


def table(archive=cifar.DEFAULT_ARCHIVE):
    rows = ["| task | kind | classes | images per class (min-max) | k | test per class | source, licence |",
            "|---|---|---|---|---|---|---|"]
    for name, spec in TASKS.items():
        _, y, classes = load(name, archive)
        n = np.bincount(y)
        rows.append("| %s | %s | %d (%s) | %d-%d | %d | <= %d (min %d) | %s |" % (
            name, spec["kind"], len(classes), ", ".join(classes), n.min(), n.max(), spec["k"],
            spec["test_cap"], min(spec["test_cap"], n.min() - spec["k"]), spec["licence"]))
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description="Build the selection tasks and print their table.")
    ap.add_argument("--cifar", default=cifar.DEFAULT_ARCHIVE)
    ap.add_argument("--rebuild", action="store_true", help="decode the sources again")
    args = ap.parse_args()
    if args.rebuild:
        for name in TASKS:
            build(name, args.cifar)
    print(table(args.cifar))


if __name__ == "__main__":
    main()
