#!/bin/sh
# Checks the cycle model (mt_cycles plugin) against cycles_micro.c's loops, whose costs are
# worked out by hand (docs/cycles.md), on the timing model of --cpu:
#  1. per iteration, from the difference of an N1 and an N2 run (overhead-free): the
#     instruction count equals the loop's by construction (give or take the 0-4 instructions
#     that load N1 and N2 differently) and the modelled cycles equal the hand figure
#     (tolerance 0.5 %, i.e. exact for these loops);
#  2. the whole N2 region, bracketing overhead (empty region 0) subtracted, is within
#     max(40 cycles, 1 %) of N2 x the hand figure (setup, the loop exit and an M7
#     exit mispredict are the rest).
# Usage: cycles-check.sh [--cpu=cortex-m4|cortex-m7] [--plugin=SO] MICRO_ELF
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cpu=${MT_CPU:-cortex-m4}
opts=""
while [ $# -gt 1 ]; do
    case "$1" in --cpu=*) cpu=${1#--cpu=} ;; esac
    opts="$opts $1"
    shift
done
elf=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
"$here/count-cycles.sh" $opts --out="$tmp/report" "$elf" >"$tmp/guest"
cat "$tmp/report"
awk -v cpu="$cpu" '
function field(line, key,   n, i, kv) {
    n = split(line, kv, /[ =]/)
    for (i = 1; i < n; i++) if (kv[i] == key) return kv[i + 1]
    return ""
}
function abs(x) { return x < 0 ? -x : x }
FNR == 1 { file++ }
file == 1 && /^micro / { k = field($0, "k"); name[k] = field($0, "name"); n1[k] = field($0, "n1")
    n2[k] = field($0, "n2"); hi[k] = field($0, "insns"); hc[k] = field($0, cpu == "cortex-m7" ? "m7" : "m4") }
file == 2 && /^mt_cycles region/ { r = field($0, "region"); ins[r] = field($0, "insns"); cyc[r] = field($0, "cycles") }
END {
    if (!(0 in cyc)) { print "FAIL: no empty region 0"; exit 1 }
    printf "%s: bracketing overhead %d cycles\n", cpu, cyc[0]
    printf "%-18s %10s %10s %12s %12s\n", "loop", "hand/iter", "model/iter", "hand N2", "model N2"
    bad = 0; n = 0
    for (k = 1; k in name; k++) {
        n++
        a = 2 * k; b = a + 1
        if (!(a in cyc) || !(b in cyc)) { print "FAIL " name[k] ": region missing"; bad = 1; continue }
        dn = n2[k] - n1[k]
        pi = (ins[b] - ins[a]) / dn; pc = (cyc[b] - cyc[a]) / dn
        tot = cyc[b] - cyc[0]; want = n2[k] * hc[k]
        tol = want / 100; if (tol < 40) tol = 40
        ok = abs(pi - hi[k]) * dn <= 4 && abs(pc - hc[k]) <= hc[k] * 0.005 && abs(tot - want) <= tol
        printf "%s %-16s %10d %10.2f %12d %12d", ok ? "ok  " : "FAIL", name[k], hc[k], pc, want, tot
        if (abs(pi - hi[k]) * dn > 4) printf "  (instructions/iter %g, want %d)", pi, hi[k]
        printf "\n"
        if (!ok) bad = 1
    }
    if (n < 10) { print "FAIL: only " n " loops reported"; bad = 1 }
    exit bad
}' "$tmp/guest" "$tmp/report"
