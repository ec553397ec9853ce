#!/usr/bin/env bash
# The fuzzing campaign of docs/robustness.md: every target of run.sh, one after the other,
# for RUNS executions each (default 10 million) on a corpus that persists between runs, at
# low priority. Not part of CI (hours). Run it from a snapshot of a commit, so that work in
# the tree does not change what is being fuzzed:
#   mkdir -p build-campaign/src && git archive HEAD | tar -x -C build-campaign/src
#   git rev-parse --short HEAD > build-campaign/src/COMMIT
#   nohup nice -n 10 build-campaign/src/tests/fuzz/campaign.sh > build-campaign/log 2>&1 &
# usage: tests/fuzz/campaign.sh [RUNS] [TARGET...]
# Appends one line per target to OUT/campaign/summary.tsv (OUT = build-campaign beside a
# snapshot, else build-fuzz): date, commit, target, executions, seconds, exec/s, corpus
# size, result (ok, or the crash file).
set -uo pipefail
runs=${1:-10000000}
shift $(($# < 1 ? $# : 1))
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ -f "$root/COMMIT" ]; then # a snapshot (see above): results beside it
    out=$(cd "$root/.." && pwd)
    commit=$(cat "$root/COMMIT")
else
    out=$root/build-fuzz
    commit=$(git -C "$root" rev-parse --short HEAD)
    [ -n "$(git -C "$root" status --porcelain -- src tools tests)" ] && commit="$commit+dirty"
fi
camp=$out/campaign
mkdir -p "$camp"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then # the fast ones first
    targets=(cycles cli idx store image model valid_model)
fi
for t in "${targets[@]}"; do
    start=$(date +%s)
    CORPUS_DIR=$camp "$root/tests/fuzz/run.sh" "$runs" "$out" 0 "$t" > "$camp/$t.out" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    execs=$(awk '/^stat::number_of_executed_units/ {print $2}' "$out/fuzz_$t.log" | tail -1)
    rate=$(awk '/^stat::average_exec_per_sec/ {print $2}' "$out/fuzz_$t.log" | tail -1)
    crash=$(ls -t "$out/crashes/$t/" 2>/dev/null | head -1)
    result=ok
    [ $rc -ne 0 ] && result="FAILED:${crash:-see $t.out}"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$commit" "$t" "${execs:-0}" \
        "$secs" "${rate:-0}" "$(ls "$camp/$t" | wc -l)" "$result" | tee -a "$camp/summary.tsv"
done
