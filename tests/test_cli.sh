#!/usr/bin/env bash
# CLI tests (host): exit codes and one-line errors, inspect's figures, run's resumed
# features, and export-c's array compiled into a program that opens it.
# usage: test_cli.sh MICROT_BINARY MODEL SOURCE_ROOT
set -uo pipefail
microt=$1 model=$2 root=$3
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

check "help exits 0" status_is 0 "$microt" --help
check "no args is a usage error" status_is 2 "$microt"
check "unknown command is a usage error" status_is 2 "$microt" frobnicate
check "inspect --help" status_is 0 "$microt" inspect --help
check "inspect of a missing file" status_is 1 "$microt" inspect "$tmp/none.mtm"
check "missing file named in one line" grep -q "none.mtm: cannot read file" "$tmp/err"
head -c 1000 "$model" > "$tmp/cut.mtm"
check "inspect of a truncated model" status_is 1 "$microt" inspect "$tmp/cut.mtm"
check "truncation named" grep -q "truncated" "$tmp/err"
check "inspect of a valid model" status_is 0 "$microt" inspect "$model"
check "inspect prints the arena peak" grep -q "^arena peak [0-9]* bytes" "$tmp/out"
check "inspect prints stage MACs" grep -qE "^part +[0-9]+ " "$tmp/out"

printf 'P6\n5 4\n255\n' > "$tmp/img.ppm"
head -c 60 /dev/urandom >> "$tmp/img.ppm"
check "run on an image" status_is 0 "$microt" run "$model" "$tmp/img.ppm"
check "run prints both stages" test "$(grep -cE ' (part|full) [0-9]+ ms=' "$tmp/out")" -eq 2
echo "not an image" > "$tmp/bad.png"
check "run on a bad image" status_is 1 "$microt" run "$model" "$tmp/bad.png"
check "run without images is a usage error" status_is 2 "$microt" run "$model"

head -c 6144 /dev/urandom > "$tmp/frames.u8" # two 32x32x3 frames of the test model
check "extract two frames" status_is 0 "$microt" extract "$model"
"$microt" extract "$model" < "$tmp/frames.u8" > "$tmp/feats.f32" 2> /dev/null
check "extract writes (24 + 32) floats per frame" test "$(stat -c %s "$tmp/feats.f32")" -eq 448
head -c 6000 "$tmp/frames.u8" > "$tmp/partial.u8"
check "extract refuses a partial frame" sh -c "! '$microt' extract '$model' < '$tmp/partial.u8' > /dev/null 2>&1"

check "export-c" status_is 0 "$microt" export-c "$model" --name test_model_data -o "$tmp/model.c"
fp=$("$microt" inspect "$model" | awk '/^fingerprint/ {print $2}')
cat > "$tmp/main.c" <<'CEOF'
#include <stdio.h>
#include "microt/model.h"
extern const unsigned int test_model_data_len;
extern const uint8_t test_model_data[];
int main(void) {
    mt_model_t m;
    int st = mt_model_open(&m, test_model_data, test_model_data_len);
    printf("%d %016llx\n", st, (unsigned long long)m.fingerprint);
    return st != 0;
}
CEOF
check "exported array compiles" cc -std=c11 -I"$root/include" "$tmp/main.c" "$tmp/model.c" "$root"/src/*.c "$root"/src/kernels/*.c -lm -o "$tmp/open"
check "exported array opens with the same fingerprint" test "$("$tmp/open")" = "0 $fp"
check "export-c rejects a bad identifier" status_is 2 "$microt" export-c "$model" --name 9lives

# inspect --board takes the cycle file shipped beside the model (models/NAME.CORE.cycles) when
# it was made for this model, and ignores (names) one made for another
cp "$model" "$tmp/m.mtm"
cycfile() { # cycfile FINGERPRINT CORE: a complete cycle file with round numbers
    printf 'model m\nfingerprint %s\ncpu %s\nclasses 10\nper_class 10\n' "$1" "$2"
    printf 'input 1000\npart 600000\nrest 400000\nfull 1000000\nextract 1001000\n'
    printf 'head_train_a 1\nhead_train_b 1\ncalibrate 1\nhead_a 2000\nhead_b 3000\n'
}
cycfile "$fp" cortex-m4 > "$tmp/m.cortex-m4.cycles"
check "inspect --board finds the cycle file beside the model" status_is 0 "$microt" inspect "$tmp/m.mtm" --board stm32l4r5zi
# input + part + rest + head B = 1,004,000 cycles = 8.367 ms at 120 MHz; x 43.56 mW = 364.45 uJ
check "its full-model row is the file's cycles" grep -qE "^full model \+ head B +1004000 +8\.367 +364\.[45]$" "$tmp/out"
check "it says which file it used" grep -q "^cycle file $tmp/m.cortex-m4.cycles (beside the model)" "$tmp/out"
cycfile 0123456789abcdef cortex-m4 > "$tmp/m.cortex-m4.cycles"
check "inspect --board with another model's cycle file" status_is 0 "$microt" inspect "$tmp/m.mtm" --board stm32l4r5zi
check "the stale file is named and ignored" grep -q "ignoring $tmp/m.cortex-m4.cycles" "$tmp/err"
check "and MACs x cycles/MAC used instead" grep -q "^cycles     MACs x 2.60" "$tmp/out"

echo "test_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
