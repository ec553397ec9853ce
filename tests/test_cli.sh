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
cp "$tmp/out" "$tmp/inspect.txt"
check "inspect --json" status_is 0 "$microt" inspect "$model" --json --board all
cp "$tmp/out" "$tmp/inspect.json"
# The JSON holds the text report's figures (read back with Python's json module).
json_vs_text() {
    /usr/bin/python3 - "$tmp/inspect.json" "$tmp/inspect.txt" <<'PYEOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
full = re.search(r"^full +(\d+) +[\d.]+% +(\d+) +(\d+)$", text, re.M)
arena = re.search(r"^arena peak (\d+) bytes", text, re.M)
fp = re.search(r"^fingerprint ([0-9a-f]{16})$", text, re.M)
ops = re.findall(r"^ +\d+ (part|rest) ", text, re.M)
ok = (d["totals"]["full"]["macs"] == int(full.group(1)) and
      d["totals"]["full"]["weight_bytes"] == int(full.group(2)) and
      d["arena_bytes"]["dsp"] == int(arena.group(1)) and
      d["model"]["fingerprint"] == fp.group(1) and len(d["ops"]) == len(ops) and
      [o["stage"] for o in d["ops"]] == ops and len(d["boards"]) == 2 and
      all(b["inference"][0]["cycles"] > 0 for b in d["boards"]))
sys.exit(0 if ok else 1)
PYEOF
}
check "inspect --json holds the text report's figures" json_vs_text
printf '\0\0\0\0TFL3' > "$tmp/fake.tflite"
check "inspect --json of a .tflite is refused" usage_error "--json is for .mtm models" "$microt" inspect "$tmp/fake.tflite" --json

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
# the header beside the array (issue 15 item 6; tests/test_export_header.c uses its sizes)
check "export-c: FILE.h beside FILE.c" test -s "$tmp/prev.h"
check "export-c: the header's arena" grep -q "^#define M_ARENA_BYTES_DSP [0-9]*u$" "$tmp/prev.h"
check "export-c: header and array compile together" cc -std=c99 -Wall -Wextra -Werror -include "$tmp/prev.h" -c "$tmp/prev.c" -o "$tmp/prev.o"
check "export-c: --header elsewhere, --classes 3" status_is 0 "$microt" export-c "$model" --symbol m -o "$tmp/prev.c" --header "$tmp/other.h" --classes 3 --shots 7
check "export-c: the budget is in the header" grep -q "^#define M_CACHE_SAMPLES 21$" "$tmp/other.h"
check "export-c: --classes 1" usage_error "--classes" "$microt" export-c "$model" -o "$tmp/prev.c" --classes 1
check "export-c: --header the model itself" usage_error "is the model itself" "$microt" export-c "$tmp/copy.mtm" -o "$tmp/z.c" --header "$tmp/copy.mtm"
check "export-c: --header the -o file" usage_error "is also the -o file" "$microt" export-c "$model" -o "$tmp/z.c" --header "$tmp/z.c"
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

# Every file the CLI reads is a regular file of bounded size, checked before reading: no
# hang on a FIFO, no read of a device, and the right reason (issue 17).
check "a directory as the model" status_is 1 "$microt" inspect /
check "the directory is named as such" grep -q "^microt: /: is a directory$" "$tmp/err"
check "a device as the model" status_is 1 timeout 10 "$microt" inspect /dev/urandom
check "the device is named as such" grep -q "^microt: /dev/urandom: is a device" "$tmp/err"
mkfifo "$tmp/fifo.mtm"
check "a FIFO as the model does not hang" status_is 1 timeout 10 "$microt" inspect "$tmp/fifo.mtm"
check "the FIFO is named as such" grep -q "fifo.mtm: is a FIFO" "$tmp/err"
check "a FIFO as the image does not hang" status_is 1 timeout 10 "$microt" run "$model" "$tmp/fifo.mtm"
check "a FIFO as the head file does not hang" status_is 1 timeout 10 "$microt" infer "$model" "$tmp/fifo.mtm" "$tmp/img.ppm"
check "the FIFO head is named as such" grep -q "fifo.mtm: is a FIFO" "$tmp/err"
check "personalize -o a FIFO does not hang" status_is 1 timeout 10 "$microt" personalize "$model" --train "$tmp" -o "$tmp/fifo.mtm"
truncate -s 100M "$tmp/huge.mtm"
check "a model above the size limit" status_is 1 "$microt" inspect "$tmp/huge.mtm"
check "the limit is named" grep -q "huge.mtm: 104857600 bytes, more than the 67108864-byte limit for a model file" "$tmp/err"
rm -f "$tmp/huge.mtm"

