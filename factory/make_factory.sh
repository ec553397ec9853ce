#!/usr/bin/env bash
# Rebuilds every shipped model from scratch with fixed seeds (issue 4 item 8):
#   teacher import -> teacher feature cache -> each training run -> export (models/*.mtm)
#   -> evaluation (models/probe.json, docs/results-factory.md) -> model cards (models/*.md).
# Every step resumes or skips what is already done (training resumes from its per-epoch
# checkpoint; teacher caches are kept), so rerunning after an interruption is cheap.
#
#   factory/make_factory.sh            # the real thing: hours on 2 cores (see docs/factory.md)
#   factory/make_factory.sh --smoke    # CI: < 2 min, 512 CIFAR images, 1 epoch, RANDOM teacher
#                                      # targets, tiny probe subsets, into a temporary folder
# Needs ../shared/data/cifar10-jpeg.tar.gz (the smoke mode skips cleanly without it), npm
# (teacher import), Debian python3-torch/torchvision/sklearn, dataset-fashion-mnist, opencv-doc.
set -euo pipefail
cd "$(dirname "$0")/.."
R=factory/run.sh
CIFAR=${CIFAR:-../shared/data/cifar10-jpeg.tar.gz}
SMOKE=0
[ "${1:-}" = "--smoke" ] && SMOKE=1

# the microt CLI (runs the int8 models for the probes and inspects the files)
MICROT=${MICROT:-}
if [ -z "$MICROT" ]; then
    for b in build/tools/microt build-asan/tools/microt; do
        [ -x "$b" ] && MICROT=$b && break
    done
fi
if [ -z "$MICROT" ]; then
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build -j2 --target microt-cli >/dev/null
    MICROT=build/tools/microt
fi
MICROT=$(cd "$(dirname "$MICROT")" && pwd)/$(basename "$MICROT")

