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

usage_error() { # usage_error TEXT COMMAND...: exit 2, one line on stderr naming TEXT and --help
    local text=$1; shift
    status_is 2 "$@" || return 1
    if [ "$(wc -l < "$tmp/err")" -ne 1 ] || ! grep -qF -- "$text" "$tmp/err" ||
        ! grep -qE -- "see 'microt [a-z-]*( [a-z-]+)? ?--help'" "$tmp/err"; then
        echo "  want one line naming '$text' and --help; stderr:"; cat "$tmp/err"; return 1
    fi
}

check "help exits 0" status_is 0 "$microt" --help
check "no args is a usage error" usage_error "missing COMMAND" "$microt"
check "unknown command is a usage error" usage_error "unknown command 'frobnicate'" "$microt" frobnicate
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

head -c 6144 /dev/urandom > "$tmp/frames.u8" # two 32x32x3 frames of the test model
check "extract two frames" status_is 0 "$microt" extract "$model"
"$microt" extract "$model" < "$tmp/frames.u8" > "$tmp/feats.f32" 2> /dev/null
check "extract writes (24 + 32) floats per frame" test "$(stat -c %s "$tmp/feats.f32")" -eq 448
head -c 6000 "$tmp/frames.u8" > "$tmp/partial.u8"
check "extract refuses a partial frame" sh -c "! '$microt' extract '$model' < '$tmp/partial.u8' > /dev/null 2>&1"

check "export-c" status_is 0 "$microt" export-c "$model" --symbol test_model_data -o "$tmp/model.c"
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
check "export-c rejects a bad identifier" usage_error "--symbol '9lives'" "$microt" export-c "$model" --symbol 9lives

# export-c writes data, not code (issue 17): the symbol is validated, input text in the
# comment is escaped, and the model is never overwritten.
check "export-c: a keyword symbol" usage_error "--symbol 'int': a C keyword" "$microt" export-c "$model" --symbol int
check "export-c: a reserved symbol" usage_error "--symbol '__x'" "$microt" export-c "$model" --symbol __x
check "export-c: a symbol with a space" usage_error "not a C identifier" "$microt" export-c "$model" --symbol "a b"
cp "$model" "$tmp/int"
check "export-c: a keyword file name asks for --symbol" usage_error "name the array with --symbol" "$microt" export-c "$tmp/int"
cp "$model" "$tmp/int.mtm"
check "export-c: default symbol from the file name" status_is 0 "$microt" export-c "$tmp/int.mtm" -o "$tmp/int.c"
check "export-c: the default symbol is int_mtm" grep -q "^const uint8_t int_mtm\[\]" "$tmp/int.c"
check "export-c: int_mtm compiles" cc -std=c99 -Wall -Wextra -Werror -c "$tmp/int.c" -o "$tmp/int.o"
cp "$model" "$tmp/copy.mtm"
check "export-c: -o the model itself" usage_error "is the model itself" "$microt" export-c "$tmp/copy.mtm" -o "$tmp/copy.mtm"
ln "$tmp/copy.mtm" "$tmp/hard.mtm"
check "export-c: -o a hard link of the model" usage_error "is the model itself" "$microt" export-c "$tmp/copy.mtm" -o "$tmp/hard.mtm"
check "export-c: the model is intact" cmp -s "$model" "$tmp/copy.mtm"
check "export-c: -o into a missing folder" status_is 1 "$microt" export-c "$model" -o "$tmp/no/such/dir/x.c"
check "export-c: the write error is one microt line" grep -q "^microt: .*x.c: cannot write file" "$tmp/err"
echo "previous" > "$tmp/prev.c"
check "export-c: -o a directory" status_is 1 "$microt" export-c "$model" -o "$tmp"
check "export-c: replaces an existing file" status_is 0 "$microt" export-c "$model" --symbol m -o "$tmp/prev.c"
check "export-c: no temporary left" test -z "$(find "$tmp" -name 'prev.c.tmp*')"
# Comment injection: a path with */ and a model named like code.
mkdir -p "$tmp/x*/out*" && cp "$model" "$tmp/x*/evil*.mtm"
cat > "$tmp/patch.c" <<'CEOF'
#include <stdio.h>
#include <string.h>
#include "model_builder.h"
#include "test_util.h"
int main(int argc, char **argv) { /* patch.c IN OUT: the model renamed to code, re-sealed */
    size_t len;
    uint8_t *b = mt_read_file(argv[1], &len);
    if (argc != 3 || !b) return 1;
    memcpy(b + 88, "*/ int injected = 1; /*\n", 25);
    mt_reseal(b, len);
    FILE *f = fopen(argv[2], "wb");
    return !f || fwrite(b, 1, len, f) != len || fclose(f) != 0;
}
CEOF
check "build the model renamer" cc -std=c11 -I"$root/include" -I"$root/tests" "$tmp/patch.c" "$root/tests/model_builder.c" "$root/tests/test_util.c" "$root"/src/*.c "$root"/src/kernels/*.c -lm -o "$tmp/patch"
check "rename the model to code" "$tmp/patch" "$model" "$tmp/x*/evil*.mtm"
check "export-c of the hostile names" status_is 0 "$microt" export-c "$tmp/x*/evil*.mtm" --symbol evil -o "$tmp/x*/out*/.c"
check "export-c of the hostile names (stdout)" sh -c "'$microt' export-c '$tmp/x*/evil*.mtm' --symbol evil > '$tmp/evil.c'"
check "hostile names compile as data" cc -std=c99 -Wall -Wextra -Werror -c "$tmp/evil.c" -o "$tmp/evil.o"
check "no injected symbol" sh -c "! nm '$tmp/evil.o' | grep -q injected"
check "only the two symbols" test "$(nm "$tmp/evil.o" | awk '{print $NF}' | sort | tr '\n' ' ')" = "evil evil_len "