# Images (issue 17): truncated or malformed images are refused, not padded; a huge header is
# refused before decoding; formats that are not compiled in are not images.
le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
bmp_header() { # bmp_header W H: a 24-bit BITMAPINFOHEADER BMP header, no pixels
    local row=$((($1 * 3 + 3) / 4 * 4))
    printf "BM$(le32 $((54 + row * $2)))\\0\\0\\0\\0\\x36\\0\\0\\0\\x28\\0\\0\\0$(le32 "$1")$(le32 "$2")\\x01\\0\\x18\\0"
    printf '\0%.0s' $(seq 24)
}
image_refused() { # image_refused FILE TEXT: run exits 1 naming TEXT, within 20 s
    status_is 1 timeout 20 "$microt" run "$model" "$1" && grep -qF -- "$2" "$tmp/err" ||
        { echo "  want '$2':"; cat "$tmp/err"; return 1; }
}
{ bmp_header 8 8; head -c 100 /dev/urandom; } > "$tmp/cut.bmp" # 192 pixel bytes wanted
{ bmp_header 8 8; head -c 192 /dev/urandom; } > "$tmp/whole.bmp"
check "a whole BMP" status_is 0 "$microt" run "$model" "$tmp/whole.bmp"
check "a truncated BMP" image_refused "$tmp/cut.bmp" "truncated BMP"
printf 'P6\n64 64\n255\n' > "$tmp/header-only.ppm"
check "a header-only PPM" image_refused "$tmp/header-only.ppm" "truncated PPM"
printf 'P5\n2 2\n0\n\0\0\0\0' > "$tmp/maxval0.pgm"
check "a PGM with maxval 0" image_refused "$tmp/maxval0.pgm" "maxval 0"
bmp_header 20000 20000 > "$tmp/huge.bmp"
check "a 20000x20000 BMP header" image_refused "$tmp/huge.bmp" "400.0 megapixels"
printf 'P6\n20000 20000\n255\n' > "$tmp/huge.ppm"
check "a 20000x20000 PPM header" image_refused "$tmp/huge.ppm" "400.0 megapixels"
check "--max-pixels lowers the limit" status_is 1 "$microt" run "$model" "$tmp/whole.bmp" --max-pixels 63
check "--max-pixels is named" grep -q "more than the 0.0-megapixel limit (--max-pixels)" "$tmp/err"
check "--max-pixels 64 is enough" status_is 0 "$microt" run "$model" "$tmp/whole.bmp" --max-pixels 64
printf '#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 64 +X 64\n\x02\x02\x00\x40\x80' > "$tmp/cut.hdr"
check "a truncated RLE HDR (stb hang, CVE-2021-42715)" image_refused "$tmp/cut.hdr" "not an image"
printf '\0\0\x02\0\0\0\0\0\0\0\0\0\x40\0\x40\0\x18\0' > "$tmp/cut.tga"
check "a truncated TGA" image_refused "$tmp/cut.tga" "not an image"
{ printf '8BPS\0\x01\0\0\0\0\0\0\0\x03'; le32 $((20000 << 16 >> 16)); } > "$tmp/huge.psd"
check "a PSD" image_refused "$tmp/huge.psd" "not an image"

# IDX (issue 17): a damaged gzip IDX is one line naming the damage (a corrupt stream or a bad
# CRC was a heap-use-after-free, a cut trailer was accepted); a device is refused at once.
idx_be32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
{ printf "\\0\\0\\x08\\x03$(idx_be32 20)$(idx_be32 8)$(idx_be32 8)"; head -c 1280 /dev/urandom; } > "$tmp/img-idx3-ubyte"
{ printf "\\0\\0\\x08\\x01$(idx_be32 20)"; for _ in $(seq 10); do printf '\0\001'; done; } > "$tmp/lab-idx1-ubyte"
gzip -c -9 "$tmp/img-idx3-ubyte" > "$tmp/img.gz"
gzip -c -9 "$tmp/lab-idx1-ubyte" > "$tmp/lab.gz"
idx_refused() { # idx_refused IMAGES TEXT: personalize exits 1 with one line naming TEXT
    status_is 1 timeout 20 "$microt" personalize "$model" --train "$1" --labels "$tmp/lab.gz" -o "$tmp/idx.head" --quiet &&
        grep -qF -- "$2" "$tmp/err" && [ "$(wc -l < "$tmp/err")" -eq 1 ] ||
        { echo "  want one line naming '$2':"; cat "$tmp/err"; return 1; }
}
check "a gzip IDX set" status_is 0 "$microt" personalize "$model" --train "$tmp/img.gz" --labels "$tmp/lab.gz" -o "$tmp/idx.head" --quiet
gz_len=$(stat -c %s "$tmp/img.gz")
cp "$tmp/img.gz" "$tmp/corrupt.gz" && printf '\xff\xff\xff\xff' | dd of="$tmp/corrupt.gz" bs=1 seek=$((gz_len / 2)) conv=notrunc 2> /dev/null
check "a corrupt deflate stream" idx_refused "$tmp/corrupt.gz" "corrupt gzip data"
cp "$tmp/img.gz" "$tmp/badcrc.gz" && printf '\x00\x00\x00\x00' | dd of="$tmp/badcrc.gz" bs=1 seek=$((gz_len - 8)) conv=notrunc 2> /dev/null
check "a bad CRC trailer" idx_refused "$tmp/badcrc.gz" "incorrect data check"
head -c $((gz_len - 8)) "$tmp/img.gz" > "$tmp/cut.gz"
check "a cut trailer" idx_refused "$tmp/cut.gz" "truncated gzip"
check "/dev/zero as IDX" idx_refused /dev/zero "is a device"
{ cat "$tmp/img-idx3-ubyte"; printf 'x'; } > "$tmp/long-idx3-ubyte"
check "a plain IDX with a trailing byte" idx_refused "$tmp/long-idx3-ubyte" "1 bytes after the IDX data"

