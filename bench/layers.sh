#!/usr/bin/env bash
# Per-layer instructions per MAC on emulated Cortex-M4 and M7 (exact counts from the QEMU
# plugin, marker overhead subtracted), and estimated cycles per MAC from the mt_cycles
# cost model of the same core (docs/cycles.md). A figure to improve, not a pass/fail test.
# usage: bench/layers.sh [MODEL]   (default: tests/data/test-model.mtm)
# env: MT_LAYERS_BUILD=PREFIX builds into PREFIX-m4 / PREFIX-m7 (default: build-m4 / build-m7);
#      MT_LAYERS_CMAKE="-DOPT=..." extra CMake options (e.g. -DMT_USE_DSP=OFF for the reference);
#      MT_MEM="M4MODEL M7MODEL" the cycle model's memory system per core (docs/cycles.md):
#      none (zero-wait memory, the default: a bound), l4r5, h7a3; e.g. MT_MEM="l4r5 h7a3".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=$(realpath "${1:-$root/tests/data/test-model.mtm}")
read -r mem_m4 mem_m7 <<< "${MT_MEM:-none none}"
for cpu in cortex-m4 cortex-m7; do
    build="${MT_LAYERS_BUILD:-$root/build}-${cpu#cortex-}"
    mem=$mem_m4
    [ $cpu = cortex-m7 ] && mem=${mem_m7:-none}
    cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/port/cortex-m/toolchain-arm-none-eabi.cmake" \
        -DMT_CPU=$cpu -DCMAKE_BUILD_TYPE=Release ${MT_LAYERS_CMAKE:-} > /dev/null
    cmake --build "$build" -j2 --target bench_layers mt_icount_plugin mt_cycles_plugin > /dev/null
    report=$(mktemp)
    guest=$("$root/port/cortex-m/icount/count-instructions.sh" --cpu=$cpu --plugin="$build/mt_icount.so" \
        --out="$report" "$build/bench/bench_layers.elf" "$model" 1)
    creport=$(mktemp)
    "$root/port/cortex-m/icount/count-cycles.sh" --cpu=$cpu --plugin="$build/mt_cycles.so" \
        --plugin-arg=mem=$mem --out="$creport" "$build/bench/bench_layers.elf" "$model" 1 > /dev/null
    echo "== $cpu ($(basename "$model")), memory model $mem"
    grep "^mt_cycles memory" "$creport" || true
    awk -v cpu=$cpu '
        FNR == 1 { file++ }
        file == 1 { if ($1 == "mt_icount" && $2 ~ /^region=/) {
                        split($2, a, "="); split($4, b, "="); split($3, c, "=");
                        insns[a[2]] = b[2]; calls[a[2]] = c[2] } next }
        file == 2 { if ($1 == "mt_cycles" && $2 ~ /^region=/) {
                        split($2, a, "="); split($5, b, "="); cyc[a[2]] = b[2] } next }
        $1 == "op" { op[$2] = $3; macs[$2] = $4; n = $2 + 1 }
        END {
            overhead = calls[255] ? insns[255] / calls[255] : 0
            coverhead = calls[255] ? cyc[255] / calls[255] : 0
            printf "%4s %-10s %12s %14s %10s %12s\n", "op", "type", "MACs", "instructions", "instr/MAC", "cycles/MAC"
            for (i = 0; i < n; i++) {
                net = insns[i] - overhead; cnet = cyc[i] - coverhead
                printf "%4d %-10s %12d %14d %10.2f %12.2f\n", i, op[i], macs[i], net, macs[i] ? net / macs[i] : 0, macs[i] ? cnet / macs[i] : 0
                tm[op[i]] += macs[i]; ti[op[i]] += net; tc[op[i]] += cnet
                total_m += macs[i]; total_i += net; total_c += cnet
            }
            printf "\n%-10s %12s %14s %10s %12s\n", "type", "MACs", "instructions", "instr/MAC", "cycles/MAC"
            for (t in tm) printf "%-10s %12d %14d %10.2f %12.2f\n", t, tm[t], ti[t], tm[t] ? ti[t] / tm[t] : 0, tm[t] ? tc[t] / tm[t] : 0
            printf "%-10s %12d %14d %10.2f %12.2f\n", "all", total_m, total_i, total_i / total_m, total_c / total_m
            printf "(marker overhead %.0f instructions, %.0f cycles per region, subtracted; cycles: %s model, memory %s)\n", overhead, coverhead, cpu, mem
        }' mem=$mem "$report" "$creport" <(echo "$guest")
    rm -f "$report" "$creport"
    echo
done
