#!/usr/bin/env bash
# Builds the model-loader fuzzer with clang (libFuzzer + ASan + UBSan) and runs it for a
# bounded number of inputs (or MAX_SECONDS, whichever ends first).
# usage: tests/fuzz/run.sh [RUNS] [BUILD_DIR] [MAX_SECONDS]
# Crashes are written to BUILD_DIR/crashes; turn each into a regression test.
set -euo pipefail
runs=${1:-200000}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$root/build-fuzz}
max_s=${3:-0}
mkdir -p "$out/corpus" "$out/crashes"
flags="-g -O1 -std=c11 -I$root/include -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
clang $flags "$root"/src/*.c "$root"/src/kernels/*.c "$root/tests/fuzz/fuzz_model.c" -lm -o "$out/fuzz_model"
clang -std=c11 -I"$root/include" "$root/tests/fuzz/make_seeds.c" "$root/tests/model_builder.c" \
    "$root"/src/*.c "$root"/src/kernels/*.c -lm -o "$out/make_seeds"
"$out/make_seeds" "$out/corpus"
for f in "$root"/tests/data/*.mtm; do [ -e "$f" ] && cp "$f" "$out/corpus/"; done
"$out/fuzz_model" -runs="$runs" -max_total_time="$max_s" -max_len=65536 -artifact_prefix="$out/crashes/" \
    -print_final_stats=1 "$out/corpus" 2>&1 | tail -n 25

# The TFLite reader and importer (tests/fuzz/fuzz_tflite.c), a quarter of the runs and a
# third of the time, seeded with the synthetic models and the MLPerf Tiny ResNet-8.
tools="$root/tools"
clang $flags -I"$tools" "$tools"/tflite_flatbuffer.c "$tools"/tflite_reader.c "$tools"/tflite_names.c \
    "$tools"/tflite_graph.c "$tools"/tflite_lower.c "$tools"/tflite_import.c "$tools"/mtm_writer.c \
    "$root"/src/*.c "$root"/src/kernels/*.c "$root/tests/fuzz/fuzz_tflite.c" -lm -o "$out/fuzz_tflite"
mkdir -p "$out/corpus_tflite"
/usr/bin/python3 "$root/tests/make_tflite_models.py" "$out/corpus_tflite" > /dev/null 2>&1 || true
rm -f "$out"/corpus_tflite/*.json
ic="$root/../shared/data/tflite/ic_resnet8_int8.tflite"
[ -e "$ic" ] && cp "$ic" "$out/corpus_tflite/"
"$out/fuzz_tflite" -runs=$((runs / 4)) -max_total_time=$((max_s / 3)) -max_len=131072 \
    -artifact_prefix="$out/crashes/tflite-" -print_final_stats=1 "$out/corpus_tflite" 2>&1 | tail -n 12
