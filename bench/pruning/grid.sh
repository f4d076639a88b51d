#!/bin/sh
# bench/pruning/grid.sh — early stopping on the sweep people write every day (issue 13): a
# 48-point grid (6 learning rates x 8 dropouts of the toy trainer), 27 epochs a trial,
# `early_terminate: {type: hyperband, min_iter: 3, eta: 3}`, parallel 2. Each rule runs the same
# grid; the file's order (order: sequential, W&B's) and the default seeded shuffle are both run
# for hyperband. Prints epochs run, the share saved against the full grid, wall time, and
# whether the full grid's best configuration still finishes as the best (its rank when not);
# then Optuna's pruners replaying the full grid's curves in the same order.
#
#   bench/pruning/grid.sh [BUILD_DIR]
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
case $build in /*) ;; *) build="$root/$build" ;; esac
command -v jq >/dev/null || { echo "bench/pruning: needs jq (scripts/deps.sh --test)"; exit 77; }
[ -x "$build/tools/toy_train" ] || { echo "bench/pruning: $build/tools/toy_train missing; run make"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/liandan-bench-grid.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export LIANDAN_STORAGE="sqlite:///$work/bench.db"

write_sweep() { # name order early_terminate-line
    cat > "$1.yaml" <<Y
name: $1
command: ["$build/tools/toy_train", "\${args}", --sleep=0.01, --optimizer=adam]
method: grid
order: $2
metric: {name: val_acc, goal: maximize, summary: best}
parameters:
  lr: {values: [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03]}
  dropout: {values: [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]}
  epochs: {value: 27}
$3
parallel: 2
seed: 13
Y
}
write_sweep full random ""
write_sweep hb-file sequential "early_terminate: {type: hyperband, min_iter: 3, eta: 3}"
write_sweep hb random "early_terminate: {type: hyperband, min_iter: 3, eta: 3}"
write_sweep asha random "early_terminate: {type: asha, min_iter: 3, eta: 3}"
write_sweep median random "early_terminate: {type: median, n_startup_trials: 5, n_warmup_steps: 3}"
write_sweep curve random "early_terminate: {type: curve, n_startup_trials: 5}"
write_sweep plateau random "early_terminate: {type: plateau, patience: 3, min_delta: 0.002}"

printf '%-9s %8s %8s %8s %9s %s\n' study epochs saved wall_s best best_kept
full_epochs= full_key=
for s in full hb-file hb asha median curve plateau; do
    t0=$(date +%s.%N)
    "$build/liandan" run "$s.yaml" -q >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    "$build/liandan" export "$s" --format json > "$s.json"
    epochs=$(jq '[.trials[] | .metrics.val_acc // [] | length] | add' "$s.json")
    best_v=$(jq '[.trials[] | select(.state == "complete") | .value] | max' "$s.json")
    if [ "$s" = full ]; then
        full_epochs=$epochs; saved="-"; kept="-"
        full_key=$(jq -c '[.trials[] | select(.state == "complete")] | max_by(.value) | .params' full.json)
    else
        saved=$(awk -v a="$epochs" -v b="$full_epochs" 'BEGIN{printf "%.0f%%", 100 * (1 - a / b)}')
        # rank of the full grid's best configuration among this study's complete trials
        kept=$(jq -r --argjson p "$full_key" '
            ([.trials[] | select(.params == $p)][0]) as $t |
            if $t.state != "complete" then "no: it is \($t.state)"
            else ([.trials[] | select(.state == "complete" and .value > $t.value)] | length + 1) as $r |
                 if $r == 1 then "yes" else "no: rank \($r)" end end' "$s.json")
    fi
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b - a}')
    printf '%-9s %8s %8s %8s %9s %s\n' "$s" "$epochs" "$saved" "$wall" "$best_v" "$kept"
done
if /usr/bin/python3 -c 'import optuna' 2>/dev/null; then
    echo "Optuna's pruners replaying the full grid's curves in its order, one trial at a time:"
    /usr/bin/python3 "$root/bench/pruning/optuna_replay.py" full.json 27 3
else
    echo "(no Optuna for /usr/bin/python3: the anchor is skipped; apt-get install python3-optuna)"
fi
