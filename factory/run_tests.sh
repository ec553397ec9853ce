#!/usr/bin/env bash
# The factory's unit tests (Python unittest with Debian's PyTorch). Tests that need
# ../shared/data, the npm teacher or a cache skip themselves with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
export MALLOC_MMAP_THRESHOLD_=1000000000000 MALLOC_TRIM_THRESHOLD_=1000000000000
/usr/bin/python3 -m unittest discover -s factory/tests -t . -v
# the whole factory in smoke mode (< 2 min; skips with a message where ../shared/data is absent)
factory/make_factory.sh --smoke