if [ "$SMOKE" = 1 ]; then
    if [ ! -f "$CIFAR" ]; then
        echo "make_factory --smoke: SKIPPED: $CIFAR is absent (the factory needs CIFAR-10)"
        exit 0
    fi
    t0=$(date +%s)
    TMP=$(mktemp -d)
    trap 'rm -rf "$TMP"' EXIT
    # a teacher path that does not exist: --smoke then trains on RANDOM targets
    $R distill.py --smoke --student mcunet --runs-dir "$TMP/runs" --cifar "$CIFAR" \
        --teacher "$TMP/no-teacher.npy" --log-every 4
    $R distill.py --smoke --student proxyless --mode ttl --runs-dir "$TMP/runs" \
        --cifar "$CIFAR" --log-every 4
    $R distill.py --smoke --student mcunet --mode none --runs-dir "$TMP/runs"
    $R export_models.py --out-dir "$TMP/models" --runs-dir "$TMP/runs" --cifar "$CIFAR" \
        --n-calib 32 --microt "$MICROT" mcunet-microt-64=mcunet-microt-smoke-64 \
        proxyless-ttl-64=proxyless-ttl-smoke-64 mcunet-none-64=mcunet-none-smoke-64
    $R evaluate.py --smoke --no-teacher --models-dir "$TMP/models" --runs-dir "$TMP/runs" \
        --cifar "$CIFAR" --markdown "$TMP/results.md" --microt "$MICROT" --max-rel-err 0.25
    $R export_models.py --cards --out-dir "$TMP/models" --runs-dir "$TMP/runs" --microt "$MICROT"
    for f in "$TMP"/models/*.mtm; do "$MICROT" inspect "$f" >/dev/null; done
    grep -q "int8" "$TMP/results.md"
    echo "make_factory --smoke: OK in $(( $(date +%s) - t0 )) s ($(ls "$TMP"/models/*.mtm | wc -l) models)"
    exit 0
fi

t0=$(date +%s)
stamp() { echo "=== $(date -u +%H:%M:%S) (+$(( $(date +%s) - t0 )) s) $*"; }
C=${MICROT_CACHE:-$HOME/.cache/microt}

stamp "teacher import (npm nsfwjs@4.3.0 -> $C/teacher)"
[ -f "$C/teacher/mobilenet_v2.npz" ] && [ -f "$C/teacher/inception_v3.npz" ] \
    || factory/run.sh teacher_import.py

stamp "teacher features (cached once; docs/teacher.md)"
$R cache_teacher_features.py --target mnv2.b13 --px 96 --cifar "$CIFAR"
$R cache_teacher_features.py --target mnv2.b13+incv3.mixed5 --px 96 --cifar "$CIFAR" --default
T928=$C/teacher/mnv2.b13+incv3.mixed5-96.npy

# The shipped runs, one at a time (each resumes from its checkpoint). The recipe
# (docs/factory.md "Runs"): normalised-MSE feature loss, crop + flip augmentation, 12 epochs;
# TTL gets the same images, augmentation and epochs. Seeds: distill.py's default --seed 1;
# quantization calibration seed 0 (export_models.py). DEVICE=cuda trains on a GPU (same
# recipe, not bit for bit the CPU result).
stamp "training"
B13="$C/teacher/mnv2.b13-96.npy"
RECIPE="--augment --epochs 12 --cifar $CIFAR --device ${DEVICE:-cpu}"
$R distill.py --student mcunet --mode none
$R distill.py --student proxyless --mode none
for s in mcunet proxyless; do
    # the 160-d MobileNetV2-only teacher: for both students it gave better features than the
    # 928-d MobileNetV2+InceptionV3 one (docs/factory.md)
    $R distill.py --student $s --loss nmse --teacher "$B13" $RECIPE --run-name $s-microt-nmse-aug-e12-64
    $R distill.py --student $s --mode ttl $RECIPE --run-name $s-ttl-aug-e12-64
done
CANDIDATES="" REPLICATES=""
if [ "${WITH_ABLATIONS:-0}" = 1 ]; then
    # second training seed of the four compared models (the seed-averaged MicroT-vs-TTL checks)
    # and the joint-training ablation at the shipped recipe (shipped as mcunet-microt-nojoint-64)
    for s in mcunet proxyless; do
        $R distill.py --student $s --loss nmse --teacher "$B13" $RECIPE --seed 2 --run-name $s-microt-nmse-aug-e12-s2-64
        $R distill.py --student $s --mode ttl $RECIPE --seed 2 --run-name $s-ttl-aug-e12-s2-64
        REPLICATES="$REPLICATES $s-microt-64=$s-microt-nmse-aug-e12-s2-64 $s-ttl-64=$s-ttl-aug-e12-s2-64"
    done
    $R distill.py --student mcunet --loss nmse --no-joint --teacher "$B13" $RECIPE --run-name mcunet-microt-nmse-aug-nojoint-e12-64
fi
if [ "${WITH_T928_MCUNET:-0}" = 1 ]; then  # optional: MCUNet on the 928-d teacher, probed, not shipped
    $R distill.py --student mcunet --teacher "$T928" --run-name mcunet-microt-t928-64 --cifar "$CIFAR"
    CANDIDATES="--candidates mcunet-microt-t928-64"
fi

stamp "export"
SHIP=${SHIP:-"mcunet-none-64 proxyless-none-64 \
mcunet-microt-64=mcunet-microt-nmse-aug-e12-64 mcunet-ttl-64=mcunet-ttl-aug-e12-64 \
proxyless-microt-64=proxyless-microt-nmse-aug-e12-64 proxyless-ttl-64=proxyless-ttl-aug-e12-64"}
[ "${WITH_ABLATIONS:-0}" = 1 ] && SHIP="$SHIP mcunet-microt-nojoint-64=mcunet-microt-nmse-aug-nojoint-e12-64"
# shellcheck disable=SC2086
$R export_models.py --cifar "$CIFAR" --microt "$MICROT" $SHIP

stamp "evaluation"
# shellcheck disable=SC2086
NAMES=$(for x in $SHIP; do printf '%s ' "${x%%=*}"; done)
# shellcheck disable=SC2086
$R evaluate.py --cifar "$CIFAR" --microt "$MICROT" --models $NAMES $CANDIDATES ${REPLICATES:+--replicates $REPLICATES}
$R export_models.py --cards --microt "$MICROT"
stamp "done: models/*.mtm, models/*.md, models/probe.json, docs/results-factory.md"
