#!/usr/bin/env bash
# The MLPerf Tiny cross-check of docs/energy.md: imports MLPerf Tiny's own int8 networks (Visual
# Wake Words MobileNetV1-0.25 96x96, CIFAR-10 ResNet-8) with `microt import`, runs each full
# pass (bench_stages) under the mt_cycles model of the emulated Cortex-M4 and M7 twice: with the
# board's memory system (mem=l4r5 / mem=h7a3: weights in flash, arena in SRAM, as the firmware
# links them) and with zero-wait memory (a bound), and prints one markdown table: ESTIMATED
# cycles, latency and energy on the two boards (clock and power of src/board.c, through
# `microt inspect --board --json`) beside STMicroelectronics' published MLPerf Tiny results for
# the same networks and boards (measured; sources below the table).
# usage: bench/mlperf.sh [TFLITE_DIR]   (default: ../shared/data/tflite, as tools/CMakeLists.txt)
# env: MT_MLPERF_OUT=DIR keeps the imported models and cycle reports (default: temporary).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=$(realpath "${1:-$root/../shared/data/tflite}")
out=${MT_MLPERF_OUT:-$(mktemp -d)}
mkdir -p "$out"
for m in vww_96_int8 ic_resnet8_int8; do
    [ -e "$data/$m.tflite" ] || { echo "bench/mlperf.sh: no $data/$m.tflite" >&2; exit 1; }
done

host="$root/build-energy-host"
cmake -S "$root" -B "$host" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$host" -j2 --target microt-cli > /dev/null
for m in vww_96_int8 ic_resnet8_int8; do
    "$host/tools/microt" import "$data/$m.tflite" -o "$out/$m.mtm" > /dev/null
    "$host/tools/microt" inspect "$out/$m.mtm" --board all --json > "$out/$m.json"
done

# One full pass per run: bench_stages' region 2 (all ops in one call) and 9 (input conversion),
# per call, minus the empty region's marker overhead (bench/bench_stages.c).
for cpu in cortex-m4 cortex-m7; do
    build="$root/build-e${cpu#cortex-}"
    cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/port/cortex-m/toolchain-arm-none-eabi.cmake" \
        -DMT_CPU="$cpu" -DCMAKE_BUILD_TYPE=Release > /dev/null
    cmake --build "$build" -j2 --target bench_stages mt_cycles_plugin > /dev/null
    board_mem=l4r5
    [ "$cpu" = cortex-m7 ] && board_mem=h7a3
    for m in vww_96_int8 ic_resnet8_int8; do
        for mem in "$board_mem" none; do
            report="$out/$m.$cpu.$mem.report"
            "$root/port/cortex-m/icount/count-cycles.sh" --cpu="$cpu" --plugin="$build/mt_cycles.so" \
                --plugin-arg=mem="$mem" --out="$report" "$build/bench/bench_stages.elf" \
                "$out/$m.mtm" 2 2 1 > /dev/null
            awk '$1 == "mt_cycles" && $2 ~ /^region=/ {
                     split($2, a, "="); split($3, c, "="); split($5, b, "="); cyc[a[2]] = b[2]; n[a[2]] = c[2] }
                 END { ov = cyc[255] / n[255]
                       printf "full %.0f\ninput %.0f\n", cyc[2] / n[2] - ov, cyc[9] / n[9] - ov }' \
                "$report" > "$out/$m.$cpu.$mem.cycles"
        done
    done
done

/usr/bin/python3 - "$out" <<'EOF'
import json, sys
out = sys.argv[1]
# STMicroelectronics' closed-division MLPerf Tiny submissions (X-CUBE-AI), NUCLEO boards,
# from the result files in github.com/mlcommons/tiny_results_v1.x (docs/energy.md lists them):
# median throughput -> ms per inference, median energy per inference (EEMBC EnergyRunner).
PUB = {
    ("vww", "stm32l4r5zi"): [("v1.1", "a", 1000 / 8.425, 5618.279)],
    ("vww", "stm32h7a3zi"): [("v1.1", "b", 1000 / 33.864, 3699.351)],
    ("ic", "stm32l4r5zi"): [("v1.1", "c", 10700060 / 50 / 1000, None), ("v1.0", "d", 1000 / 4.409, 10681.623)],
    ("ic", "stm32h7a3zi"): [("v1.0", "e", 1000 / 18.401, 8707.284)],
}
NETS = [("vww", "vww_96_int8", "VWW MobileNetV1-0.25 96x96"), ("ic", "ic_resnet8_int8", "IC ResNet-8 32x32")]
print("| network | board | memory model | est. cycles | est. cycles/MAC | est. latency | est. energy "
      "| MLPerf Tiny, X-CUBE-AI (measured) | their cycles/MAC | ours / theirs (latency) |")
print("|---|---|---|---:|---:|---:|---:|---|---:|---:|")
for key, stem, name in NETS:
    info = json.load(open(f"{out}/{stem}.json"))
    macs = info["totals"]["full"]["macs"]
    for b in info["boards"]:
        cpu, hz, mw = b["core"], b["clock_hz"], b["power_mw"]
        pub = PUB[(key, b["board"])]
        newest = pub[0]
        cells = []
        for ver, ref, ms, uj in pub:
            e = f"{uj:,.0f} µJ" if uj else "energy not in the files"
            cells.append(f"{ms:.1f} ms, {e} ({ver}) [{ref}]")
        their_cpm = newest[2] / 1000 * hz / macs
        for mem in (("l4r5" if cpu == "cortex-m4" else "h7a3"), "none"):
            cyc = dict(l.split() for l in open(f"{out}/{stem}.{cpu}.{mem}.cycles"))
            full = float(cyc["full"])
            ms = full / hz * 1000
            label = mem if mem != "none" else "zero-wait (bound)"
            print(f"| {name} ({macs:,} MACs) | {b['board'].upper()} ({cpu}, {hz / 1e6:.0f} MHz) | {label} "
                  f"| {full:,.0f} | {full / macs:.2f} | {ms:.1f} ms | {ms * mw:,.0f} µJ "
                  f"| {'; '.join(cells)} | {their_cpm:.2f} | {ms / newest[2]:.2f} |")
print()
print("Estimates: full pass (all ops, no input conversion: MLPerf's timed inference starts from the "
      "quantized input), mt_cycles model of the emulated core; energy = latency x the board's "
      "run-mode power in src/board.c (" +
      ", ".join(f"{b['board'].upper()} {b['power_mw']:.1f} mW" for b in info["boards"]) + ").")
EOF
echo "(inputs and reports: $out)" >&2
