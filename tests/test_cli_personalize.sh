#!/usr/bin/env bash
# Personalization CLI tests (host): personalize / infer / eval on a class-folder data set
# generated here (3 easy classes of noisy PPM images), ratio 0 and 1, the two-slot head file
# surviving a corrupt newer slot, bad inputs (empty class folder, unreadable image, head of
# another model, missing files) and the IDX reader (plain and gzip).
# usage: test_cli_personalize.sh MICROT_BINARY MODEL
# shellcheck disable=SC2016 # awk programs in single quotes
set -uo pipefail
microt=$1 model=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { # check NAME COMMAND...: the command must succeed
    if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi
}
status_is() { # status_is WANT COMMAND...
    local want=$1; shift
    "$@" > "$tmp/out" 2> "$tmp/err"
    local got=$?
    [ "$got" -eq "$want" ] || { echo "  exit $got, want $want: $*"; cat "$tmp/err"; return 1; }
}
at_least() { # at_least VALUE MIN: a decimal comparison
    awk -v v="$1" -v m="$2" 'BEGIN { exit !(v + 0 >= m + 0) }' || { echo "  $1 < $2"; return 1; }
}
grepv() { grep "$@" || { echo "  stderr:"; cat "$tmp/err"; return 1; }; }
one_line_error() { # stderr is exactly one line and names $1
    if [ "$(wc -l < "$tmp/err")" -ne 1 ] || ! grep -q -- "$1" "$tmp/err"; then
        echo "  stderr:"; cat "$tmp/err"; return 1
    fi
}

