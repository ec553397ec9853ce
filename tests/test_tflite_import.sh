#!/usr/bin/env bash
# microt import on the two MLPerf Tiny int8 models (their documented MAC counts, the chosen
# split and feature sizes, a runnable result) and its refusals: unsupported ops named with
# their index, unknown tensors, a split after the features, malformed files, usage errors;
# a refused import never replaces an existing output.
# usage: test_tflite_import.sh MICROT_BINARY SOURCE_ROOT TFLITE_DIR [PYTHON]
set -uo pipefail
microt=$1 root=$2 data=$3 py=${4:-/usr/bin/python3}
vww=$data/vww_96_int8.tflite ic=$data/ic_resnet8_int8.tflite
[ -e "$vww" ] && [ -e "$ic" ] || { echo "skipped: no $vww / $ic"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi; }
status_is() { # status_is WANT COMMAND...
    local want=$1; shift
    "$@" > "$tmp/out" 2> "$tmp/err"
    local got=$?
    [ "$got" -eq "$want" ] || { echo "  exit $got, want $want: $*"; cat "$tmp/err"; return 1; }
}
macs_near() { # macs_near FILE WANT: the inspect total within 1 %
    local got
    got=$(awk '$1 == "full" {print $2}' "$1")
    awk -v g="$got" -v w="$2" 'BEGIN { exit !(g > 0.99 * w && g < 1.01 * w) }'
}

# MLPerf Tiny (Banbury et al. 2021, table 1): VWW MobileNetV1-0.25 7.5 M MACs, IC ResNet-8 12.5 M
check "import VWW" status_is 0 "$microt" import "$vww" -o "$tmp/vww.mtm"
check "VWW: the classifier is dropped" grep -q "dropped op 30 (SOFTMAX)" "$tmp/out"
check "VWW: input range 0..1 read from the quantization" grep -q "pixel 0..255 -> 0..1" "$tmp/out"
check "inspect the imported VWW" status_is 0 "$microt" inspect "$tmp/vww.mtm"
check "VWW: 7.5 M MACs" macs_near "$tmp/out" 7500000
check "VWW: 256-d full feature" grep -q -- "-> 256-d feature" "$tmp/out"
check "import ResNet-8 split after the second residual add" status_is 0 "$microt" import "$ic" -o "$tmp/ic.mtm" --split op:7
check "inspect the imported ResNet-8" status_is 0 "$microt" inspect "$tmp/ic.mtm"
check "IC: 12.5 M MACs" macs_near "$tmp/out" 12500000
check "IC: part feature 32-d, full 64-d" grep -qE -- "-> 32-d feature; full = .* -> 64-d feature" "$tmp/out"
printf 'P6\n40 30\n255\n' > "$tmp/img.ppm"
head -c 3600 /dev/urandom >> "$tmp/img.ppm"
check "run the imported VWW on an image" status_is 0 "$microt" run "$tmp/vww.mtm" "$tmp/img.ppm"
check "inspect MODEL.tflite lists split candidates" status_is 0 "$microt" inspect "$ic"
check "candidates include the residual adds" grep -qE "^ +7 ADD +1x16x16x32 .* 70\.6%" "$tmp/out"

cp "$tmp/vww.mtm" "$tmp/keep.mtm"
check "unknown tensor" status_is 1 "$microt" import "$vww" -o "$tmp/keep.mtm" --split no_such_tensor
check "unknown tensor named" grep -q "'no_such_tensor' names no tensor" "$tmp/err"
check "split after the features" status_is 1 "$microt" import "$vww" -o "$tmp/keep.mtm" --split op:29
check "split order named" grep -q "must come before" "$tmp/err"
"$py" "$root/tests/make_tflite_models.py" "$tmp/m" > /dev/null 2>&1 || echo "note: no synthetic models ($py lacks flatbuffers)"
if [ -e "$tmp/m/small.tflite" ]; then
    check "unsupported op" status_is 1 "$microt" import "$tmp/m/small.tflite" -o "$tmp/keep.mtm" --features z
    check "unsupported op named with its index" grep -q "op 1 (RELU) is not supported" "$tmp/err"
    check "malformed file" status_is 1 "$microt" import "$tmp/m/bad_vtable.tflite" -o "$tmp/keep.mtm"
    check "malformed file named" grep -q "not a valid TFLite model: tensor 1: vtable" "$tmp/err"
fi
check "refused imports left the output intact" cmp -s "$tmp/vww.mtm" "$tmp/keep.mtm"
check "no -o is a usage error" status_is 2 "$microt" import "$vww"
check "--split with a PART feature is a usage error" status_is 2 "$microt" import "$vww" -o "$tmp/x.mtm" --split op:3 --features op:5 op:27
check "import --help" status_is 0 "$microt" import --help
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
