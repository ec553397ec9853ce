#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, every report fatal) and runs each on its
# seed corpus for a bounded number of inputs or seconds, whichever ends first. A crash, a
# sanitizer report, a violated property or a timeout fails the run; the input that caused it
# is kept in BUILD_DIR/crashes/TARGET/ (turn each into a regression test).
# usage: tests/fuzz/run.sh [RUNS] [BUILD_DIR] [SECONDS_PER_TARGET] [TARGET...]
#   RUNS 0 and SECONDS 0 mean no limit of that kind; no TARGET means all of them.
#   CORPUS_DIR=DIR keeps and grows one corpus per target there (tests/fuzz/campaign.sh).
set -euo pipefail
runs=${1:-100000}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$root/build-fuzz}
max_s=${3:-20}
shift $(($# < 3 ? $# : 3))
jobs=${JOBS:-2}

# One line per target: NAME  LIBRARIES  [SEED FILES (globs, relative to the repository)]
#   fuzz_NAME.c in tests/fuzz defines LLVMFuzzerTestOneInput and mt_fuzz_seeds (its seed
#   corpus); LIBRARIES: device (src/) or host (tools/ and src/); extra libFuzzer options
#   for a target go in OPTIONS_NAME below. Adding a target is adding its file and a line.
TARGETS="
model        device  tests/data/*.mtm
store        device
valid_model  device
idx          host
image        host
cycles       host
cli          host
tflite       host    tests/data/tflite/*.tflite ../shared/data/tflite/ic_resnet8_int8.tflite
"
# shellcheck disable=SC2034 # read through ${!opts_var}
OPTIONS_cli="-close_fd_mask=3" # the parser's messages are not wanted
# shellcheck disable=SC2034
OPTIONS_valid_model="-max_len=4096"
# shellcheck disable=SC2034
OPTIONS_model="-max_len=16384" # small models; the CRC runs over every byte
# shellcheck disable=SC2034
OPTIONS_image="-max_len=65536 -rss_limit_mb=2048"

command -v clang > /dev/null || { echo "run.sh: clang is missing (scripts/install-deps.sh test)" >&2; exit 2; }
mkdir -p "$out/obj" "$out/bin"
# MT_USE_HOST_SIMD: the executor runs the x86-64 host kernels, so the valid-model target
# compares them (and the DSP twins) with the reference.
san="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="$san -fsanitize=fuzzer-no-link -std=c11 -DMT_USE_HOST_SIMD=1 -I$root/include -I$root/tools"
cflags="$cflags $(pkg-config --cflags stb libpng libjpeg)"

# Objects, compiled in parallel and shared by every target; one is rebuilt when it is
# missing or older than a file it includes (clang -MMD), all of them when the flags or this
# script change.
compile() { # compile SOURCE OBJECT [EXTRA FLAGS...]
    local src=$1 obj=$2 f; shift 2
    if [ -e "$obj" ] && [ -e "${obj%.o}.d" ]; then
        local stale=0
        for f in $(sed -e 's/\\$//' -e 's/^[^:]*://' "${obj%.o}.d"); do
            [ "$f" -nt "$obj" ] && stale=1 && break
        done
        [ $stale -eq 0 ] && return 0
    fi
    # shellcheck disable=SC2086 # cflags is a list of flags
    clang $cflags "$@" -MMD -MF "${obj%.o}.d" -c "$src" -o "$obj"
}
export -f compile
export cflags
if [ "$(cat "$out/obj/FLAGS" 2> /dev/null)" != "$cflags" ] || [ "$0" -nt "$out/obj/FLAGS" ]; then
    rm -f "$out"/obj/*.o "$out"/obj/*.d
    echo "$cflags" > "$out/obj/FLAGS"
fi
device_src=$(ls "$root"/src/*.c "$root"/src/kernels/*.c)
host_src=$(for f in "$root"/tools/*.c; do echo "$f"; done | grep -v -E '/(microt|cmd_[a-z_0-9]+|stb_image_impl)\.c$')
shared_src="$root/tests/model_builder.c $root/tests/test_util.c $root/tests/fuzz/fuzz_common.c $root/tests/fuzz/model_gen.c"
objs_of() { for s in $1; do echo "$out/obj/$(echo "${s#"$root"/}" | tr / _ | sed 's/\.c$/.o/')"; done; }
# The kernels' loops and the bitwise CRC compare counters on every element: comparison
# tracing there costs a third of the time and guides nothing, so they keep edge coverage only.
for s in $device_src $host_src $shared_src; do
    case $s in */src/kernels/* | */src/hash.c) extra=-fno-sanitize-coverage=trace-cmp ;; *) extra=-DMT_FUZZ=1 ;; esac
    echo "$s $(objs_of "$s") $extra"
done | xargs -P "$jobs" -n 3 bash -c 'compile "$0" "$1" "$2"'
# stb_image is third-party: fuzzed too, but compiled without its warnings
compile "$root/tools/stb_image_impl.c" "$out/obj/stb_image_impl.o" -w
device_objs=$(objs_of "$device_src")
host_objs="$(objs_of "$host_src") $out/obj/stb_image_impl.o"
shared_objs=$(objs_of "$shared_src")

want=("$@")
failed=()
while read -r name libs seeds; do
    [ -n "$name" ] || continue
    if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " == *" $name "* ]]; then continue; fi
    src="$root/tests/fuzz/fuzz_$name.c"
    bin="$out/bin/fuzz_$name"
    objs="$device_objs $shared_objs"
    [ "$libs" = host ] && objs="$objs $host_objs"
    compile "$src" "$out/obj/fuzz_$name.o"
    # shellcheck disable=SC2086 # lists of objects and flags
    clang $san -fsanitize=fuzzer "$out/obj/fuzz_$name.o" $objs -lstb -lpng -ljpeg -lz -lm -o "$bin"
    corpus=${CORPUS_DIR:+$CORPUS_DIR/$name}
    corpus=${corpus:-$out/corpus/$name}
    mkdir -p "$corpus" "$out/seeds/$name" "$out/crashes/$name"
    MT_FUZZ_WRITE_SEEDS="$out/seeds/$name" "$bin"
    for g in $seeds; do
        for f in "$root"/$g; do [ -e "$f" ] && cp "$f" "$out/seeds/$name/"; done
    done
    opts_var="OPTIONS_$name"
    echo "== fuzz_$name: up to $runs runs / ${max_s} s"
    # shellcheck disable=SC2086 # options are a list
    if "$bin" -runs="$([ "$runs" -gt 0 ] && echo "$runs" || echo -1)" -max_total_time="$max_s" -timeout=10 -artifact_prefix="$out/crashes/$name/" \
        -print_final_stats=1 ${!opts_var:-} "$corpus" "$out/seeds/$name" > "$out/fuzz_$name.log" 2>&1; then
        grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)" \
            "$out/fuzz_$name.log" | tr '\n' ' '
        echo
    else
        tail -n 40 "$out/fuzz_$name.log"
        echo "== fuzz_$name FAILED (log $out/fuzz_$name.log, inputs in $out/crashes/$name/)"
        failed+=("$name")
    fi
done <<< "$TARGETS"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: failed: ${failed[*]}"
    exit 1
fi
echo "fuzz: all targets passed"
