#!/usr/bin/python3
"""`make check-docs`: every figure of README's Results section and docs/results.md comes from
docs/results/results.json, computed at the commit the README names.

Re-renders both from results.json (bench/results_render.py: no run, no data, a second) and
compares them with the files byte for byte, then checks that the commit the README names is the
one results.json was computed at and that it exists in this repository's history. A figure
edited by hand, a stale results.json or a README that names another commit fails with a diff.

  bench/check_docs.py                 # the committed docs
  bench/check_docs.py --results R.json --md results.md --readme README.md
  bench/check_docs.py --write         # re-render both from results.json (after a change to
                                      # bench/results_render.py; no run, no data)
"""
import argparse
import difflib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)  # the factory package
import results_render  # noqa: E402


def section(text):
    """README's Results section (between the markers), or None."""
    a = text.find("<!-- results:begin")
    b = text.find(results_render.README_END)
    return None if a < 0 or b < 0 else text[a:b + len(results_render.README_END) + 1]


def _diff(want, got, name):
    d = difflib.unified_diff(want.splitlines(), got.splitlines(), f"{name} rendered from results.json",
                             name, lineterm="", n=1)
    return "\n".join(list(d)[:40])


def commit_known(commit, root=ROOT):
    """True/False when git can tell whether the commit exists; None in a shallow/non-git tree."""
    c = commit.split()[0]
    if not re.fullmatch(r"[0-9a-f]{7,40}", c):
        return False
    p = subprocess.run(["git", "-C", root, "cat-file", "-e", c + "^{commit}"], capture_output=True)
    if p.returncode == 0:
        return True
    shallow = subprocess.run(["git", "-C", root, "rev-parse", "--is-shallow-repository"],
                             capture_output=True, text=True).stdout.strip()
    return None if shallow != "false" else False


def check(results, md, readme):
    """A list of problems (empty: the docs are what results.json says)."""
    problems = []
    with open(results) as f:
        J = json.load(f)
    want_md = results_render.render(J, J["meta"].get("plots", []))
    with open(md) as f:
        got_md = f.read()
    if got_md != want_md:
        problems.append("docs/results.md differs from its rendering of results.json:\n" + _diff(want_md, got_md, md))
    with open(readme) as f:
        got = section(f.read())
    want = results_render.readme(J)
    if got is None:
        problems.append(f"{readme}: no Results section (markers {results_render.README_BEGIN!r})")
    elif got != want:
        problems.append("README's Results section differs from its rendering of results.json:\n"
                        + _diff(want, got, readme))
    if got:
        named = re.search(r"commit `([^`]+)`", got)
        commit = J["meta"]["commit"]
        if not named or named.group(1) != commit:
            problems.append(f"README names commit {named and named.group(1)!r}, results.json was "
                            f"computed at {commit!r}")
        elif "uncommitted" in commit and not J["meta"].get("smoke"):
            problems.append(f"results.json was computed from a tree with uncommitted changes ({commit})")
        elif not J["meta"].get("smoke"):
            known = commit_known(commit)
            if known is False:
                problems.append(f"commit {commit} is not in this repository's history")
            elif known is None:
                print(f"check-docs: shallow clone: cannot confirm commit {commit} exists", file=sys.stderr)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", default=os.path.join(ROOT, "docs", "results", "results.json"))
    ap.add_argument("--md", default=os.path.join(ROOT, "docs", "results.md"))
    ap.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    ap.add_argument("--write", action="store_true", help="re-render the docs instead of checking")
    args = ap.parse_args()
    if args.write:
        with open(args.results) as f:
            J = json.load(f)
        with open(args.md, "w") as f:
            f.write(results_render.render(J, J["meta"].get("plots", [])))
        with open(args.readme) as f:
            old = f.read()
        with open(args.readme, "w") as f:
            f.write(results_render.splice_readme(old, results_render.readme(J)))
        print(f"check-docs: re-rendered {args.md} and {args.readme} from {args.results}")
        return 0
    problems = check(args.results, args.md, args.readme)
    for p in problems:
        print("check-docs: " + p, file=sys.stderr)
    if not problems:
        print(f"check-docs: README's Results section and {os.path.relpath(args.md, ROOT)} match "
              f"{os.path.relpath(args.results, ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
