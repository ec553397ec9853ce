"""Teacher targets for every view the student will train on, computed once and cached, so the
teacher's cost is paid once for all runs that share corpus, views and teacher.

  factory/run.sh view_targets.py --corpus default --teacher mnv3.b8.feat --px 160 --epochs 12

Writes <cache>/targets/<corpus>-<teacher>-<px>-via<V>-e<E>-s<seed>.npy: float16 [E, N, D] (the taps in
the order named, concatenated; raw, not standardised) and a .json beside it (taps and their
column ranges, corpus, view settings, throughput). Epoch e holds the teacher's pooled taps on
view e (factory/views.py) of every corpus image; --epochs 0 computes only the identity view
(fixed targets). Resumable: chunks already written are recorded in a .progress file.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from factory import env
from factory import views
from factory.cifar import cache_dir
from factory.corpus import Corpus

CHUNK = 2048


def targets_path(corpus, teacher, px, epochs, seed, mix_p=views.MIX_P, via=64):
    mix = "" if mix_p == views.MIX_P else "-mix%g" % mix_p
    return os.path.join(cache_dir(), "targets", "%s-%s-%d-via%d-e%d-s%d%s.npy" % (
        corpus, teacher, px, via, epochs, seed, mix))


class _FakeNet(torch.nn.Module):
    taps = ["b8", "feat"]

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.w = torch.randn(3 * 64, 200, generator=g)

    def forward(self, x):
        y = torch.nn.functional.adaptive_avg_pool2d(x, 8).flatten(1) @ self.w
        return {"b8": y[:, :40], "feat": torch.tanh(y[:, 40:])}


class FakeTeacher(torch.nn.Module):
    """Tests and smoke runs only: fixed random projections of the view pooled to 8x8 (taps
    fake.b8, 40-d, and fake.feat, 160-d), so the pipeline runs without the npm teacher."""

    target = "fake.b8.feat"

    def __init__(self, px):
        super().__init__()
        self.nets = torch.nn.ModuleList([_FakeNet()])

    def forward(self, x):
        out = self.nets[0](x)
        return torch.cat([out[t] for t in _FakeNet.taps], 1)


def tap_layout(teacher_net, px):
    """[(part.tap name, start column, width)] of a Teacher's concatenated output."""
    out, start = [], 0
    with torch.no_grad():
        x = torch.zeros(1, 3, px, px)
        for net, part in zip(teacher_net.nets, teacher_net.target.split("+")):
            o = net(x)
            fields = part.split(".")
            names = [f for f in fields[1:] if f not in ("sym", "recal", "fixvar")]
            for name, t in zip(names, net.taps):
                out.append(("%s.%s" % (fields[0], name), start, int(o[t].shape[1])))
                start += int(o[t].shape[1])
    return out


