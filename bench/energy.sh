#!/usr/bin/env bash
# ESTIMATED latency and energy per inference stage and per personalization on the paper's
# boards (docs/energy.md): runs bench_stages under the mt_cycles cost model of emulated
# Cortex-M4 and M7 (docs/cycles.md), writes one cycle file per core, and prints each board's
# table with `microt inspect --board` (clock, run-mode current and voltage from src/board.c).
# usage: bench/energy.sh [MODEL] [EXIT_SHARE] [CLASSES] [PER_CLASS]
#   defaults: tests/data/test-model.mtm, 0.5, 10 classes x 10 samples
# env: MT_ENERGY_OUT=DIR keeps the cycle files there (default: a temporary directory);
#      MT_MEM="M4MODEL M7MODEL" the cycle model's memory system per core (docs/cycles.md):
#      default "l4r5 h7a3" (each board's flash, caches and SRAM as the firmware links them);
#      "none none" gives the zero-wait bound. The cycle file records it ("memory").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=$(realpath "${1:-$root/tests/data/test-model.mtm}")
share=${2:-0.5}
classes=${3:-10}
per_class=${4:-10}
out=${MT_ENERGY_OUT:-$(mktemp -d)}
read -r mem_m4 mem_m7 <<< "${MT_MEM:-l4r5 h7a3}"
mkdir -p "$out"

host="$root/build-energy-host"
cmake -S "$root" -B "$host" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$host" -j2 --target microt-cli > /dev/null

for cpu in cortex-m4 cortex-m7; do
    build="$root/build-e${cpu#cortex-}"
    cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/port/cortex-m/toolchain-arm-none-eabi.cmake" \
        -DMT_CPU="$cpu" -DCMAKE_BUILD_TYPE=Release > /dev/null
    cmake --build "$build" -j2 --target bench_stages mt_cycles_plugin > /dev/null
    mem=$mem_m4
    [ "$cpu" = cortex-m7 ] && mem=${mem_m7:-none}
    report=$(mktemp)
    guest=$("$root/port/cortex-m/icount/count-cycles.sh" --cpu="$cpu" --plugin="$build/mt_cycles.so" \
        --plugin-arg=mem="$mem" --out="$report" "$build/bench/bench_stages.elf" "$model" "$classes" \
        "$per_class" 2)
    cycles="$out/$(basename "$model" .mtm).$cpu.cycles"
    # Region ids as in bench/bench_stages.c; per call, minus the empty region's overhead.
    awk -v cpu="$cpu" -v mem="$mem" -v src="$(basename "$model")" '
        FNR == 1 { file++ }
        file == 1 { if ($1 == "mt_cycles" && $2 ~ /^region=/) {
                        split($2, a, "="); split($3, c, "="); split($5, b, "=");
                        cyc[a[2]] = b[2]; calls[a[2]] = c[2] } next }
        $1 == "model" { name = $2; fp = $4 }
        $1 == "personalize" { ncls = $3; per = $5; it = $10 " " $11 }
        END {
            ov = cyc[255] / calls[255]
            split("part rest full extract head_train_a head_train_b calibrate head_a head_b input", key, " ")
            printf "# microt cycle file: %s on the mt_cycles %s model, memory %s (bench/energy.sh), ESTIMATED\n", src, cpu, mem
            printf "# per call, marker overhead (%.0f cycles) subtracted; L-BFGS iterations A B: %s\n", ov, it
            printf "model %s\nfingerprint %s\ncpu %s\nmemory %s\nclasses %d\nper_class %d\n", name, fp, cpu, mem, ncls, per
            for (i = 1; i <= 10; i++) {
                id = i - 1
                if (!(id in cyc)) { print "missing region " id > "/dev/stderr"; exit 1 }
                printf "%s %.0f\n", key[i], cyc[id] / calls[id] - ov
            }
        }' "$report" <(echo "$guest") > "$cycles"
    rm -f "$report"
    echo "== $cpu: $cycles"
    grep -v '^#' "$cycles" | paste -sd' ' -
done

for board in stm32l4r5zi stm32h7a3zi; do
    core=cortex-m4
    [ "$board" = stm32h7a3zi ] && core=cortex-m7
    "$host/tools/microt" inspect "$model" --board "$board" --exit-share "$share" \
        --cycles "$out/$(basename "$model" .mtm).$core.cycles" | sed -n '/^board/,$p'
done
