#!/bin/sh
# Starts a factory script with glibc's malloc tuned for PyTorch on CPU (see
# ../shared/environment-notes.md: the default mmap threshold made training 7-10x slower).
# Usage: factory/run.sh distill.py ARGS...        (one process)
#        factory/run.sh -n 2 distill.py ARGS...   (torchrun, N local processes, gloo)
export MALLOC_MMAP_THRESHOLD_=1000000000000
export MALLOC_TRIM_THRESHOLD_=1000000000000
# Under a shared CPU, spinning OpenMP workers collapsed 2-thread training from 61 to 11 img/s.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
PY=${PYTHON:-/usr/bin/python3}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$1" = "-n" ]; then
    N=$2; shift 2
    SCRIPT=$1; shift
    # --redirects/--tee 1: torch 1.13's torchrun parses its default "0" to None on Python 3.11
    # and crashes; teeing stdout (1) to console and log files sidesteps that.
    exec "$PY" -m torch.distributed.run --standalone --nproc_per_node="$N" --redirects 1 --tee 1 \
        "$HERE/$SCRIPT" "$@"
fi
SCRIPT=$1; shift
exec "$PY" "$HERE/$SCRIPT" "$@"
