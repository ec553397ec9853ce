#!/bin/sh
# Calibrates the instruction counter on calib.c's regions and fails on any disagreement:
#  1. exact: each region = its loop's instructions by construction + the bracketing
#     overhead (region 0, empty) + at most 2 instructions the compiler puts inside the
#     brackets to load the loop's operands;
#  2. independent clock: SysTick ticks * 40 within +-40 instructions of the loop count;
#  3. per-instruction and per-block counting agree except around device I/O (region 20),
#     where only the per-instruction mode is exact.
# Usage: calibrate.sh [--cpu=cortex-m4|cortex-m7] [--plugin=SO] CALIB_ELF
set -eu
here=$(cd "$(dirname "$0")" && pwd)
opts=""
while [ $# -gt 1 ]; do opts="$opts $1"; shift; done
elf=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
"$here/count-instructions.sh" $opts --mode=insn --out="$tmp/insn" "$elf" >"$tmp/guest"
# shellcheck disable=SC2086
"$here/count-instructions.sh" $opts --mode=tb --out="$tmp/tb" "$elf" >/dev/null
cat "$tmp/guest" "$tmp/insn"
awk -v tbfile="$tmp/tb" '
function field(line, key,   n, i, kv) {
    n = split(line, kv, /[ =]/)
    for (i = 1; i < n; i++) if (kv[i] == key) return kv[i + 1]
    return ""
}
FNR == 1 { file++ }
file == 1 && /^calib / { r = field($0, "region"); loop[r] = field($0, "loop_insns"); ticks[r] = field($0, "systick_ticks") }
file == 2 && /^mt_icount region/ { r = field($0, "region"); insn[r] = field($0, "insns"); calls[r] = field($0, "calls") }
file == 3 && /^mt_icount region/ { r = field($0, "region"); tb[r] = field($0, "insns") }
END {
    bad = 0
    if (!(0 in insn)) { print "FAIL: no empty region 0"; exit 1 }
    ovh = insn[0]
    printf "overhead of an empty mt_count_begin/mt_count_end pair: %d instructions\n", ovh
    for (r = 0; r < 256; r++) {
        if (!(r in loop)) continue
        extra = insn[r] - loop[r] - calls[r] * ovh
        ok = (r in insn) && extra >= 0 && extra <= 2 * calls[r]
        line = sprintf("region %3d: counted %9d = loop %9d + %d x overhead + %d compiler setup", r, insn[r], loop[r], calls[r], extra)
        if (ticks[r] > 0) {
            dt = ticks[r] * 40 - loop[r]
            line = line sprintf("; systick*40 - loop = %+d", dt)
            if (dt < -40 || dt > 40) ok = 0
        }
        if (r == 20) { line = line sprintf("; per-block mode counted %d (I/O re-translation)", tb[r]); if (tb[r] <= insn[r]) ok = 0 }
        else if (tb[r] != insn[r]) { line = line sprintf("; per-block mode differs: %d", tb[r]); ok = 0 }
        print (ok ? "ok   " : "FAIL ") line
        if (!ok) bad = 1
    }
    exit bad
}' "$tmp/guest" "$tmp/insn" "$tmp/tb"
