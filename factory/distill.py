"""Trains a student extractor: MicroT's self-supervised distillation with joint part/full
training (--mode microt), the supervised TTL baseline (--mode ttl) or the untrained "none"
baseline (--mode none). Never reads labels in microt mode unless --label-weight > 0.

With --targets (the shipped recipe, docs/factory.md) the student trains on a corpus
(factory/corpus.py) by function matching: each epoch it sees the view of every image whose
teacher answer factory/view_targets.py cached (factory/views.py), and matches --full-tap and
--part-tap of it. Without --targets it reads CIFAR-10 train and fixed per-image targets
(--teacher), the recipe before docs/protocol.md. Checkpoints every epoch to
<cache>/runs/<run-name>/ckpt.pt and resumes from it; the result is
<cache>/runs/<run-name>/final.pt. Runs unchanged under torchrun (gloo, CPU).
"""
import argparse
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from factory import env
from factory import cifar
from factory import netspec
from factory import students

# the data paths (re-exported: tests and the exporter use them from here)
from factory.distill_data import (MEAN, STD, N_CLASSES, CifarData, ViewData,  # noqa: E402,F401
                                  default_teacher, load_data, preprocess)

# Arguments that change what a run computes: a checkpoint is only resumed when they agree.
_RUN_DEFINING = ("student", "px", "split_block", "mode", "joint", "loss", "label_weight",
                 "part_weight", "targets", "full_tap", "part_tap", "corpus_rows",
                 "augment", "epochs", "batch_size", "lr", "momentum", "wd", "warmup_epochs",
                 "seed", "max_images", "smoke", "fake", "teacher", "init")
# Defaults of run-defining arguments added after runs were made (older checkpoints lack them).
_ADDED_LATER = {"part_weight": 1.0, "targets": "", "full_tap": None, "part_tap": None,
                "corpus_rows": "all", "init": ""}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        description="Distil a student from cached teacher embeddings (MicroT SSKD + joint "
                    "part/full training), or train the TTL / none baselines.")
    ap.add_argument("--student", choices=students.STUDENTS, default="mcunet")
    ap.add_argument("--px", type=int, default=students.DEFAULT_PX, help="student input size")
    ap.add_argument("--split-block", type=int, default=0,
                    help="part stage = stem + blocks[:N]; 0 = the cut nearest 64%% of the MACs")
    ap.add_argument("--mode", choices=("microt", "ttl", "none"), default="microt",
                    help="microt: match the teacher (no labels); ttl: supervised CIFAR-10 "
                         "labels; none: save the random-init student")
    ap.add_argument("--no-joint", dest="joint", action="store_false",
                    help="microt: train only the full stage (the part stage is its prefix)")
    ap.add_argument("--loss", choices=("mse", "cosine", "nmse"), default="mse",
                    help="feature loss: mse (paper), cosine (1-cos), nmse (MSE against "
                         "per-dimension standardised teacher targets)")
    ap.add_argument("--label-weight", type=float, default=0.0,
                    help="microt: add W * cross-entropy on CIFAR-10 labels (both stages)")
    ap.add_argument("--part-weight", type=float, default=1.0,
                    help="microt: weight of the part stage's feature loss (paper: 1)")
    ap.add_argument("--bn-images", type=int, default=0,
                    help="none: re-estimate BatchNorm statistics on this many unlabelled "
                         "images (weights stay random; 0 = keep the init statistics)")
    ap.add_argument("--augment", action="store_true",
                    help="random crop (pad 2) + horizontal flip; teacher targets stay those "
                         "of the unaugmented image")
    ap.add_argument("--epochs", type=int, default=8,
                    help="8 x 50k images: < 45 min at >= 150 img/s (2 shared cores)")
    ap.add_argument("--batch-size", type=int, default=128, help="global batch (all ranks)")
    ap.add_argument("--lr", type=float, default=0.05, help="peak lr of the cosine schedule")
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--wd", type=float, default=5e-4)
    ap.add_argument("--warmup-epochs", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--teacher", default="",
                    help="teacher embeddings .npy (default: <cache>/teacher/DEFAULT)")
    ap.add_argument("--targets", default="",
                    help="function matching: per-view teacher targets from view_targets.py "
                         "(the corpus and views they were computed on come with them)")
    ap.add_argument("--full-tap", nargs="+", default=None, metavar="TAP",
                    help="--targets: tap(s) the full stage matches (default: all)")
    ap.add_argument("--part-tap", nargs="+", default=None, metavar="TAP",
                    help="--targets: tap(s) the part stage matches (default: the full's)")
    ap.add_argument("--corpus-rows", choices=("all", "cifar"), default="all",
                    help="--targets: train on every corpus image or only its CIFAR-10 rows")
    ap.add_argument("--cifar", default=cifar.DEFAULT_ARCHIVE, help="cifar10-jpeg.tar.gz")
    ap.add_argument("--run-name", default="", help="default: <student>-<mode...>-<px>")
    ap.add_argument("--runs-dir", default="", help="default: <cache>/runs")
    ap.add_argument("--max-images", type=int, default=0, help="train on the first N images")
    ap.add_argument("--threads", type=int, default=0, help="0: 2 / number of processes")
    ap.add_argument("--log-every", type=int, default=50, help="steps between log lines")
    ap.add_argument("--device", default="cpu",
                    help="torch device (cpu; cuda where a GPU is lent: same recipe, not "
                         "bit-identical to a CPU run)")
    ap.add_argument("--init", default="",
                    help="start from a finished run's final.pt (student and projection heads): "
                         "a warm restart of the cosine schedule for --epochs more epochs; the "
                         "views and shuffles go on from that run's last epoch")
    ap.add_argument("--no-channels-last", dest="channels_last", action="store_false")
    ap.add_argument("--stop-after", type=int, default=0,
                    help="exit after this many epochs in total (testing resume)")
    ap.add_argument("--fake", action="store_true",
                    help="random images and teacher targets (tests; never for a real model)")
    ap.add_argument("--smoke", action="store_true",
                    help="512 images, 1 epoch, batch 64; fake data where the real is absent")
    args = ap.parse_args(argv)
    if args.smoke:
        args.max_images = args.max_images or 512
        args.epochs = 1
        args.batch_size = 64
        args.log_every = 2
    return args


