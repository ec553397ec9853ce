#!/bin/sh
# Checks the cycle model's memory system (mt_cycles mem=...) against mem_micro.c's hand
# figures: the extra cycles of each region with the board's model over mem=none.
#   l4r5: 512 flash loads, each a data-cache miss of 1 + 5 cycles = 3072; SRAM loads 0.
#   h7a3: 512 flash loads, 128 32-byte lines, each a miss of 2 x (1 + 6) = 1792; SRAM 0.
# The loop's code in flash adds its first pass's instruction misses: tolerance 80 cycles.
# Usage: mem-check.sh --cpu=cortex-m4|cortex-m7 --plugin=SO MEM_MICRO_ELF
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cpu=cortex-m4
plugin=""
for a in "$@"; do
    case "$a" in --cpu=*) cpu=${a#--cpu=} ;; --plugin=*) plugin=$a ;; *) elf=$a ;; esac
done
case $cpu in cortex-m7) mem=h7a3; want=1792 ;; *) mem=l4r5; want=3072 ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/count-cycles.sh" --cpu=$cpu $plugin --out="$tmp/none" "$elf" >/dev/null
"$here/count-cycles.sh" --cpu=$cpu $plugin --plugin-arg=mem=$mem --out="$tmp/mem" "$elf" >/dev/null
grep "^mt_cycles memory" "$tmp/mem"
awk -v want=$want -v mem=$mem '
function field(line, key,   n, i, kv) {
    n = split(line, kv, /[ =]/)
    for (i = 1; i < n; i++) if (kv[i] == key) return kv[i + 1]
    return ""
}
FNR == 1 { file++ }
/^mt_cycles region/ { c[file, field($0, "region")] = field($0, "cycles") }
END {
    flash = c[2, 1] - c[1, 1]; sram = c[2, 2] - c[1, 2]
    ok = flash >= want && flash <= want + 80 && sram >= 0 && sram <= 80
    printf "%s %s: flash loads +%d cycles (hand %d, +80 for the first pass of code), SRAM loads +%d\n",
           ok ? "ok  " : "FAIL", mem, flash, want, sram
    exit !ok
}' "$tmp/none" "$tmp/mem"
