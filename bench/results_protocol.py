"""What the results may claim about each model: its replicates and what it was selected on.

Reads models/manifest.json (written by the factory; this module never writes it):
  "selected_on": [task, ...]   the tasks any choice behind the model (teacher tap, recipe,
                               epochs, ranges, ...) was made on (docs/protocol.md). A model
                               without the key counts as selected on every task: nothing is known.
  "replicate_of": "<stem>"     this entry is another training seed of <stem> (same recipe);
  "replicates": ["<stem>", ..] or the primary lists its replicates itself. Either way the bench
                               runs every replicate on the same draws and reports their spread.
                               A file <stem>-s<N>.mtm beside <stem>.mtm that no entry names is
                               taken as a replicate too (the factory's naming), with a warning.
A row's "selected on" is the union over its model's replicates (one seed selected on a task is
enough to disqualify the row's figures on it).
A report figure computed with a model selected on that task is MARKED (never silently shown);
with --refuse-selected the bench stops instead.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = os.path.join(ROOT, "models")
ANY = "*"  # selected_on of a model whose card says nothing: every task


def manifest(root=ROOT):
    try:
        with open(os.path.join(root, "models", "manifest.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def selected_on(entry):
    """The tasks a manifest entry was selected on (a list); [ANY] when the key is missing."""
    if not isinstance(entry, dict) or "selected_on" not in entry:
        return [ANY]
    return [str(t) for t in entry["selected_on"]]


def is_selected(tasks, protocol_task):
    """True when a figure on protocol_task made with something selected on `tasks` is not a
    report figure."""
    return ANY in tasks or protocol_task in tasks


def replicate_tag(stem, entry):
    """'s<seed>' from the manifest entry (its recipe seed, else the -s<N> suffix), else the stem."""
    seed = (entry or {}).get("seed")
    if seed is None and isinstance(entry, dict):
        seed = (entry.get("recipe") or {}).get("seed")
    if seed is not None:
        return "s%s" % seed
    tail = stem.rsplit("-", 1)[-1]
    return tail if tail[:1] == "s" and tail[1:].isdigit() else "s1"


def replicates(stem, man=None, models_dir=MODELS):
    """[(tag, stem, path)] for an extractor stem: itself first, then every replicate the manifest
    lists (by "replicates" or "replicate_of") whose file exists. Empty if the stem has no file."""
    man = manifest() if man is None else man
    out, seen = [], set()

    def add(s):
        path = os.path.join(models_dir, s + ".mtm")
        if s in seen or not os.path.exists(path):
            return
        seen.add(s)
        out.append((replicate_tag(s, man.get(s)), s, path))
    add(stem)
    if not out:
        return []
    for s in (man.get(stem) or {}).get("replicates", []):
        add(s)
    for s, e in sorted(man.items()):
        if isinstance(e, dict) and e.get("replicate_of") == stem:
            add(s)
    try:
        files = sorted(os.listdir(models_dir))
    except OSError:
        files = []
    for f in files:  # NAME-s<N>.mtm the manifest does not name (an export without its entry)
        m = re.fullmatch(re.escape(stem) + r"-s(\d+)\.mtm", f)
        if m and f[:-4] not in seen and f[:-4] not in man:
            print(f"bench: models/{f} has no manifest entry: taken as seed {m.group(1)} of {stem}",
                  file=sys.stderr)
            add(f[:-4])
    tags = [t for t, _, _ in out]
    if len(set(tags)) != len(tags):  # two entries claim the same seed: fall back to the stems
        out = [(s, s, p) for _, s, p in out]
    return out


def selected_on_all(stem, man=None, models_dir=MODELS):
    """The union of selected_on over a stem's replicates (the stem's own entry when it has no
    file); [ANY] when any of them says nothing."""
    man = manifest() if man is None else man
    stems = [s for _, s, _ in replicates(stem, man, models_dir)] or [stem]
    out = set()
    for s in stems:
        out |= set(selected_on(man.get(s)))
    return [ANY] if ANY in out else sorted(out)


def teacher_of(stem, man=None):
    """(teacher target, px, selected_on) named by a MicroT model's manifest entry, or Nones."""
    man = manifest() if man is None else man
    e = man.get(stem) or {}
    if not e.get("teacher"):
        return None, None, [ANY]
    return e["teacher"], int(e.get("teacher_px") or 0), selected_on(e)