def run_name(args):
    return args.run_name or default_name(args)


def default_name(args):
    """<student>-<what>-<px>, e.g. mcunet-microt-64; also the model's name (<= 31 chars)."""
    label = {"microt": "microt", "ttl": "ttl", "none": "none"}[args.mode]
    if args.mode == "microt":
        if not args.joint:
            label += "-nojoint"
        if args.label_weight:
            label += "-label%g" % args.label_weight
        if args.loss != "mse":
            label += "-" + args.loss
        if args.part_weight != 1.0:
            label += "-pw%g" % args.part_weight
    if args.targets and args.mode != "none":
        label += "-fm"
    if args.augment and args.mode != "none":
        label += "-aug"
    if args.smoke:
        label += "-smoke"
    return "%s-%s-%d" % (args.student, label, args.px)


def log(msg, rank=0):
    if rank == 0:
        print(msg, flush=True)


# ---------------------------------------------------------------- model + loss

class Trainer(nn.Module):
    """The student plus what training needs around it: one linear matching layer per stage
    (pooled student feature -> teacher dim) and, with labels, one linear classifier per stage.
    All of it but `student` is dropped after training."""

    def __init__(self, spec, mode, joint, teacher_dim, label_weight, part_teacher_dim=None):
        super().__init__()
        self.student = netspec.build(spec)
        self.mode, self.joint, self.label_weight = mode, joint, label_weight
        pd, fd = self.student.part_dim, self.student.full_dim
        if mode == "microt":
            self.match_full = nn.Linear(fd, teacher_dim)
            self.match_part = nn.Linear(pd, part_teacher_dim or teacher_dim) if joint else None
        if mode == "ttl" or label_weight > 0:
            self.cls_full = nn.Linear(fd, N_CLASSES)
            self.cls_part = nn.Linear(pd, N_CLASSES) if (mode == "microt" and joint) else None

    def forward(self, x):
        part, full = self.student(x)
        out = {}
        if self.mode == "microt":
            out["match_full"] = self.match_full(full)
            if self.match_part is not None:
                out["match_part"] = self.match_part(part)
        if hasattr(self, "cls_full"):
            out["cls_full"] = self.cls_full(full)
            if self.cls_part is not None:
                out["cls_part"] = self.cls_part(part)
        return out


