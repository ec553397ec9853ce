#!/usr/bin/env bash
# Instructions per MAC of the reference and the optimized (DSP) kernels on the six layer shapes
# of issue 6, on emulated Cortex-M4 and M7: exact counts from the QEMU plugin, marker overhead
# subtracted, both variants in the same run (bench/bench_shapes.c); plus cycles per MAC from
# the cycle-approximate model (mt_cycles, docs/cycles.md). A figure, not a test.
# usage: bench/shapes.sh [cortex-m4|cortex-m7 ...]   (default: both)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cpus=("$@")
[ ${#cpus[@]} -gt 0 ] || cpus=(cortex-m4 cortex-m7)
for cpu in "${cpus[@]}"; do
    build="$root/build-shapes-${cpu#cortex-}"
    cmake -S "$root" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$root/port/cortex-m/toolchain-arm-none-eabi.cmake" \
        -DMT_CPU="$cpu" -DCMAKE_BUILD_TYPE=Release > /dev/null
    cmake --build "$build" -j2 --target bench_shapes mt_icount_plugin mt_cycles_plugin > /dev/null
    report=$(mktemp)
    guest=$("$root/port/cortex-m/icount/count-instructions.sh" --cpu="$cpu" --plugin="$build/mt_icount.so" \
        --out="$report" "$build/bench/bench_shapes.elf")
    creport=$(mktemp)
    "$root/port/cortex-m/icount/count-cycles.sh" --cpu="$cpu" --plugin="$build/mt_cycles.so" \
        --out="$creport" "$build/bench/bench_shapes.elf" > /dev/null
    echo "== $cpu (arm-none-eabi-gcc $(arm-none-eabi-gcc -dumpversion), Release)"
    awk '
        FNR == 1 { file++ }
        file == 1 { if ($1 == "mt_icount" && $2 ~ /^region=/) {
                        split($2, a, "="); split($4, b, "="); split($3, c, "=");
                        insns[a[2]] = b[2]; calls[a[2]] = c[2] } next }
        file == 2 { if ($1 == "mt_cycles" && $2 ~ /^region=/) {
                        split($2, a, "="); split($5, b, "="); cyc[a[2]] = b[2] } next }
        $1 == "shape" { name[$2] = $3; macs[$2] = $4; same[$2] = $5; scratch[$2] = $6; n = $2 + 1 }
        END {
            overhead = calls[255] ? insns[255] / calls[255] : 0
            coverhead = calls[255] ? cyc[255] / calls[255] : 0
            printf "%-31s %9s %10s %10s %8s %10s %10s %8s %5s\n", "shape", "MACs", "ref i/MAC",
                   "dsp i/MAC", "speedup", "ref c/MAC", "dsp c/MAC", "scratch", "same"
            for (i = 0; i < n; i++) {
                r = (insns[2 * i] - overhead) / macs[i]
                d = (insns[2 * i + 1] - overhead) / macs[i]
                rc = (cyc[2 * i] - coverhead) / macs[i]
                dc = (cyc[2 * i + 1] - coverhead) / macs[i]
                printf "%-31s %9d %10.2f %10.2f %7.2fx %10.2f %10.2f %8d %5s\n", name[i], macs[i],
                       r, d, r / d, rc, dc, scratch[i], same[i] ? "yes" : "NO"
            }
            printf "(marker overhead %.0f instructions, %.0f cycles per region, subtracted; cycles: %s model)\n",
                   overhead, coverhead, cpu
        }' cpu="$cpu" "$report" "$creport" <(echo "$guest")
    rm -f "$report" "$creport"
    echo
done
