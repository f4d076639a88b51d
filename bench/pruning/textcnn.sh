#!/bin/sh
# bench/pruning/textcnn.sh — what ASHA saves on a real model: 30 random configurations of
# liandan-textcnn (same seed, so trial n has the same parameters in both studies) on a 20,000-
# example stratified sample of the offline Debian corpus, 8 epochs each, parallel 2, run to the
# end and with ASHA (also one trial at a time), and Optuna's pruners replaying the full study's
# curves. Prints epochs run, wall time, and whether the best configuration survives.
#
#   bench/pruning/textcnn.sh [BUILD_DIR]      (about 6 minutes on 2 cores)
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
case $build in /*) ;; *) build="$root/$build" ;; esac
command -v jq >/dev/null || { echo "bench/pruning/textcnn: needs jq"; exit 77; }
[ -x "$build/liandan-textcnn" ] || { echo "bench/pruning/textcnn: build liandan-textcnn first"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/liandan-bench-pruning-textcnn.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export LIANDAN_STORAGE="sqlite:///$work/bench.db"
"$build/liandan" data debian -o data >/dev/null
"$build/liandan" data sample data/train.tsv -o data/train20k.tsv --n 20000 --stratify --seed 1 >/dev/null

write_sweep() { # name early_terminate-line [parallel]
    cat > "$1.yaml" <<Y
name: $1
command: ["$build/liandan-textcnn", --train=data/train20k.tsv, --dev=data/dev.tsv,
          --epochs=8, --emb=128, --threads=1, "\${args}"]
method: random
metric: {name: val_acc, goal: maximize, summary: best}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-4, max: 1e-1}
  dropout: {min: 0.1, max: 0.7}
  maps: {values: [50, 100]}
  windows: {values: ["2,3", "2,3,4", "3,4,5"]}
  batch: {values: [32, 64, 128]}
  optimizer: {values: [adam, rmsprop, sgd]}
$2
parallel: ${3:-2}
budget: {trials: 30}
seed: 2025
Y
}
write_sweep full ""
write_sweep asha "early_terminate: {type: asha, min_iter: 1, max_iter: 8, eta: 3}"
# The same, one trial at a time: what Optuna's replay below sees (every earlier trial finished)
write_sweep asha_p1 "early_terminate: {type: asha, min_iter: 1, max_iter: 8, eta: 3}" 1

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %8s %8s %10s %10s %s\n' study epochs saved wall_s best best_kept
for s in full asha asha_p1; do
    t0=$(date +%s.%N)
    "$build/liandan" run "$s.yaml" -q >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    "$build/liandan" export "$s" --format json > "$s.json"
    epochs=$(jq '[.trials[] | .metrics.val_acc // [] | length] | add' "$s.json")
    best=$(jq '[.trials[] | select(.state == "complete") | {n: .number, v: .value}] | max_by(.v)' "$s.json")
    best_n=$(echo "$best" | jq '.n'); best_v=$(echo "$best" | jq '.v')
    if [ "$s" = full ]; then
        full_epochs=$epochs; full_best=$best_n; saved="-"; kept="-"
    else
        saved=$(awk -v a="$epochs" -v b="$full_epochs" 'BEGIN{printf "%.0f%%", 100 * (1 - a / b)}')
        state=$(jq -r --argjson n "$full_best" '.trials[] | select(.number == $n) | .state' "$s.json")
        if [ "$state" = complete ] && [ "$best_n" = "$full_best" ]; then kept="yes (trial $full_best)"
        else kept="no: trial $full_best is $state, best is trial $best_n"; fi
    fi
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b - a}')
    printf '%-8s %8s %8s %10s %10s %s\n' "$s" "$epochs" "$saved" "$wall" "$best_v" "$kept"
done
# The anchor: Optuna's pruners on the same learning curves (the full study's, replayed).
if /usr/bin/python3 -c 'import optuna' 2>/dev/null; then
    echo "Optuna's pruners replaying the full study's curves, one trial at a time:"
    /usr/bin/python3 "$root/bench/pruning/optuna_replay.py" full.json 8
else
    echo "(no Optuna for /usr/bin/python3: the anchor is skipped; apt-get install python3-optuna)"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
