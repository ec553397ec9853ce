"""Model cards: models/NAME.md for every shipped model, from models/manifest.json, the run's
checkpoint, `microt inspect`, the selection scores (models/selection.json) and the report
probes (models/probe.json). Written by export_models.py (`--cards` rewrites them all).

A card says what the model is, what data it saw, which teacher and taps, its hyper-parameters,
where and how long it trained, its size and cost per stage, its quantization, what its choices
were SELECTED on (docs/protocol.md) and its scores: selection tasks first, report tasks after.
"""
import os

import torch

from factory import students

TASK_NAMES = {"cifar10": "CIFAR-10 (in-domain)", "fashion": "Fashion-MNIST", "digits": "digits"}
STUDENT_KINDS = {"mcunet": "MCUNet-style", "proxyless": "ProxylessNAS-style"}
WHAT = {"microt": "MicroT extractor: self-supervised distillation from a frozen teacher "
                  "(no labels), part and full stage trained jointly",
        "ttl": "TTL baseline: the same network trained supervised on CIFAR-10 labels "
               "(cross-entropy through a linear classifier on the full feature)",
        "none": "\"none\" baseline: the untrained, seeded random initialisation "
                "(BatchNorm statistics untouched)"}


def _init_run(a):
    """The run folder a warm restart started from (its --init path's parent)."""
    return os.path.basename(os.path.dirname(a["init"]))


def _cell(r):
    return "%.1f ± %.1f" % (r[0], r[1]) if r else "–"


def probe_rows(results, name):
    """Markdown rows of one shipped model's report probes (float and int8, part and full)."""
    rows = []
    ext = results.get("extractors", {})
    for stage in ("part", "full"):
        for kind in ("float", "int8"):
            key = "%s/%s/%s" % (name, stage, kind)
            if key in ext:
                r = ext[key]["tasks"]
                cells = [_cell(r.get(t, {}).get(str(k))) for t in TASK_NAMES for k in (10, 100)]
                rows.append("| %s | %s | %s |" % (stage, kind, " | ".join(cells)))
    return rows


def selection_rows(selection, name):
    """Markdown rows of one model's selection-task scores (int8, per stage)."""
    rows = []
    entry = selection.get("models", {}).get(name)
    if not entry:
        return rows
    for stage in ("part", "full"):
        by_task = entry[stage]
        rows.append("| %s | %s | **%.1f** |" % (stage, " | ".join(
            "%.1f ± %.1f" % (v["mean"], v["std"]) for v in by_task["tasks"].values()), by_task["mean"]))
    return rows


def _data_lines(mode, a, spec, meta):
    if mode == "none":
        return ["No training data (random init, seed %d). Calibration only (below)." % a["seed"]]
    if not a.get("targets"):
        return ["CIFAR-10 train split, 50,000 images (32 px, resized bilinearly to %d px, ImageNet "
                "mean/std), %s; augmentation %s." %
                (spec["input_px"], "labels ignored" if mode == "microt" and not a["label_weight"]
                 else "labels used", "crop + flip" if a["augment"] else "none (as the paper)")]
    idx = meta["corpus_index"]
    rows = a.get("corpus_rows", "all") == "cifar" or mode == "ttl"
    counts = {"cifar": idx["counts"].get("cifar", 0)} if rows else idx["counts"]
    return ["Corpus `%s` (factory/corpus.py, docs/protocol.md): %s; %s images, %s. Each epoch "
            "shows every image once as a new view (random-resized crop of 25-100 %% of its area, "
            "flip, mixup with a random partner's view at p = %g; factory/views.py), resized to "
            "%d px, ImageNet mean/std." %
            (idx["name"], ", ".join("%s %s" % (k, format(v, ",")) for k, v in counts.items()),
             format(sum(counts.values()), ","),
             "labels ignored" if mode == "microt" and not a["label_weight"] else
             "CIFAR-10 labels (mixed as mixup mixes the images)", meta["mix_p"], spec["input_px"])]


def _teacher_lines(entry, ck, meta):
    if meta:
        return ["`%s` (full stage) and `%s` (part stage) of the TFLite teacher(s) `%s` at %d px "
                "(docs/teacher.md), computed on the very view the student sees (its %d px view "
                "upsampled), %d distinct views per image cached once (factory/view_targets.py); "
                "targets standardised per dimension, each tap block weighing the same." %
                (" + ".join(ck["args"]["full_tap"] or ["all taps"]),
                 " + ".join(ck["args"]["part_tap"] or ck["args"]["full_tap"] or ["all taps"]),
                 meta["teacher"], meta["px"], meta.get("via", 64), meta["shape"][0])]
    return ["`%s` at %d px (docs/teacher.md): pooled embeddings cached once from the npm "
            "`nsfwjs@4.3.0` ImageNet MobileNetV2/InceptionV3 port, %d-d." %
            (entry["teacher"], entry["teacher_px"], ck["heads"]["match_full.weight"].shape[0])]


