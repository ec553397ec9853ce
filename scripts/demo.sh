#!/usr/bin/env bash
# The main job: MicroT on a shipped extractor and a real data set, end to end on the host.
#   1. personalize: 10 labelled Fashion-MNIST images per class (Debian's dataset-fashion-mnist)
#      -> both heads trained on cached features, threshold calibrated for ratio 0.5
#   2. stage-decision inference on the whole test split: accuracy, early-exit share, MACs
#   3. estimated latency and energy per inference on the paper's two boards (docs/energy.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
microt=${MICROT:-$root/build/tools/microt}   # make test runs it with the sanitizer build
data=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
model=${MODEL:-$root/models/mcunet-microt-64.mtm}
if [ ! -f "$model" ]; then
    echo "demo: $model not found; using the random-weight test model (accuracy will be low)" >&2
    model="$root/tests/data/test-model.mtm"
fi
head="$(mktemp -d)/fashion.head"
names=T-shirt,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Boot

echo "== 1. personalize $(basename "$model") from 10 samples per class"
"$microt" personalize "$model" --train "$data/train-images-idx3-ubyte.gz" \
    --labels "$data/train-labels-idx1-ubyte.gz" --shots 10 --ratio 0.5 --seed 1 \
    --names "$names" -o "$head"

echo
echo "== 2. stage-decision inference on the 10,000 test images"
"$microt" eval "$model" "$head" --test "$data/t10k-images-idx3-ubyte.gz" \
    --labels "$data/t10k-labels-idx1-ubyte.gz" --names "$names" | tee "$head.eval"

exit_share=$(awk '/^early exit/ {sub("%", "", $3); print $3 / 100}' "$head.eval")
echo
echo "== 3. estimated cost per inference at the measured exit share ($exit_share)"
"$microt" inspect "$model" --board all --exit-share "$exit_share" | sed -n '/^board/,$p'
