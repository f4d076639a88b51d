#!/bin/sh
# bench/pruning/run.sh — what early stopping saves: the same 30 random configurations of the
# toy trainer (same seed, so the same parameters trial by trial) run to the end, and with
# ASHA (and median) pruning. Prints epochs run, wall time, and whether the best configuration
# of the full run survives pruning; then bench/pruning/replay.sh (issue 13's sets and searches).
#
#   bench/pruning/run.sh [BUILD_DIR]      (make bench runs it)
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
case $build in /*) ;; *) build="$root/$build" ;; esac
command -v jq >/dev/null || { echo "bench/pruning: needs jq (scripts/deps.sh --test)"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/liandan-bench-pruning.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export LIANDAN_STORAGE="sqlite:///$work/bench.db"

write_sweep() { # name early_terminate-line
    cat > "$1.yaml" <<Y
name: $1
command: ["$build/tools/toy_train", "\${args}", --sleep=0.05]
method: random
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-4, max: 1.0}
  dropout: {min: 0.0, max: 0.7}
  optimizer: {values: [sgd, adam, rmsprop]}
  epochs: {value: 10}
$2
parallel: 2
budget: {trials: 30}
seed: 2024
Y
}
write_sweep full ""
write_sweep asha "early_terminate: {type: asha, min_iter: 1, max_iter: 10, eta: 3}"
write_sweep median "early_terminate: {type: median, n_startup_trials: 5, n_warmup_steps: 2}"

printf '%-8s %8s %8s %10s %10s %s\n' study epochs saved wall_s best best_kept
full_epochs=
full_best=
for s in full asha median; do
    t0=$(date +%s.%N)
    "$build/liandan" run "$s.yaml" -q >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    "$build/liandan" export "$s" --format json > "$s.json"
    epochs=$(jq '[.trials[] | .metrics.val_acc // [] | length] | add' "$s.json")
    best=$(jq '[.trials[] | select(.state == "complete") | {n: .number, v: .value}] | max_by(.v)' "$s.json")
    best_n=$(echo "$best" | jq '.n')
    best_v=$(echo "$best" | jq '.v')
    if [ "$s" = full ]; then
        full_epochs=$epochs; full_best=$best_n; saved="-"; kept="-"
    else
        saved=$(awk -v a="$epochs" -v b="$full_epochs" 'BEGIN{printf "%.0f%%", 100 * (1 - a / b)}')
        kept=$(jq --argjson n "$full_best" '.trials[] | select(.number == $n) | .state' "$s.json")
        [ "$kept" = '"complete"' ] && [ "$best_n" = "$full_best" ] && kept="yes (trial $full_best)" || kept="no: trial $full_best is $kept"
    fi
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b - a}')
    printf '%-8s %8s %8s %10s %10s %s\n' "$s" "$epochs" "$saved" "$wall" "$best_v" "$kept"
done
# The anchor: Optuna's pruners on the same learning curves (the full study's, replayed).
if /usr/bin/python3 -c 'import optuna' 2>/dev/null; then
    echo "Optuna's pruners replaying the full study's curves, one trial at a time:"
    /usr/bin/python3 "$root/bench/pruning/optuna_replay.py" full.json 10
else
    echo "(no Optuna for /usr/bin/python3: the anchor is skipped; apt-get install python3-optuna)"
fi
# Issue 13's sets and searches: every rule on 48 configurations of 27 epochs, grid (file order
# and shuffled), random and bayes, on the toy, a crossing family and recorded TextCNN curves.
echo
sh "$root/bench/pruning/replay.sh" "$build"