# Usage errors (issue 14 item 6, issue 17): every command names the option and the mistake in
# one line and points to its --help; options may come anywhere, so a stray one is an error.
check "--version" status_is 0 "$microt" --version
check "--version prints the version" grep -qE "^microt [0-9]+\.[0-9]+\.[0-9]+" "$tmp/out"
check "run --version" status_is 0 "$microt" run --version
check "unknown command suggests the right one" usage_error "did you mean 'inspect'" "$microt" inspct "$model"
for cmd in inspect run export-c extract personalize infer eval; do
    check "$cmd: unknown option named" usage_error "'--bogus'" "$microt" "$cmd" "$model" --bogus
    check "$cmd --help" status_is 0 "$microt" "$cmd" --help
    check "$cmd --help prints its usage" grep -q "^usage: microt $cmd" "$tmp/out"
done
check "run: unknown option after the images" usage_error "'--bogus'" "$microt" run "$model" "$tmp/img.ppm" --bogus
check "run: unknown option between images" usage_error "'--bogus'" "$microt" run "$model" "$tmp/img.ppm" --bogus "$tmp/img.ppm"
check "run: --stage without a value" usage_error "'--stage' needs a value" "$microt" run "$model" "$tmp/img.ppm" --stage
check "run: a bad --stage" usage_error "--stage 'middle'" "$microt" run "$model" "$tmp/img.ppm" --stage middle
check "run: options after the images work" status_is 0 "$microt" run "$model" "$tmp/img.ppm" --stage part --quiet
check "run: --stage part prints the part stage only" test "$(grep -cE ' part [0-9]+ ms=' "$tmp/out")" -eq 1
check "run: -- ends the options" status_is 1 "$microt" run "$model" -- --not-an-option.png
check "run: no images named" usage_error "missing IMAGE" "$microt" run "$model"
check "inspect: empty --exit-share" usage_error "'--exit-share' needs a non-empty value" "$microt" inspect "$model" --board all --exit-share ""
check "inspect: --exit-share 2" usage_error "--exit-share '2'" "$microt" inspect "$model" --board all --exit-share 2
check "inspect: --exit-share without --board" usage_error "--exit-share needs --board" "$microt" inspect "$model" --exit-share 0.3
check "inspect: unknown board" usage_error "--board 'pdp11'" "$microt" inspect "$model" --board pdp11
check "inspect: two models" usage_error "unexpected argument" "$microt" inspect "$model" "$model"
check "personalize: typo suggests the option" usage_error "unknown option '--trian' (did you mean '--train'?)" "$microt" personalize "$model" --trian "$tmp" -o "$tmp/h"
check "personalize: missing -o named" usage_error "missing -o HEAD" "$microt" personalize "$model" --train "$tmp"
check "personalize: --ratio 2 named" usage_error "--ratio '2'" "$microt" personalize "$model" --train "$tmp" -o "$tmp/h" --ratio 2
check "personalize: --shots 0 named" usage_error "--shots '0'" "$microt" personalize "$model" --train "$tmp" -o "$tmp/h" --shots 0
check "personalize: --seed -1 named" usage_error "--seed '-1'" "$microt" personalize "$model" --train "$tmp" -o "$tmp/h" --seed -1
check "personalize: a task name too long" usage_error "--task" "$microt" personalize "$model" --train "$tmp" -o "$tmp/h" --task abcdefghijklmnopq
check "personalize: -o given twice" usage_error "'-o' given twice" "$microt" personalize "$model" --train "$tmp" -o "$tmp/h" -o "$tmp/h2"
check "eval: missing --test named" usage_error "missing --test" "$microt" eval "$model" "$tmp/h"
check "eval: --limit 0 named" usage_error "--limit '0'" "$microt" eval "$model" "$tmp/h" --test "$tmp" --limit 0
check "eval: --tau x named" usage_error "--tau 'x'" "$microt" eval "$model" "$tmp/h" --test "$tmp" --tau x
check "infer: missing IMAGE named" usage_error "missing IMAGE" "$microt" infer "$model" "$tmp/h"
check "extract: extra argument named" usage_error "unexpected argument 'x'" "$microt" extract "$model" x
check "export-c: -o without a value" usage_error "'-o' needs a value" "$microt" export-c "$model" -o

echo "test_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
