#!/bin/sh
# Runs a Cortex-M ELF under QEMU with the mt_cycles plugin: exact instruction counts plus a
# cycle-approximate Cortex-M4 or Cortex-M7 estimate (docs/cycles.md), in total and per region
# bracketed by mt_count_begin(id)/mt_count_end(id) (mt_count.h). Guest output goes to stdout,
# the report ("mt_cycles ..." lines) to stderr or --out=FILE; the exit status is the guest's.
# Usage: count-cycles.sh [--cpu=cortex-m4|cortex-m7] [--model=cortex-m4|cortex-m7] [--classes]
#            [--trace] [--out=FILE] [--plugin=SO] [--plugin-arg=K=V] ELF [ARGS...]
# --model picks the timing model (default: the --cpu emulated).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cpu=${MT_CPU:-cortex-m4}
model=""
extra=""
out=""
plugin=${MT_CYCLES_PLUGIN:-}
while [ $# -gt 0 ]; do
    case "$1" in
        --cpu=*) cpu=${1#--cpu=} ;;
        --model=*) model=${1#--model=} ;;
        --classes) extra="$extra,classes=on" ;;
        --trace) extra="$extra,trace=on" ;;
        --plugin-arg=*) extra="$extra,${1#--plugin-arg=}" ;;
        --out=*) out=${1#--out=} ;;
        --plugin=*) plugin=${1#--plugin=} ;;
        --) shift; break ;;
        -*) echo "count-cycles.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
    shift
done
if [ $# -lt 1 ]; then
    sed -n '2,9s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi
elf=$1
shift
[ -n "$model" ] || model=$cpu

# Without a prebuilt plugin, build one (host cc, a fraction of a second) in a private cache.
if [ -z "$plugin" ]; then
    cache="${TMPDIR:-/tmp}/mt_icount-$(id -u)"
    mkdir -p "$cache"
    plugin="$cache/mt_cycles.so"
    if [ ! -f "$plugin" ] || [ -n "$(find "$here/mt_cycles_plugin.c" -newer "$plugin")" ]; then
        "${HOST_CC:-cc}" -std=c11 -O2 -Wall -Wextra -shared -fPIC -fvisibility=hidden \
            -o "$plugin.tmp.$$" "$here/mt_cycles_plugin.c"
        mv "$plugin.tmp.$$" "$plugin"
    fi
fi

marks=$(arm-none-eabi-nm "$elf" | awk '$3 == "mt_count_marks" { print "0x" $1 }')
marks_arg=""
if [ -n "$marks" ]; then
    marks_arg=",marks=$marks"
else
    echo "count-cycles.sh: no mt_count_marks in $elf: reporting the total only" >&2
fi

report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
"$here/../run-qemu.sh" --cpu="$cpu" \
    --qemu-arg=-plugin --qemu-arg="$plugin,cpu=$model,out=$report$marks_arg$extra" \
    "$elf" "$@" || status=$?
if ! grep -q '^mt_cycles total ' "$report"; then
    echo "count-cycles.sh: the plugin wrote no report" >&2
    [ "$status" -ne 0 ] || status=1
fi
if [ -n "$out" ]; then
    cp "$report" "$out"
else
    cat "$report" >&2
fi
exit "$status"