def feature_loss(pred, target, kind, weights=None):
    """weights: per-column weights summing to 1 (each teacher tap block weighs the same);
    None: every column the same (plain MSE)."""
    if kind == "cosine":
        return (1.0 - F.cosine_similarity(pred, target, dim=1)).mean()
    if weights is not None:
        return ((pred - target) ** 2 * weights.to(pred.device)).sum(1).mean()
    return F.mse_loss(pred, target)  # nmse: the target is already standardised


def label_loss(logits, labels, mix):
    """Cross-entropy; with mixup (mix = {"y2", "lam"}) against the mixed labels."""
    if mix and "lam" in mix:
        lam = mix["lam"]
        return (lam * F.cross_entropy(logits, labels, reduction="none")
                + (1 - lam) * F.cross_entropy(logits, mix["y2"], reduction="none")).mean()
    return F.cross_entropy(logits, labels)


def total_loss(out, target, labels, args, part_target=None, weights=(None, None), mix=None):
    """Sum of the paper's terms; returns (loss, {term: value}). part_target defaults to the
    full stage's target (the paper matches both stages to the same embedding)."""
    terms = {}
    if args.mode == "microt":
        terms["full"] = feature_loss(out["match_full"], target, args.loss, weights[0])
        if "match_part" in out:
            pt = target if part_target is None else part_target
            terms["part"] = args.part_weight * feature_loss(out["match_part"], pt, args.loss, weights[1])
        if args.label_weight > 0:
            terms["ce_full"] = args.label_weight * label_loss(out["cls_full"], labels, mix)
            if "cls_part" in out:
                terms["ce_part"] = args.label_weight * label_loss(out["cls_part"], labels, mix)
    else:
        terms["ce_full"] = label_loss(out["cls_full"], labels, mix)
    loss = sum(terms.values())
    return loss, {k: float(v.detach()) for k, v in terms.items()}


def lr_at(step, total_steps, warmup_steps, lr):
    """Linear warm-up then cosine decay to 0; a function of the step only (resume-safe)."""
    if step < warmup_steps:
        return lr * (step + 1) / warmup_steps
    t = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return lr * 0.5 * (1.0 + math.cos(math.pi * min(1.0, t)))