def compute(corpus_name, teacher, px, epochs, seed, mix_p=views.MIX_P, via=64, batch=128, log=print):
    from factory.teacher import Teacher
    corpus = Corpus(corpus_name)
    n = len(corpus)
    path = targets_path(corpus_name, teacher, px, epochs, seed, mix_p, via)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    net = FakeTeacher(px) if teacher == "fake" else Teacher(teacher, px)
    layout = tap_layout(net, px)
    dim = sum(w for _, _, w in layout)
    ep_list = list(range(epochs)) if epochs > 0 else [-1]
    meta = {"corpus": corpus_name, "corpus_index": corpus.index, "teacher": teacher, "px": px,
            "epochs": epochs, "seed": seed, "mix_p": mix_p, "min_area": views.MIN_AREA, "via": via,
            "taps": [{"name": a, "start": s, "width": w} for a, s, w in layout],
            "shape": [len(ep_list), n, dim]}
    with open(path[:-4] + ".json", "w") as f:
        json.dump(meta, f, indent=1)
    done_path = path + ".progress"
    done = set()
    if os.path.exists(path) and os.path.exists(done_path):
        with open(done_path) as f:
            done = {tuple(map(int, l.split())) for l in f if l.strip()}
        arr = np.load(path, mmap_mode="r+")
        if list(arr.shape) != meta["shape"]:
            raise SystemExit("%s has shape %s, expected %s: delete it" % (path, arr.shape, meta["shape"]))
    elif os.path.exists(path):
        log("already complete: %s" % path)
        return path
    else:
        arr = np.lib.format.open_memmap(path + ".tmp", "w+", np.float16, tuple(meta["shape"]))
        del arr
        os.replace(path + ".tmp", path)
        open(done_path, "w").close()
        arr = np.load(path, mmap_mode="r+")
    total = len(ep_list) * ((n + CHUNK - 1) // CHUNK)
    t0, k = time.time(), 0
    with open(done_path, "a") as progress:
        for ei, e in enumerate(ep_list):
            p = views.params(n, e, seed, mix_p)
            for c0 in range(0, n, CHUNK):
                if (ei, c0) in done:
                    continue
                idx = np.arange(c0, min(n, c0 + CHUNK))
                out = []
                with torch.no_grad():
                    for b0 in range(0, len(idx), batch):
                        # the teacher sees the student's view (rendered at via px) upsampled:
                        # the same information, so its targets are reachable (and rendering
                        # at via px is 10x cheaper than at the teacher's)
                        x = views.render(corpus, idx[b0:b0 + batch], p, via)
                        if via != px:
                            x = F.interpolate(x, size=(px, px), mode="bilinear", align_corners=False)
                        out.append(net(x.contiguous(memory_format=torch.channels_last)).numpy())
                arr[ei, idx] = np.concatenate(out).astype(np.float16)
                arr.flush()
                progress.write("%d %d\n" % (ei, c0))
                progress.flush()
                k += 1
                rate = k * CHUNK / (time.time() - t0)
                log("epoch %d chunk %d/%d: %.0f views/s, %.0f s left" % (
                    e, c0 // CHUNK + 1, (n + CHUNK - 1) // CHUNK, rate,
                    (total - len(done) - k) * CHUNK / rate), flush=True)
    meta["views_per_s"] = k * CHUNK / max(time.time() - t0, 1e-9) if k else None
    with open(path[:-4] + ".json", "w") as f:
        json.dump(meta, f, indent=1)
    os.remove(done_path)
    log("wrote %s %s" % (path, meta["shape"]))
    return path


def load(path, need_epochs=None):
    """(float16 memmap [E, N, D], meta dict). A file still being computed is usable when the
    first need_epochs views of every image are done."""
    with open(path[:-4] + ".json") as f:
        meta = json.load(f)
    if os.path.exists(path + ".progress"):
        with open(path + ".progress") as f:
            done = {tuple(map(int, l.split())) for l in f if l.strip()}
        n = meta["shape"][1]
        want = {(e, c) for e in range(min(need_epochs or meta["shape"][0], meta["shape"][0]))
                for c in range(0, n, CHUNK)}
        if need_epochs is None or not want <= done:
            raise FileNotFoundError("%s is incomplete: run view_targets.py again to finish it" % path)
    return np.load(path, mmap_mode="r"), meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="default")
    ap.add_argument("--teacher", required=True, help="teacher target (factory/teacher.py syntax)")
    ap.add_argument("--px", type=int, default=160, help="teacher input size")
    ap.add_argument("--epochs", type=int, default=12, help="distinct views per image (0: identity only)")
    ap.add_argument("--seed", type=int, default=1, help="view seed (the student run must use the same)")
    ap.add_argument("--mix-p", type=float, default=views.MIX_P, help="mixup probability")
    ap.add_argument("--via", type=int, default=64,
                    help="views are rendered at this size (the student's input) and upsampled")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    env.set_up(args.threads)
    compute(args.corpus, args.teacher, args.px, args.epochs, args.seed, args.mix_p, args.via,
            log=lambda *a, **k: print(*a, flush=True))


if __name__ == "__main__":
    main()
