#!/usr/bin/env bash
# The main job on shipped data: open the shipped extractor, show its budget, and run it with
# stage resumption on real photos from Debian's opencv-doc.
# (The personalization demo, issue 5, replaces the second half once heads exist.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
microt="$root/build/tools/microt"
model=$(ls "$root"/models/*-microt-*.mtm 2>/dev/null | head -n 1 || true)
[ -n "$model" ] || model="$root/tests/data/test-model.mtm"
echo "== microt inspect $(basename "$model")"
"$microt" inspect "$model"
images=$(ls /usr/share/doc/opencv-doc/examples/data/{apple,baboon,HappyFish,fruits,lena}.jpg 2>/dev/null || true)
if [ -n "$images" ]; then
    echo
    echo "== microt run (part stage, then resumed to the full model)"
    # shellcheck disable=SC2086
    "$microt" run "$model" $images --quiet
fi