def save_atomic(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def student_spec(args):
    spec = students.get(args.student, args.px, args.split_block or None)
    spec["name"] = default_name(args).replace("-smoke", "")[:31]
    return spec


def final_record(trainer, spec, args, wall_s, curve, images_per_s):
    return {"state_dict": {k: v.detach().cpu().contiguous().clone() for k, v in trainer.student.state_dict().items()},
            "heads": {k: v.detach().cpu().contiguous().clone() for k, v in trainer.state_dict().items()
                      if not k.startswith("student.")},
            "spec": spec, "mean": list(MEAN), "std": list(STD), "input_px": args.px,
            "seed": args.seed, "args": vars(args), "mode": args.mode, "teacher": args.teacher,
            "wall_s": wall_s, "curve": curve, "images_per_s": images_per_s,
            "torch": torch.__version__}


def load_init(trainer, args):
    """Loads --init's student and heads into trainer; returns how many epochs that run had
    trained (its own --init included), so views and shuffles continue where it stopped."""
    rec = torch.load(args.init, map_location="cpu", weights_only=False)
    mismatch = [k for k in ("student", "px", "split_block", "mode", "joint", "targets",
                            "full_tap", "part_tap") if rec["args"].get(k) != getattr(args, k)]
    if mismatch:
        raise SystemExit("--init %s was trained with other settings: %s" % (args.init, mismatch))
    trainer.load_state_dict({**{"student." + k: v for k, v in rec["state_dict"].items()},
                             **rec["heads"]})
    return int(rec["args"]["epochs"]) + int(rec["args"].get("epoch_base", 0))


@torch.no_grad()
def calibrate_batchnorm(student, images, args):
    """Sets every BatchNorm's running mean/variance to the exact average over evenly spaced
    unlabelled images; no weight changes. With the init statistics (0, 1) the fan-out
    initialised depthwise layers shrink the activations ~sqrt(C) per block, so an untrained
    student's features end near 1e-8: a degenerate control that int8 cannot represent."""
    n = min(args.bn_images, images.shape[0])
    pick = np.linspace(0, images.shape[0] - 1, n).round().astype(np.int64)
    bns = [m for m in student.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over all batches
    student.train()
    for i in range(0, n, 128):
        student(preprocess(images[pick[i:i + 128]], args.px, False, None, args.channels_last))
    student.eval()
    for m in bns:
        m.momentum = 0.1


# ---------------------------------------------------------------- main loop

def main(argv=None):
    args = parse_args(argv)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    env.set_up(args.threads or max(1, 2 // world))
    if args.device.startswith("cuda") and world > 1:
        # one GPU per local process; NCCL between GPUs (any number of nodes under torchrun)
        args.device = "cuda:%d" % int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(args.device)
    if world > 1:
        torch.distributed.init_process_group("nccl" if args.device.startswith("cuda") else "gloo")
    name = run_name(args)
    out_dir = os.path.join(args.runs_dir or os.path.join(cifar.cache_dir(), "runs"), name)
    os.makedirs(out_dir, exist_ok=True)
    ckpt_path = os.path.join(out_dir, "ckpt.pt")
    final_path = os.path.join(out_dir, "final.pt")
    spec = student_spec(args)
    d = students.describe(spec)
    log("run %s: %s, %.2fM MACs (part %.1f%%), %dk params, arena %.1f KB, world %d, threads %d"
        % (name, spec["name"], d["macs_full"] / 1e6, 100 * d["part_share"], d["params"] // 1000,
           d["arena_bytes"] / 1024, world, torch.get_num_threads()), rank)

    if args.mode == "none":
        torch.manual_seed(args.seed)
        trainer = Trainer(spec, "none", False, 0, 0.0)
        if args.bn_images:
            images = load_data(args, rank)[0]
            calibrate_batchnorm(trainer.student, images, args)
        if rank == 0:
            save_atomic(final_record(trainer, spec, args, 0.0, [], 0.0), final_path)
        log("saved the random-init student (seed %d, BatchNorm statistics from %d images) to %s"
            % (args.seed, args.bn_images, final_path), rank)
        return final_path

    data = ViewData(args, rank) if args.targets else CifarData(args, rank)
    for note in data.notes:
        log("note: " + note, rank)
    n = data.n
    full_dim, part_dim = data.dims()

    torch.manual_seed(args.seed)
    trainer = Trainer(spec, args.mode, args.joint, full_dim, args.label_weight, part_dim)
    epoch_base = args.epoch_base = load_init(trainer, args) if args.init else 0
    trainer = trainer.to(args.device)
    if args.channels_last:
        trainer = trainer.to(memory_format=torch.channels_last)
    model = trainer
    if world > 1:
        model = nn.parallel.DistributedDataParallel(trainer)
    opt = torch.optim.SGD(trainer.parameters(), lr=args.lr, momentum=args.momentum,
                          weight_decay=args.wd)
    sampler = torch.utils.data.distributed.DistributedSampler(
        range(n), num_replicas=world, rank=rank, shuffle=True, seed=args.seed, drop_last=True)
    local_bs = max(1, args.batch_size // world)
    steps_per_epoch = len(sampler) // local_bs
    if steps_per_epoch < 1:
        raise ValueError("fewer images per process than the batch size")
    total_steps = steps_per_epoch * args.epochs
    warmup = int(args.warmup_epochs * steps_per_epoch)

    start_epoch, curve, elapsed0 = 0, [], 0.0
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location="cpu")
        mismatch = [k for k in _RUN_DEFINING
                    if ck["args"].get(k, _ADDED_LATER.get(k)) != getattr(args, k)]
        if mismatch or ck["spec"] != spec:
            raise SystemExit("checkpoint %s was made with other settings (%s); use another "
                             "--run-name or delete it" % (ckpt_path, mismatch or "spec"))
        trainer.load_state_dict(ck["trainer"])
        opt.load_state_dict(ck["opt"])
        start_epoch, curve, elapsed0 = ck["epoch"], ck["curve"], ck["elapsed_s"]
        log("resumed from %s at epoch %d" % (ckpt_path, start_epoch), rank)
    if start_epoch >= args.epochs and os.path.exists(final_path):
        log("already finished: %s" % final_path, rank)
        return final_path

    t_start = time.time()
    done_steps_run = 0
    ips = 0.0
    for epoch in range(start_epoch, args.epochs):
        if args.stop_after and epoch >= args.stop_after:
            log("stopping after epoch %d (--stop-after)" % epoch, rank)
            return None
        view_epoch = epoch_base + epoch  # which cached view, shuffle and mixup draw
        sampler.set_epoch(view_epoch)
        order = np.fromiter(iter(sampler), dtype=np.int64)
        gen = torch.Generator().manual_seed(args.seed * 1000003 + view_epoch * 1009 + rank)
        model.train()
        sums, count = {}, 0
        t_epoch = time.time()
        for s in range(steps_per_epoch):
            step = epoch * steps_per_epoch + s
            idx = np.sort(order[s * local_bs:(s + 1) * local_bs])
            x, tgt, ptgt, extra = data.batch(idx, view_epoch, gen)
            lr = lr_at(step, total_steps, warmup, args.lr)
            for g in opt.param_groups:
                g["lr"] = lr
            loss, terms = total_loss(model(x), tgt, extra.get("y"), args, ptgt,
                                     (data.weights_full, data.weights_part), extra)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if not math.isfinite(float(loss)):
                raise FloatingPointError("loss became %s at step %d" % (float(loss), step))
            for k, v in terms.items():
                sums[k] = sums.get(k, 0.0) + v
            sums["loss"] = sums.get("loss", 0.0) + float(loss)
            count += 1
            done_steps_run += 1
            if (s + 1) % args.log_every == 0 or s + 1 == steps_per_epoch:
                el = time.time() - t_start
                ips = done_steps_run * local_bs * world / el
                left = (total_steps - step - 1) * local_bs * world / max(ips, 1e-9)
                log("epoch %d/%d step %d/%d loss %.5f (%s) lr %.4f %.0f img/s elapsed %.0fs "
                    "ETA %.0fs" % (epoch + 1, args.epochs, s + 1, steps_per_epoch,
                                   sums["loss"] / count,
                                   " ".join("%s %.4f" % (k, v / count) for k, v in sums.items()
                                            if k != "loss"),
                                   lr, ips, elapsed0 + el, left), rank)
        curve.append({"epoch": epoch + 1, **{k: v / count for k, v in sums.items()},
                      "epoch_s": time.time() - t_epoch})
        if rank == 0:
            save_atomic({"trainer": {k: v.cpu() for k, v in trainer.state_dict().items()},
                         "opt": opt.state_dict(),
                         "epoch": epoch + 1, "curve": curve, "args": vars(args), "spec": spec,
                         "elapsed_s": elapsed0 + time.time() - t_start, "seed": args.seed},
                        ckpt_path)
        if world > 1:
            torch.distributed.barrier()

    wall = elapsed0 + time.time() - t_start
    if rank == 0:
        trainer.eval()
        save_atomic(final_record(trainer, spec, args, wall, curve, ips), final_path)
    log("finished %s in %.0fs: %s" % (name, wall, final_path), rank)
    if world > 1:
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    return final_path


if __name__ == "__main__":
    main()
