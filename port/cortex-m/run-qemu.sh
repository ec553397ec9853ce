#!/bin/sh
# Runs a Cortex-M ELF under QEMU with semihosting: argv goes to the guest, the guest's exit
# status comes back. CMake uses this as CMAKE_CROSSCOMPILING_EMULATOR.
# Usage: run-qemu.sh [--cpu=cortex-m4|cortex-m7] [--timeout=SECONDS] [--qemu-arg=ARG]... ELF [ARGS...]
set -eu
cpu=${MT_CPU:-cortex-m4}
timeout_s=${MT_QEMU_TIMEOUT:-600}
extra=""
while [ $# -gt 0 ]; do
    case "$1" in
        --cpu=*) cpu=${1#--cpu=} ;;
        --timeout=*) timeout_s=${1#--timeout=} ;;
        --qemu-arg=*) extra="$extra ${1#--qemu-arg=}" ;;
        --) shift; break ;;
        -*) echo "run-qemu.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
    shift
done
if [ $# -lt 1 ]; then
    echo "usage: run-qemu.sh [--cpu=cortex-m4|cortex-m7] [--timeout=S] [--qemu-arg=ARG]... ELF [ARGS...]" >&2
    exit 2
fi
case "$cpu" in
    cortex-m4) machine=mps2-an386 ;;
    cortex-m7) machine=mps2-an500 ;;
    *) echo "run-qemu.sh: unsupported cpu $cpu" >&2; exit 2 ;;
esac
elf=$1
shift
# The guest sees "arg=" items as its command line (SYS_GET_CMDLINE), joined by spaces;
# QEMU's option parser needs commas doubled.
semi="enable=on,target=native,arg=$(basename "$elf")"
for a in "$@"; do
    case "$a" in *" "*) echo "run-qemu.sh: arguments cannot contain spaces: '$a'" >&2; exit 2 ;; esac
    semi="$semi,arg=$(printf '%s' "$a" | sed 's/,/,,/g')"
done
# -icount shift=0: one virtual ns per instruction, so runs are deterministic.
# shellcheck disable=SC2086
exec timeout --foreground "$timeout_s" qemu-system-arm -M "$machine" -nographic \
    -monitor none -serial none -semihosting-config "$semi" -icount shift=0 $extra -kernel "$elf"