def write_card(name, entry, out_dir, ck_path, info, results, selection, cli_args):
    """Writes out_dir/NAME.md. info: export_models.inspect() of the file; results: probe.json;
    selection: selection.json; cli_args: the run's distill.py command line."""
    ck = torch.load(ck_path, map_location="cpu")
    a, spec, mode = ck["args"], ck["spec"], entry["mode"]
    meta = None
    if a.get("targets"):
        from factory import view_targets
        _, meta = view_targets.load(a["targets"], need_epochs=a["epochs"]) if os.path.exists(a["targets"]) \
            else (None, entry.get("targets_meta"))
    L = ["# %s" % name, "",
         "`models/%s.mtm` — %s student (%s), %d px RGB input, part + full stages in one file." %
         (name, entry["student"], STUDENT_KINDS.get(entry["student"], entry["student"]), spec["input_px"]),
         "", "**What**: %s." % WHAT[mode], ""]
    if entry.get("note"):
        L += ["**Note**: %s" % entry["note"], ""]
    sel = entry.get("selected_on")
    L += ["**Selected on**: %s." % (", ".join("`%s`" % t for t in sel) if sel else "unknown"),
          "Every choice behind this model was made on these tasks (docs/protocol.md); its "
          "figures on any other task are reports."
          if sel and all(t.startswith("sel-") for t in sel) else
          "Its recipe was chosen on report tasks before docs/protocol.md: those tasks' figures "
          "are not results.", ""]
    L += ["## Data"] + _data_lines(mode, a, spec, meta)
    if mode == "microt":
        L += ["", "## Teacher"] + _teacher_lines(entry, ck, meta)
    L += ["", "## Hyper-parameters"]
    if mode == "none":
        L += ["`factory/run.sh distill.py --student %s --mode none` (seed %d)." % (a["student"], a["seed"])]
    else:
        keys = ["mode", "joint", "loss", "label_weight", "augment", "epochs", "batch_size", "lr",
                "momentum", "wd", "warmup_epochs", "seed", "px", "split_block", "full_tap",
                "part_tap", "corpus_rows"]
        L += ["| setting | value |", "|---|---|"]
        L += ["| %s | %s |" % (k, a.get(k) if k != "split_block" or a[k] else
                               "0 (auto: %d)" % spec["split_block"]) for k in keys if k in a]
        L += ["", "Optimiser: SGD with momentum, linear warm-up then cosine decay to 0 "
              "(factory/distill.py)."]
        if a.get("init"):
            base = a.get("epoch_base", 0)
            L += ["", "**Warm restart** (`--init`): starts from run `%s` (%d epochs) and runs a "
                  "second cycle of %d, so %d epochs in all; the wall time and losses below are "
                  "this cycle's (docs/factory.md \"Epochs\")." %
                  (_init_run(a), base, a["epochs"], base + a["epochs"])]
        last = ck["curve"][-1] if ck["curve"] else {}
        where = ("on 2 shared CPU cores (%.0f images/s on average; the machine was shared with "
                 "other jobs)" % ck["images_per_s"] if a.get("device", "cpu") == "cpu" else
                 "on a lent GPU (`--device %s`, PyTorch %s, %.0f images/s at the end; the same "
                 "command on 2 CPU cores runs the same recipe, not bit for bit: docs/factory.md "
                 "\"Runs\")" % (a["device"], ck.get("torch", "?"), ck["images_per_s"]))
        L += ["", "## Training", "Wall time **%.0f s (%.1f min)** %s, run `%s`." %
              (ck["wall_s"], ck["wall_s"] / 60, where, entry["run"]),
              "Final-epoch mean losses: %s." % ", ".join("%s %.4f" % (k, v) for k, v in last.items()
                                                         if k not in ("epoch", "epoch_s"))]
    sd = students.describe(spec)
    L += ["", "## Size and cost (from `build/tools/microt inspect models/%s.mtm`)" % name,
          "| stage | MACs | share | weights B | arena peak B |", "|---|---|---|---|---|"]
    for st in ("part", "rest", "full"):
        s = info[st]
        L.append("| %s | %s | %.1f%% | %s | %s |" % (st, format(s["macs"], ","), s["share"],
                                                    format(s["weights_bytes"], ","),
                                                    format(s["arena_bytes"], ",")))
    L += ["", "File %s bytes (flash, used in place); arena %s bytes%s%s; %s parameters; feature "
          "dims part/full %d/%d; split after block %d; fingerprint `%s`." %
          (format(entry["bytes"], ","), format(info["arena_bytes"], ","),
           " (%s kernels" % info["arena_kernels"] if info["arena_kernels"] else "",
           info["arena_other"] + ")" if info["arena_kernels"] else "", format(sd["params"], ","),
           sd["part_dim"], sd["full_dim"], spec["split_block"], entry["fingerprint"])]
    c = entry["calibration"]
    L += ["", "## Quantization",
          "Per-channel symmetric int8 weights, per-tensor asymmetric int8 activations "
          "(docs/quantization.md), ranges %s over %d calibration images (%s, seed %d)%s." %
          ("min/max" if c["percentile"] is None else "at the %g percentile" % c["percentile"],
           c["images"], c["source"], c["seed"],
           ", widened ×%g (docs/factory.md, int8)" % c["margin"] if c.get("margin", 1.0) != 1.0 else "")]
    srows = selection_rows(selection, name)
    if srows:
        L += ["", "## Selection tasks (int8, top-1 %%, mean ± sample std over %d draws)" %
              selection.get("draws", 10),
              "The scores the choices were made on (factory/select_eval.py, docs/protocol.md).", "",
              "| stage | " + " | ".join(selection["tasks"]) + " | mean |",
              "|---|" + "---|" * len(selection["tasks"]) + "---|"] + srows
    rows = probe_rows(results, name)
    L += ["", "## Report tasks: linear probe (top-1 %%, mean ± sample std over %d draws)"
          % len(results.get("seeds", [0, 1, 2, 3, 4]))]
    if rows:
        L += [results.get("protocol", ""), "",
              "| stage | weights | " + " | ".join("%s k=%d" % (TASK_NAMES[t], k)
                                                  for t in TASK_NAMES for k in (10, 100)) + " |",
              "|---|---|" + "---|" * (2 * len(TASK_NAMES))] + rows
        L += ["", "float = the PyTorch model (BN in eval mode) on training's pre-processing; "
              "int8 = this file through the C runtime (`microt extract`) on 8-bit frames. "
              "All extractors: docs/results-factory.md."]
    else:
        L += ["Not evaluated yet: `factory/run.sh evaluate.py` then `export_models.py --cards`."]
    L += ["", "## Reproduce", "```sh", "factory/make_factory.sh        # everything, from scratch",
          "```", "or this model alone: the run (`factory/run.sh distill.py %s`), then "
          "`factory/run.sh export_models.py %s` and `factory/run.sh evaluate.py`." %
          (" ".join(cli_args), name if name == entry["run"] else "%s=%s" % (name, entry["run"]))]
    with open(os.path.join(out_dir, name + ".md"), "w") as f:
        f.write("\n".join(L) + "\n")