# The cycle file of inspect --board: strict numbers, every key once.
printf '# test\nmodel microt-test-32\nfingerprint %s\ncpu cortex-m4\nclasses 10\nper_class 10\n' "$fp" > "$tmp/good.cycles"
for k in input part rest full extract head_train_a head_train_b calibrate head_a head_b; do
    echo "$k 1000" >> "$tmp/good.cycles"
done
check "a valid cycle file" status_is 0 "$microt" inspect "$model" --board stm32l4r5zi --cycles "$tmp/good.cycles"
check "the cycle file is used" grep -q "from the cycle file" "$tmp/out"
bad_cycles() { # bad_cycles NAME SED-EXPRESSION TEXT: the edited file is refused, naming TEXT
    sed "$2" "$tmp/good.cycles" > "$tmp/bad.cycles"
    status_is 1 "$microt" inspect "$model" --board stm32l4r5zi --cycles "$tmp/bad.cycles" &&
        grep -qF -- "$3" "$tmp/err" && [ "$(wc -l < "$tmp/err")" -eq 1 ] ||
        { echo "  want '$3':"; cat "$tmp/err"; return 1; }
}
check "cycles: a negative value" bad_cycles neg 's/^part 1000/part -5/' "part '-5' is not a whole number"
check "cycles: a value that wraps u64" bad_cycles wrap 's/^rest 1000/rest 18446744073709551617/' "rest '18446744073709551617'"
check "cycles: a value above 1e12" bad_cycles big 's/^full 1000/full 1000000000001/' "full '1000000000001'"
check "cycles: trailing junk" bad_cycles junk 's/^head_a 1000/head_a 1000x/' "head_a '1000x'"
check "cycles: a key given twice" bad_cycles dup 's/^head_b 1000/head_b 1000\nhead_b 2/' "head_b given twice"
check "cycles: a missing key" bad_cycles miss '/^calibrate/d' "missing key 'calibrate'"
check "cycles: a bad fingerprint" bad_cycles fp 's/^fingerprint .*/fingerprint -1/' "fingerprint '-1'"
check "cycles: zero classes" bad_cycles cls 's/^classes 10/classes 0/' "classes '0'"
check "cycles: too many samples" bad_cycles samples 's/^per_class 10/per_class 200000/' "samples, more than 1000000"
check "cycles: a cpu name too long" bad_cycles cpu 's/^cpu .*/cpu cortex-m4-with-a-long-name/' "cpu 'cortex-m4-with-a-long-name'"
check "cycles: three fields" bad_cycles three 's/^input 1000/input 1000 2000/' "want 'KEY VALUE'"
check "cycles: a long line" bad_cycles long "s/^# test.*/# $(printf '%0300d' 0)/" "longer than 256 characters"
check "cycles: a FIFO" status_is 1 timeout 10 "$microt" inspect "$model" --board stm32l4r5zi --cycles "$tmp/fifo.mtm"
cp "$model" "$tmp/beside.mtm" && mkfifo "$tmp/beside.cortex-m4.cycles"
check "a FIFO as the cycle file beside the model does not hang" status_is 0 timeout 10 "$microt" inspect "$tmp/beside.mtm" --board stm32l4r5zi

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
check "run: options after images with POSIXLY_CORRECT" status_is 0 env POSIXLY_CORRECT=1 "$microt" run "$model" "$tmp/img.ppm" --quiet
check "run: an abbreviated option" status_is 0 "$microt" run "$model" "$tmp/img.ppm" --sta=full --qui
check "run: --stage full prints the full stage only" test "$(grep -cE ' full [0-9]+ ms=' "$tmp/out")" -eq 1
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
check "and MACs x cycles/MAC used instead" grep -q "^cycles     MACs x 2.45" "$tmp/out"

echo "test_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
