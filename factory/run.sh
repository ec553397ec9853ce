#!/bin/sh
# Starts a factory entry point as a module of the factory package, with the process
# environment of factory/env.py set before Python starts (malloc tuning, passive OpenMP).
# Usage: factory/run.sh distill.py ARGS...        (python3 -m factory.distill ARGS...)
#        factory/run.sh -n 2 distill.py ARGS...   (torchrun, 2 local processes)
# Multi-node: set TORCHRUN_ARGS to torchrun's rendezvous options instead of the default
# --standalone, e.g. TORCHRUN_ARGS="--nnodes 2 --node_rank 0 --rdzv_backend c10d
# --rdzv_endpoint HOST:29400 --rdzv_id RUN" factory/run.sh -n 8 distill.py --device cuda ...
export MALLOC_MMAP_THRESHOLD_=1000000000000
export MALLOC_TRIM_THRESHOLD_=1000000000000
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
PY=${PYTHON:-/usr/bin/python3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
if [ "$1" = "-n" ]; then
    N=$2; shift 2
    MOD=factory.$(basename "$1" .py); shift
    # --redirects/--tee 1: torch 1.13's torchrun parses its default "0" to None on Python 3.11
    # and crashes; teeing stdout (1) to console and log files sidesteps that.
    # shellcheck disable=SC2086
    exec "$PY" -m torch.distributed.run ${TORCHRUN_ARGS:---standalone} --nproc_per_node="$N" \
        --redirects 1 --tee 1 -m "$MOD" "$@"
fi
MOD=factory.$(basename "$1" .py); shift
exec "$PY" -m "$MOD" "$@"