def cli_args(a):
    """The distill.py arguments that differ from its defaults (the run's command line)."""
    out = ["--student", a["student"]]
    if a["mode"] != "microt":
        out += ["--mode", a["mode"]]
    if not a["joint"]:
        out.append("--no-joint")
    if a["loss"] != "mse":
        out += ["--loss", a["loss"]]
    if a["label_weight"]:
        out += ["--label-weight", "%g" % a["label_weight"]]
    if a.get("part_weight", 1.0) != 1.0:
        out += ["--part-weight", "%g" % a["part_weight"]]
    if a["augment"]:
        out.append("--augment")
    if a.get("targets"):
        out += ["--targets", "<cache>/targets/" + os.path.basename(a["targets"])]
        if a.get("full_tap"):
            out += ["--full-tap"] + list(a["full_tap"])
        if a.get("part_tap"):
            out += ["--part-tap"] + list(a["part_tap"])
        if a.get("corpus_rows", "all") != "all":
            out += ["--corpus-rows", a["corpus_rows"]]
    if a["epochs"] != 8:
        out += ["--epochs", str(a["epochs"])]
    if a.get("lr", 0.05) != 0.05:
        out += ["--lr", "%g" % a["lr"]]
    if a.get("init"):
        out += ["--init", "<cache>/runs/%s/final.pt" % _init_run(a)]
    if a["seed"] != 1:
        out += ["--seed", str(a["seed"])]
    if a["mode"] == "microt" and a.get("teacher") and not a.get("targets"):
        out += ["--teacher", "<cache>/teacher/" + os.path.basename(a["teacher"])]
    if a.get("px", 64) != 64:
        out += ["--px", str(a["px"])]
    if a.get("run_name"):
        out += ["--run-name", a["run_name"]]
    return out
