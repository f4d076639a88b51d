#!/bin/sh
# bench/pruning/replay.sh — what each early-stopping rule saves, and whether the best run
# survives, on four sets of learning curves and the three searches people run (issue 13):
#   toy       the toy trainer, live: 6 learning rates x 8 dropouts (adam)
#   crossing  a family whose curves cross (crossing.awk): the leaders at epochs 3 and 9 lose
#   trec      liandan-textcnn on TREC, recorded (curves/textcnn-trec.tsv, record_textcnn.sh)
#   mr        liandan-textcnn on MR, recorded (curves/textcnn-mr.tsv)
# Each set is 48 configurations of 27 epochs; the recorded ones are replayed by curve_replay.c,
# launched by liandan per trial like the trainer itself. Searches: the grid in the file's order
# (W&B's), the grid in liandan's default seeded shuffle, random (48 trials) and bayes (48
# trials), all with seed 13, parallel 2, metric.summary best. For every set and search: the full
# search without early stopping, then each rule; epochs run, the share saved, wall time, the best
# value among complete trials and whether it is the full search's best ("yes", or what became
# of the full search's best configuration). Then Optuna's pruners replaying the full search's
# curves in its trial order, one at a time (optuna_replay.py).
#
#   bench/pruning/replay.sh [BUILD_DIR [SET...]]
#   RULES="full curve" CURVE_Z=3 bench/pruning/replay.sh build crossing   (a subset; full first)
set -eu
rules=${RULES:-full hyperband asha median curve plateau}
curve_z=${CURVE_Z:-}
build=${1:-build}
[ $# -gt 0 ] && shift
sets=${*:-toy crossing trec mr}
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/bench/pruning
case $build in /*) ;; *) build="$root/$build" ;; esac
command -v jq >/dev/null || { echo "bench/pruning: needs jq (scripts/deps.sh --test)"; exit 77; }
[ -x "$build/tools/toy_train" ] ||
    { echo "bench/pruning: $build/tools/toy_train missing; run make"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/liandan-bench-replay.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export LIANDAN_STORAGE="sqlite:///$work/bench.db"
cc -std=c11 -O2 -Wall -Wextra -Werror -o curve_replay "$here/curve_replay.c" -lm
awk -f "$here/crossing.awk" > crossing.tsv
has_optuna=0
/usr/bin/python3 -c 'import optuna' 2>/dev/null && has_optuna=1

# The command and parameters of a set, as sweep-file lines.
set_lines() {
    case $1 in
    toy) cat <<Y
command: ["$build/tools/toy_train", "\${args}", --sleep=0.005, --optimizer=adam]
parameters:
  lr: {values: [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03]}
  dropout: {values: [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]}
  epochs: {value: 27}
Y
    ;;
    crossing) cat <<Y
command: ["$work/curve_replay", --curves=$work/crossing.tsv, --sleep=0.005, "\${args}"]
parameters:
  lr: {values: [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]}
  width: {values: [8, 16, 32, 64, 128, 256, 512, 1024]}
  epochs: {value: 27}
Y
    ;;
    trec | mr) cat <<Y
command: ["$work/curve_replay", --curves=$here/curves/textcnn-$1.tsv, --time-scale=0.02,
          "\${args}"]
parameters:
  lr: {values: [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03]}
  dropout: {values: [0.0, 0.25, 0.5, 0.75]}
  maps: {values: [32, 128]}
  epochs: {value: 27}
Y
    ;;
    *) echo "bench/pruning/replay.sh: unknown set '$1' (toy, crossing, trec, mr)" >&2; exit 2 ;;
    esac
}

search_lines() {
    case $1 in
    grid-file) printf 'method: grid\norder: sequential\n' ;;
    grid) printf 'method: grid\n' ;;
    random) printf 'method: random\nbudget: {trials: 48}\n' ;;
    bayes) printf 'method: bayes\nbudget: {trials: 48}\n' ;;
    esac
}

rule_line() {
    case $1 in
    full) ;;
    hyperband) echo "early_terminate: {type: hyperband, min_iter: 3, eta: 3}" ;;
    asha) echo "early_terminate: {type: asha, min_iter: 3, eta: 3}" ;;
    median) echo "early_terminate: {type: median, n_startup_trials: 5, n_warmup_steps: 3}" ;;
    curve) echo "early_terminate: {type: curve, n_startup_trials: 5${curve_z:+, z: $curve_z}}" ;;
    plateau) echo "early_terminate: {type: plateau, patience: 3, min_delta: 0.002}" ;;
    esac
}

for set in $sets; do
    for search in grid-file grid random bayes; do
        echo "== $set, $search"
        printf '%-10s %7s %6s %7s %8s  %s\n' rule epochs saved wall_s best best_kept
        full_epochs= full_best= full_keys=
        for rule in $rules; do
            name=$set-$search-$rule
            {
                echo "name: $name"
                set_lines "$set"
                search_lines "$search"
                echo "metric: {name: val_acc, goal: maximize, summary: best}"
                rule_line "$rule"
                echo "parallel: 2"
                echo "seed: 13"
            } > "$name.yaml"
            t0=$(date +%s.%N)
            "$build/liandan" run "$name.yaml" -q > "$name.out" 2>&1 || {
                echo "bench/pruning: $name failed:"; tail -5 "$name.out"; exit 1; }
            t1=$(date +%s.%N)
            "$build/liandan" export "$name" --format json > "$name.json"
            epochs=$(jq '[.trials[] | .metrics.val_acc // [] | length] | add' "$name.json")
            best=$(jq '[.trials[] | select(.state == "complete") | .value] | max' "$name.json")
            if [ "$rule" = full ]; then
                full_epochs=$epochs full_best=$best saved=- kept=-
                cp "$name.json" full.json
                # the configurations that reach the full search's best value (ties included)
                full_keys=$(jq -c --argjson b "$best" '[.trials[] | select(.state == "complete"
                    and .value == $b) | .params] | unique' "$name.json")
            else
                saved=$(awk -v a="$epochs" -v b="$full_epochs" \
                    'BEGIN{printf "%.0f%%", 100 * (1 - a / b)}')
                kept=$(jq -r --argjson b "$full_best" --argjson keys "$full_keys" '
                    ([.trials[] | select(.state == "complete") | .value] | max) as $mine |
                    if $mine >= $b then "yes" else
                        ([.trials[] | select(.params as $p | $keys | index([$p]))] |
                         map(if .state == "complete" then "complete at \(.value)"
                             else "\(.state) at epoch \(.metrics.val_acc | length)" end)) as $what |
                        "no: the full best (\($b)) " +
                        (if ($what | length) == 0 then "was not sampled"
                         else "is " + ($what | unique | join(", ")) end)
                    end' "$name.json")
            fi
            wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b - a}')
            printf '%-10s %7s %6s %7s %8s  %s\n' "$rule" "$epochs" "$saved" "$wall" "$best" "$kept"
        done
        if [ $has_optuna = 1 ] && [ -z "${RULES:-}" ]; then
            /usr/bin/python3 "$here/optuna_replay.py" full.json 27 3
        fi
    done
done
[ $has_optuna = 1 ] ||
    echo "(no Optuna for /usr/bin/python3: the anchor was skipped; apt-get install python3-optuna)"