# ppm FILE KIND W H SEED: a binary PPM; KIND red|green|gradient, every channel +-40 noise.
ppm() {
    LC_ALL=C awk -v kind="$2" -v w="$3" -v h="$4" -v seed="$5" 'BEGIN {
        srand(seed); printf "P6\n%d %d\n255\n", w, h
        for (y = 0; y < h; y++) for (x = 0; x < w; x++) {
            if (kind == "red") { r = 200; g = 40; b = 40 }
            else if (kind == "green") { r = 40; g = 190; b = 60 }
            else { r = g = b = int(255 * x / (w - 1)) }
            split(r " " g " " b, c, " ")
            for (i = 1; i <= 3; i++) {
                v = c[i] + int(rand() * 81) - 40
                printf "%c", (v < 0 ? 0 : (v > 255 ? 255 : v))
            }
        }
    }' > "$1"
}
# Assorted sizes, all resized to the model's 32x32. (Widths 39..47 are left out: Debian's
# libstb triangle filter asserts when downsampling by 1.2..1.5x, see docs/cli.md.)
sizes=(16x12 20x24 28x28 32x32 64x48 96x80 24x18 48x64 30x20 80x96)
seed=1
for set in train test; do
    for kind in red green gradient; do
        mkdir -p "$tmp/$set/$kind"
        n=10; [ "$set" = test ] && n=8
        for i in $(seq 1 "$n"); do
            size=${sizes[$(((i + seed) % ${#sizes[@]}))]}
            ppm "$tmp/$set/$kind/img$i.ppm" "$kind" "${size%x*}" "${size#*x}" $seed
            seed=$((seed + 1))
        done
    done
done

check "personalize --help" status_is 0 "$microt" personalize --help
check "personalize without -o is a usage error" status_is 2 "$microt" personalize "$model" --train "$tmp/train"
check "personalize with a bad ratio is a usage error" status_is 2 "$microt" personalize "$model" --train "$tmp/train" -o "$tmp/h" --ratio 1.5
check "personalize" status_is 0 "$microt" personalize "$model" --train "$tmp/train" -o "$tmp/head" --shots 8 --seed 3 --quiet
cp "$tmp/out" "$tmp/personalize.out"
check "3 classes named after the folders" grep -q "^classes 3: gradient green red$" "$tmp/personalize.out"
check "8 shots per class" grep -q "^samples 24 (8..8 per class) of 30" "$tmp/personalize.out"
acc_part=$(awk '/^train accuracy part/ {print $4}' "$tmp/personalize.out")
acc_full=$(awk '/^train accuracy full/ {print $4}' "$tmp/personalize.out")
check "head A fits the easy training set" at_least "${acc_part:-0}" 90
check "head B fits the easy training set" at_least "${acc_full:-0}" 90
check "tau is a probability" awk '/^tau/ { exit !($2 >= 0 && $2 <= 1) }' "$tmp/personalize.out"
# sram heads H + names N + cache C + work W (max of arena A, training T, calibration K) = S bytes
sram=$(awk '/^sram/ { gsub(/[(),]/, ""); w = $12; m = $16; if ($18 > m) m = $18; if ($20 > m) m = $20;
    print $3 + $6 + $9 + $12, $22, (w == m) }' "$tmp/personalize.out")
check "sram total is the sum of its parts" test "$(echo "$sram" | awk '{print $1 == $2 && $3 == 1}')" = 1
check "every head converged" test "$(grep -c '^train accuracy .* converged, loss' "$tmp/personalize.out")" -eq 2
check "the cache is saved beside the head" test -s "$tmp/head.default.cache"
check "head file is two 16 KiB slots" test "$(wc -c < "$tmp/head")" -eq 32768

# infer on test images of every class: right labels and stage-decision fields.
imgs=("$tmp"/test/*/img*.ppm)
check "infer" status_is 0 "$microt" infer "$model" "$tmp/head" "${imgs[@]}"
cp "$tmp/out" "$tmp/infer.out"
check "infer prints one line per image" test "$(grep -c ' label=.* confidence=.* stage=\(part\|full\) macs=[0-9]*$' "$tmp/infer.out")" -eq ${#imgs[@]}
right=$(awk '{ split($1, p, "/"); split($2, l, "="); if (p[length(p) - 1] == l[2]) n++ } END { print n + 0 }' "$tmp/infer.out")
check "infer labels most test images right" at_least "$right" $((${#imgs[@]} * 8 / 10))
part_macs=$("$microt" inspect "$model" | awk '$1 == "part" {print $2}')
full_macs=$("$microt" inspect "$model" | awk '$1 == "full" {print $2}')
check "both stages answer some test images at r = 0.5" test "$(awk '{print $4}' "$tmp/infer.out" | sort -u | wc -l)" -eq 2
# MACs = the extractor up to the answering stage + 3 classes x (24 part, + 24 + 32 for head B on
# part (+) full, the default) features
check "an early exit costs the part stage plus head A" awk -v pm="$part_macs" '$4 == "stage=part" { split($5, m, "="); if (m[2] != pm + 3 * 24) bad = 1 } END { exit bad }' "$tmp/infer.out"
check "a full answer costs the full model plus both heads" awk -v fm="$full_macs" '$4 == "stage=full" { split($5, m, "="); if (m[2] != fm + 3 * 24 + 3 * (24 + 32)) bad = 1 } END { exit bad }' "$tmp/infer.out"

check "eval" status_is 0 "$microt" eval "$model" "$tmp/head" --test "$tmp/test" --per-image --quiet
cp "$tmp/out" "$tmp/eval.out"
acc=$(awk '/^accuracy [0-9.]+ %$/ {print $2}' "$tmp/eval.out")
check "eval accuracy well above chance (33 %)" at_least "${acc:-0}" 80
check "eval counts 24 samples" grep -q "^test 24 samples of 24" "$tmp/eval.out"
check "eval prints a 3x3 confusion matrix summing to 24" test "$(awk '/^confusion/ {f = 1; getline; next} f && NF == 4 {s += $2 + $3 + $4; r++} END {print r, s}' "$tmp/eval.out")" = "3 24"
# eval re-implements the decision to score both heads: it must agree with mt_stage_infer.
awk '/ true=/ {split($3, l, "="); print $1, l[2], $4}' "$tmp/eval.out" | sort > "$tmp/eval.answers"
awk '{split($2, l, "="); print $1, l[2], $4}' "$tmp/infer.out" | sort > "$tmp/infer.answers"
check "eval answers equal infer answers" cmp -s "$tmp/eval.answers" "$tmp/infer.answers"
check "eval --limit spreads over classes" status_is 0 "$microt" eval "$model" "$tmp/head" --test "$tmp/test" --limit 6 --per-image --quiet
check "eval --limit 6 takes 2 per class" test "$(grep -c ' true=' "$tmp/out")" -eq 6 -a "$(awk '/ true=/ {print $2}' "$tmp/out" | sort -u | wc -l)" -eq 3

# Ratio ends: r = 0 never exits, r = 1 always does.
check "personalize --ratio 0" status_is 0 "$microt" personalize "$model" --train "$tmp/train" -o "$tmp/h0" --ratio 0 --shots 4 --quiet
check "eval at r = 0" status_is 0 "$microt" eval "$model" "$tmp/h0" --test "$tmp/test" --quiet
check "r = 0: no early exit" grep -q "^early exit 0.00 %" "$tmp/out"
check "personalize --ratio 1" status_is 0 "$microt" personalize "$model" --train "$tmp/train" -o "$tmp/h1" --ratio 1 --shots 4 --quiet
check "eval at r = 1" status_is 0 "$microt" eval "$model" "$tmp/h1" --test "$tmp/test" --quiet --sweep
check "r = 1: every answer at the part stage" grep -q "^early exit 100.00 %" "$tmp/out"
check "sweep prints 5 ratios" test "$(grep -cE '^ +(0|0\.25|0\.5|0\.75|1)\.?[0-9]* ' "$tmp/out")" -eq 5

# Two-slot head file: a second personalize goes to the other slot; corrupting that newer
# slot leaves the first head loadable (its tau, sequence 1), as on the device.
tau1=$(awk '/^tau/ {print $2}' "$tmp/personalize.out")
check "second personalize" status_is 0 "$microt" personalize "$model" --train "$tmp/train" -o "$tmp/head" --shots 4 --seed 9 --ratio 0.25 --quiet
check "second save is sequence 2" grep -q "sequence 2, 1 task in the file" "$tmp/out"
check "infer reads sequence 2" status_is 0 "$microt" infer "$model" "$tmp/head" "${imgs[0]}" --verbose
check "stderr names sequence 2" grep -q "sequence 2, task default" "$tmp/err"
printf 'ZZZZ' | dd of="$tmp/head" bs=1 seek=$((16384 + 100)) conv=notrunc status=none
check "infer after a corrupt newer slot" status_is 0 "$microt" infer "$model" "$tmp/head" "${imgs[0]}" --verbose
check "previous head (sequence 1) answers" grepv -q "sequence 1, task default: 3 classes, ratio 0.50, tau $tau1\$" "$tmp/err"
check "a second task is added beside the first" status_is 0 "$microt" personalize "$model" --train "$tmp/train" -o "$tmp/head" --task colours --shots 4 --quiet
check "two tasks in the file" grep -q "2 tasks in the file" "$tmp/out"
check "infer answers both tasks with --all-tasks" status_is 0 "$microt" infer "$model" "$tmp/head" "${imgs[0]}" --all-tasks
check "one line per task" test "$(grep -c ' task=' "$tmp/out")" -eq 2
# A head file with several tasks: infer and eval must be told which (they used to answer every
# task / score the first one without a word).
check "infer refuses two tasks without --task" status_is 1 "$microt" infer "$model" "$tmp/head" "${imgs[0]}"
check "and lists them" one_line_error "holds 2 tasks (default, colours): name one with --task NAME"
check "eval refuses two tasks without --task" status_is 1 "$microt" eval "$model" "$tmp/head" --test "$tmp/test" --quiet
check "and lists them too" one_line_error "holds 2 tasks (default, colours): name one with --task NAME"
check "eval --task colours" status_is 0 "$microt" eval "$model" "$tmp/head" --test "$tmp/test" --task colours --quiet
check "scores that task" grep -q "task colours, 3 classes" "$tmp/out"

# Bad inputs: one line naming the file, exit 1, never a crash.
/usr/bin/python3 - "$model" "$tmp/other.mtm" <<'PYEOF'
# Another valid model: one weight bit flipped, fingerprint and CRC rewritten.
import struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
ops = struct.unpack_from("<I", b, 36)[0]
b[struct.unpack_from("<I", b, ops + 20)[0]] ^= 1
h = 0xcbf29ce484222325
for x in b[128:]:
    h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
struct.pack_into("<Q", b, 16, h)
struct.pack_into("<I", b, 12, zlib.crc32(bytes(b[16:])))
open(sys.argv[2], "wb").write(b)
PYEOF
check "the other model opens" status_is 0 "$microt" inspect "$tmp/other.mtm"
check "infer refuses a head of another model" status_is 1 "$microt" infer "$tmp/other.mtm" "$tmp/h0" "${imgs[0]}"
check "mismatch named in one line" one_line_error "h0: stored heads or features belong to another model"
check "eval refuses it too" status_is 1 "$microt" eval "$tmp/other.mtm" "$tmp/h0" --test "$tmp/test"
check "a personalize for the other model replaces the heads" status_is 0 "$microt" personalize "$tmp/other.mtm" --train "$tmp/train" -o "$tmp/h0" --shots 4 --quiet
check "with a note" grep -q "heads are replaced" "$tmp/err"

mkdir -p "$tmp/bad/a" "$tmp/bad/b"
cp "${imgs[0]}" "$tmp/bad/a/"
check "empty class folder refused" status_is 1 "$microt" personalize "$model" --train "$tmp/bad" -o "$tmp/hb"
check "empty folder named" one_line_error "bad/b: empty class folder"
echo "not an image" > "$tmp/bad/b/x.png"
check "unreadable image refused" status_is 1 "$microt" personalize "$model" --train "$tmp/bad" -o "$tmp/hb"
check "unreadable image named" one_line_error "bad/b/x.png: cannot decode image"
check "no head file written on failure" test ! -e "$tmp/hb"
check "missing training set" status_is 1 "$microt" personalize "$model" --train "$tmp/nothing" -o "$tmp/hb"
check "missing training set named" one_line_error "nothing: cannot read file"
check "missing model" status_is 1 "$microt" personalize "$tmp/none.mtm" --train "$tmp/train" -o "$tmp/hb"
check "missing model named" one_line_error "none.mtm: cannot read file"
check "missing head" status_is 1 "$microt" infer "$model" "$tmp/nohead" "${imgs[0]}"
check "missing head named" one_line_error "nohead: cannot read file"
check "a model is not a head file" status_is 1 "$microt" infer "$model" "$model" "${imgs[0]}"
check "not-a-head named" one_line_error "not a microt head file"
cp "$model" "$tmp/precious.mtm"
check "-o onto a non-head file is refused" status_is 1 "$microt" personalize "$model" --train "$tmp/train" -o "$tmp/precious.mtm" --quiet
check "and leaves it intact" cmp -s "$model" "$tmp/precious.mtm"
check "infer of a bad image" status_is 1 "$microt" infer "$model" "$tmp/head" "$tmp/bad/b/x.png" --task default
check "bad image named" one_line_error "x.png: cannot decode image"
check "infer without images is a usage error" status_is 2 "$microt" infer "$model" "$tmp/head"
check "eval without --test is a usage error" status_is 2 "$microt" eval "$model" "$tmp/head"

# IDX reader: 3 classes of 8x8 grey images (dark, bright, left-right ramp), 6 each,
# written here as IDX (images [n][8][8] u8, labels [n] u8); the labels path is derived.
/usr/bin/python3 - "$tmp" <<'PYEOF'
import random, struct, sys, gzip
random.seed(7)
imgs, labels = bytearray(), bytearray()
for i in range(18):
    k = i % 3
    for y in range(8):
        for x in range(8):
            base = (30, 220, x * 32 + 10)[k]
            imgs.append(max(0, min(255, base + random.randint(-25, 25))))
    labels.append(k)
hdr_i = struct.pack(">BBBBIII", 0, 0, 8, 3, 18, 8, 8)
hdr_l = struct.pack(">BBBBI", 0, 0, 8, 1, 18)
d = sys.argv[1]
open(d + "/tiny-images-idx3-ubyte", "wb").write(hdr_i + imgs)
open(d + "/tiny-labels-idx1-ubyte", "wb").write(hdr_l + labels)
gzip.open(d + "/gz-images-idx3-ubyte.gz", "wb").write(hdr_i + imgs)
gzip.open(d + "/gz-labels-idx1-ubyte.gz", "wb").write(hdr_l + labels)
open(d + "/short-images-idx3-ubyte", "wb").write(hdr_i + imgs[:100])
open(d + "/short-labels-idx1-ubyte", "wb").write(hdr_l + labels)
PYEOF
check "personalize from IDX" status_is 0 "$microt" personalize "$model" --train "$tmp/tiny-images-idx3-ubyte" -o "$tmp/hi" --names dark,bright,ramp --quiet
check "IDX: 3 named classes, 18 samples" grep -q "^classes 3: dark bright ramp$" "$tmp/out"
check "IDX: 18 samples" grep -q "^samples 18 (6..6 per class)" "$tmp/out"
check "personalize from gzip IDX" status_is 0 "$microt" personalize "$model" --train "$tmp/gz-images-idx3-ubyte.gz" --labels "$tmp/gz-labels-idx1-ubyte.gz" -o "$tmp/hg" --names dark,bright,ramp --quiet
check "gzip and plain IDX give the same head" cmp -s "$tmp/hi" "$tmp/hg"
check "eval on IDX" status_is 0 "$microt" eval "$model" "$tmp/hi" --test "$tmp/gz-images-idx3-ubyte.gz" --names dark,bright,ramp --quiet
acc=$(awk '/^accuracy [0-9.]+ %$/ {print $2}' "$tmp/out")
check "IDX eval accuracy well above chance" at_least "${acc:-0}" 80
check "truncated IDX refused" status_is 1 "$microt" personalize "$model" --train "$tmp/short-images-idx3-ubyte" -o "$tmp/hs"
check "truncated IDX named" one_line_error "short-images-idx3-ubyte: truncated IDX"
check "IDX without a labels file" status_is 1 "$microt" personalize "$model" --train "$tmp/tiny-images-idx3-ubyte" --labels "$tmp/nolabels" -o "$tmp/hs"
check "missing labels named" one_line_error "nolabels: cannot read file"

# --json: one object per command, the fields docs/cli.md lists (bench/results.py reads them).
json_get() { # json_get FILE PYTHON-EXPRESSION-ON-d
    /usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
check "personalize --json" status_is 0 "$microt" personalize "$model" --train "$tmp/train" -o "$tmp/hj" --shots 8 --json
cp "$tmp/out" "$tmp/p.json"
check "json: nothing on stderr" test ! -s "$tmp/err"
check "json: both heads converged" test "$(json_get "$tmp/p.json" "all(h['converged'] and h['stop'] == 'gradient' for h in d['heads'])")" = True
check "json: iterations within the budget" test "$(json_get "$tmp/p.json" "all(0 < h['iterations'] < 200 and h['evaluations'] >= h['iterations'] for h in d['heads'])")" = True
check "json: sample passes = evaluations x samples" test "$(json_get "$tmp/p.json" "all(h['sample_passes'] == h['evaluations'] * 24 for h in d['heads'])")" = True
check "json: calibration cost" test "$(json_get "$tmp/p.json" "d['calibration']['folds'] == 5 and 0 < d['calibration']['iterations'] <= 25 and d['calibration']['sample_passes'] > 0")" = True
check "json: sram adds up" test "$(json_get "$tmp/p.json" "d['sram']['total'] == sum(d['sram'][k] for k in ('heads', 'names', 'cache', 'work')) and d['sram']['total'] <= 262144")" = True
check "json: samples" test "$(json_get "$tmp/p.json" "(d['samples']['kept'], d['samples']['offered'], d['classes'])")" = "(24, 24, ['gradient', 'green', 'red'])"
check "json: MACs" test "$(json_get "$tmp/p.json" "d['macs']['part'] == $part_macs and d['macs']['part'] + d['macs']['rest'] == $full_macs")" = True
check "eval --json" status_is 0 "$microt" eval "$model" "$tmp/hj" --test "$tmp/test" --json
cp "$tmp/out" "$tmp/e.json"
check "json: eval accuracy, exit share, sweep" test "$(json_get "$tmp/e.json" "d['accuracy'] >= 80 and 0 <= d['exit_share'] <= 100 and len(d['sweep']) == 5 and sum(map(sum, d['confusion'])) == 24")" = True
check "infer --json" status_is 0 "$microt" infer "$model" "$tmp/hj" "${imgs[@]}" --json
cp "$tmp/out" "$tmp/i.json"
check "json: one answer per image" test "$(json_get "$tmp/i.json" "len(d['images']) == ${#imgs[@]} and all(len(i['answers']) == 1 for i in d['images'])")" = True
check "json: infer MACs add up" test "$(json_get "$tmp/i.json" "d['total_macs'] == sum(i['macs'] for i in d['images'])")" = True

# --add: two classes first, the third added later from its images alone (the earlier ones are
# gone: only HEAD.default.cache remembers them), warm-started.
mkdir -p "$tmp/two" "$tmp/third"
cp -r "$tmp/train/red" "$tmp/train/green" "$tmp/two/"
cp -r "$tmp/train/gradient" "$tmp/third/"
check "personalize two classes" status_is 0 "$microt" personalize "$model" --train "$tmp/two" -o "$tmp/ha" --quiet
check "two classes" grep -q "^classes 2: green red$" "$tmp/out"
mv "$tmp/two" "$tmp/two.gone"
check "--add a third class" status_is 0 "$microt" personalize "$model" --add "$tmp/third" -o "$tmp/ha" --quiet
check "three classes, one new" grep -q "^classes 3: green red gradient$" "$tmp/out"
check "from the cache and the new images" grep -q "^added 10 samples (1 new classes) from .* to the 20 cached before$" "$tmp/out"
check "warm start" grep -q "^training warm start" "$tmp/out"
check "eval after --add" status_is 0 "$microt" eval "$model" "$tmp/ha" --test "$tmp/test" --quiet
acc=$(awk '/^accuracy [0-9.]+ %$/ {print $2}' "$tmp/out")
check "all three classes learnt" at_least "${acc:-0}" 80
check "--add more of a known class" status_is 0 "$microt" personalize "$model" --add "$tmp/third" -o "$tmp/ha" --quiet --json
check "json: no new class, 40 samples" test "$(json_get "$tmp/out" "(d['new_classes'], d['samples']['kept'], d['mode'])")" = "(0, 40, 'add')"
check "--add without a cache" status_is 1 "$microt" personalize "$model" --add "$tmp/third" -o "$tmp/nocache"
check "names the missing cache" one_line_error "nocache.default.cache: cannot read file"

# A bounded cache: 5 kept per class by the reservoir, whatever is given.
check "--per-class 5" status_is 0 "$microt" personalize "$model" --train "$tmp/train" -o "$tmp/hr" --per-class 5 --quiet
check "keeps 15 of 30" grep -q "^cache keeps at most 5 per class: 15 of 30 samples given" "$tmp/out"
check "--budget too small" status_is 1 "$microt" personalize "$model" --train "$tmp/train" -o "$tmp/hr2" --budget 1000
check "says so" one_line_error "budget 1000: too small"

# Head B on the full feature alone (--full-head full): infer and eval read it; a full answer
# costs head A and head B on the 32 full features.
check "--full-head full" status_is 0 "$microt" personalize "$model" --train "$tmp/train" -o "$tmp/hc" --full-head full --quiet
check "infer with a full-only head B" status_is 0 "$microt" infer "$model" "$tmp/hc" "${imgs[@]}"
check "a full answer costs the full model, head A and head B on 32" awk -v fm="$full_macs" '$4 == "stage=full" { split($5, m, "="); if (m[2] != fm + 3 * 24 + 3 * 32) bad = 1 } END { exit bad }' "$tmp/out"
check "eval with it" status_is 0 "$microt" eval "$model" "$tmp/hc" --test "$tmp/test" --quiet
acc=$(awk '/^accuracy [0-9.]+ %$/ {print $2}' "$tmp/out")
check "head B on full accurate" at_least "${acc:-0}" 80

# An untrained extractor's features are ~1e-8: raw heads answered at chance unless
# --standardize was given; now they are standardised automatically, with a note.
none=$(dirname "$0")/../models/mcunet-none-64.mtm
if [ -r "$none" ]; then
    check "personalize on the untrained extractor" status_is 0 "$microt" personalize "$none" --train "$tmp/train" -o "$tmp/hn" --shots 8
    check "says it standardised" grep -q "standardised automatically" "$tmp/err"
    acc_full=$(awk '/^train accuracy full/ {print $4}' "$tmp/out")
    check "and the head learns (not chance)" at_least "${acc_full:-0}" 90
fi

echo "test_cli_personalize: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
