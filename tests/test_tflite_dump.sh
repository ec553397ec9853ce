#!/usr/bin/env bash
# microt tflite-dump against an independent encoder: synthetic models written by Google's
# FlatBuffers builder (tests/make_tflite_models.py, Debian's python3-flatbuffers) must dump to
# exactly the graph the generator describes, malformed ones must be refused with the expected
# message (exit 1) and leave a previous dump intact; usage errors exit 2.
# usage: test_tflite_dump.sh MICROT_BINARY SOURCE_ROOT [PYTHON]
set -uo pipefail
microt=$1 root=$2 py=${3:-/usr/bin/python3}
if ! "$py" -c "import flatbuffers, numpy" 2> /dev/null; then
    echo "skipped: $py lacks flatbuffers/numpy (scripts/install-deps.sh installs python3-flatbuffers)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { # check NAME COMMAND...
    if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi
}
"$py" "$root/tests/make_tflite_models.py" "$tmp/m" > /dev/null || { echo "generator failed"; exit 1; }

check "dump of the options model" "$microt" tflite-dump "$tmp/m/options.tflite" -o "$tmp/d" > /dev/null
check "graph.json matches the generator" "$py" - "$tmp/d" "$tmp/m/options.expected.json" <<'PYEOF'
import json, sys
import numpy as np
d, want = sys.argv[1], json.load(open(sys.argv[2]))
g = json.load(open(d + "/graph.json"))
blob = open(d + "/buffers.bin", "rb").read()
bad = []
for k in ("format", "source", "version", "description", "inputs", "outputs"):
    if g[k] != want[k]:
        bad.append("%s: %r != %r" % (k, g[k], want[k]))
if len(g["tensors"]) != len(want["tensors"]):
    bad.append("tensor count %d != %d" % (len(g["tensors"]), len(want["tensors"])))
for t, w in zip(g["tensors"], want["tensors"]):
    for k in ("index", "name", "type", "shape"):
        if t[k] != w[k]:
            bad.append("tensor %d %s: %r != %r" % (w["index"], k, t[k], w[k]))
    if w["data"] is None:
        if t["buffer"] is not None:
            bad.append("tensor %d has a buffer" % w["index"])
    else:
        b = t["buffer"]
        got = blob[b["offset"]:b["offset"] + b["bytes"]].hex() if b else None
        if got != w["data"] or b["offset"] % 16:
            bad.append("tensor %d data %r at %r != %r" % (w["index"], got, b, w["data"]))
    q, wq = t["quant"], w["quant"]
    if (q is None) != (wq is None) or (q and (
            np.float32(q["scale"]).tolist() != np.float32(wq["scale"]).tolist()
            or q["zero_point"] != wq["zero_point"]
            or q["quantized_dimension"] != wq["quantized_dimension"])):
        bad.append("tensor %d quant %r != %r" % (w["index"], q, wq))
if g["tensors"][1]["buffer"] != g["tensors"][2]["buffer"]:
    bad.append("a shared buffer was written twice")
if len(g["operators"]) != len(want["operators"]):
    bad.append("operator count %d != %d" % (len(g["operators"]), len(want["operators"])))
for i, (o, w) in enumerate(zip(g["operators"], want["operators"])):
    w = dict(w, index=i)
    if o != w:
        bad.append("operator %d: %r != %r" % (i, o, w))
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad else 0)
PYEOF

check "dump of a valid small model" "$microt" tflite-dump "$tmp/m/small.tflite" -o "$tmp/keep" > /dev/null
before=$(cat "$tmp/keep/graph.json" "$tmp/keep/buffers.bin" | md5sum)
for f in "$tmp"/m/bad_*.tflite; do
    name=$(basename "$f" .tflite)
    want=$("$py" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$tmp/m/bad.expected.json" "$name")
    "$microt" tflite-dump "$f" -o "$tmp/keep" > /dev/null 2> "$tmp/err"
    rc=$?
    check "$name refused (exit 1)" test "$rc" -eq 1
    check "$name message names '$want'" grep -qF -- "$want" "$tmp/err"
    check "$name message is one line" test "$(wc -l < "$tmp/err")" -eq 1
done
check "failed dumps left the previous dump intact" test "$(cat "$tmp/keep/graph.json" "$tmp/keep/buffers.bin" | md5sum)" = "$before"
check "no temporary files left" test -z "$(ls "$tmp/keep" | grep tmp)"

"$microt" tflite-dump "$tmp/m/small.tflite" > /dev/null 2>&1
check "missing -o is a usage error" test $? -eq 2
"$microt" tflite-dump "$tmp/none.tflite" -o "$tmp/x" > /dev/null 2> "$tmp/err"
check "missing file exits 1" test $? -eq 1
check "missing file named" grep -q "none.tflite: cannot read file" "$tmp/err"
"$microt" tflite-dump "$tmp/m/small.tflite" -o "$tmp/m/small.tflite/sub" > /dev/null 2>&1
check "an impossible output folder exits 1" test $? -eq 1
check "tflite-dump --help" "$microt" tflite-dump --help > /dev/null

# fuzz findings (tests/fuzz, target tflite): each was undefined behaviour in the sanitizer build
# (a MEAN without inputs read op->inputs[0] of NULL in tflite_graph.c; a RELU6 output scale of
# 4e-11 overflowed int in tflite_lower.c); now inspect reads them and import refuses with a reason
for f in pool-without-input relu6-tiny-scale; do
    "$microt" inspect "$root/tests/data/tflite/$f.tflite" > /dev/null 2> "$tmp/err"
    check "fuzz finding $f: inspect reads it" test $? -eq 0
    "$microt" import "$root/tests/data/tflite/$f.tflite" -o "$tmp/$f.mtm" > /dev/null 2> "$tmp/err"
    check "fuzz finding $f: import refuses (exit 1)" test $? -eq 1
    check "fuzz finding $f: with a reason" grep -q "cannot import" "$tmp/err"
    check "fuzz finding $f: and writes nothing" test ! -e "$tmp/$f.mtm"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
