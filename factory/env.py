"""The process set-up every factory entry point shares (one place, not one copy per script).

glibc's default mmap threshold made PyTorch 7-10x slower on large activations here
(../shared/environment-notes.md); malloc reads the variables at start-up, so set_up()
re-executes the interpreter once when they are missing. Spinning OpenMP workers collapsed
2-thread training on a shared CPU (61 -> 11 img/s), hence passive waiting.
"""
import os
import sys

MALLOC_VARS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")


def set_up(threads=None):
    """Re-exec with the malloc variables if needed, then fix torch's thread count.

    threads: torch intra-op threads (None: 2, the machines' core count)."""
    if not all(k in os.environ for k in MALLOC_VARS) or "OMP_WAIT_POLICY" not in os.environ:
        for k in MALLOC_VARS:
            os.environ.setdefault(k, str(10 ** 12))
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        argv = sys.orig_argv if hasattr(sys, "orig_argv") else [sys.executable] + sys.argv
        os.execv(sys.executable, argv)
    import torch
    torch.set_num_threads(threads or 2)
