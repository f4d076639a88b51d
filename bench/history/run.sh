#!/bin/sh
# history/run.sh — what a model-based sampler costs per trial beyond random search, measured as a
# user runs it (issue 15): the whole CLI, the real SQLite journal, a six-parameter space, trials
# that cost nothing (build/tools/trivial_trial), parallel 1. The extra seconds of a `tpe` study
# over a `random` one of the same size, divided by its trials, is what the tuner spends reading
# the history and sampling from it; at 1,000 and at 10,000 trials it shows whether that cost
# grows with the study. The anchor, in the same run: Optuna's TPESampler against its
# RandomSampler, in process and in memory (bench/history/optuna_cost.py), at 1,000 trials.
#
#   bench/history/run.sh BUILD_DIR
#   SIZES="1000 10000" REPS=3 OPTUNA_N=1000 BENCH_TMP=/tmp bench/history/run.sh build
#
# Every (size, method) runs REPS times, round-robin, and the table shows medians; the extra
# cost is the median of each repetition's tpe − random (the two run back to back, so a change
# of the machine's load between repetitions cancels). The largest size runs BIG_REPS times
# (default 1: a 10,000-trial TPE study takes minutes). Results go to
# docs/bench-runner.md by hand, with this command. Exit: 0 done, 1 a run failed, 77 skipped.
set -eu

BUILD=${1:?usage: bench/history/run.sh BUILD_DIR}
SIZES=${SIZES:-1000 10000}
REPS=${REPS:-3}
BIG_REPS=${BIG_REPS:-1}
OPTUNA_N=${OPTUNA_N:-1000}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "$BUILD" && pwd)
LIANDAN=${LIANDAN:-$BUILD/liandan}
TRIAL=$BUILD/tools/trivial_trial
. "$HERE/../lib.sh"
need_programs history/run.sh "$LIANDAN" "$TRIAL"
if ! "$PY" -c 'import optuna' 2>/dev/null; then
    echo "history/run.sh: skipped: the anchor needs Optuna in $PY (apt-get install python3-optuna)" >&2
    exit 77
fi

SCRATCH=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/liandan-bench-history.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT INT TERM
bin=$(private_copies "$SCRATCH" "$LIANDAN" "$TRIAL")
LIANDAN=$bin/liandan TRIAL=$bin/trivial_trial
RESULTS=$SCRATCH/results # lines: config seconds
# The tuner's own CPU time (not its trials'), when perf is there: steadier than wall time.
PERF=""
command -v perf >/dev/null 2>&1 && perf stat -x, -e task-clock true >/dev/null 2>&1 && PERF=perf

# One liandan study of $2 trials with method $1 in its own folder and journal; prints its wall
# seconds, and the tuner's CPU seconds (or nan without perf).
run_liandan() {
    method=$1 n=$2 dir=$SCRATCH/$1-$2-r$3
    mkdir -p "$dir"
    cat > "$dir/sweep.yaml" <<Y
name: cost
program: $TRIAL
command: ["\${program}", "\${args}"]
method: $method
metric: {name: loss, goal: minimize}
$(six_parameters)
seed: $3
Y
    t0=$(now)
    (cd "$dir" && ${PERF:+perf stat --no-inherit -x, -e task-clock -o "$dir/cpu"} "$LIANDAN" \
        --storage "sqlite:///$dir/journal.db" run sweep.yaml --trials "$n" --parallel 1 -q \
        >"$dir/out" 2>&1) || {
        echo "history/run.sh: liandan failed:" >&2; cat "$dir/out" >&2; return 1; }
    t1=$(now)
    grep -q "$n complete" "$dir/out" || {
        echo "history/run.sh: not every trial completed:" >&2; cat "$dir/out" >&2; return 1; }
    rm -rf "$dir/journal.runs" # the logs: thousands of small files slow later creations
    cpu=nan
    [ -n "$PERF" ] && cpu=$(awk -F, '/task-clock/ { printf "%.3f", $1 / 1000 }' "$dir/cpu")
    echo "$t0 $t1" | awk -v cpu="$cpu" '{ printf "%.3f %s\n", $2 - $1, cpu }'
}

run_optuna() {
    "$PY" "$HERE/optuna_cost.py" "$OPTUNA_N" "$1" "$2" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p'
}

echo "history benchmark: sizes $SIZES, REPS=$REPS (largest size: $BIG_REPS), Optuna at $OPTUNA_N"
echo "machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
biggest=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
rep=1
while [ "$rep" -le "$REPS" ]; do
    for n in $SIZES; do
        [ "$n" = "$biggest" ] && [ "$rep" -gt "$BIG_REPS" ] && continue
        r=$(run_liandan random "$n" "$rep") t=$(run_liandan tpe "$n" "$rep")
        echo "liandan-random-$n ${r% *}" >>"$RESULTS"
        echo "liandan-tpe-$n ${t% *}" >>"$RESULTS"
        echo "liandan-extra-$n $(echo "$r $t" | awk '{ print $3 - $1 }')" >>"$RESULTS"
        echo "liandan-cpu-extra-$n $(echo "$r $t" | awk '{ print $4 - $2 }')" >>"$RESULTS"
    done
    r=$(run_optuna random "$rep") t=$(run_optuna tpe "$rep")
    echo "optuna-random $r" >>"$RESULTS"
    echo "optuna-tpe $t" >>"$RESULTS"
    echo "optuna-extra $(echo "$r $t" | awk '{ print $2 - $1 }')" >>"$RESULTS"
    echo "  repetition $rep of $REPS done (load $(cut -d' ' -f1 /proc/loadavg))"
    rep=$((rep + 1))
done

echo
echo "seconds per study (all runs: $(tr '\n' ' ' <"$RESULTS" | sed 's/ $//'))"
echo
printf '| %-26s | %8s | %9s | %9s | %22s |\n' "who, trials" random tpe "tpe − random" "extra ms per trial"
echo '|----------------------------|----------|-----------|-----------|------------------------|'
for n in $SIZES; do
    awk -v n="$n" -v r="$(median "liandan-random-$n")" -v t="$(median "liandan-tpe-$n")" \
        -v x="$(median "liandan-extra-$n")" 'BEGIN {
        printf "| liandan CLI + SQLite, %-5s | %8.2f | %9.2f | %9.2f | %22.3f |\n",
               n, r, t, x, 1000 * x / n }'
done
awk -v n="$OPTUNA_N" -v r="$(median optuna-random)" -v t="$(median optuna-tpe)" \
    -v x="$(median optuna-extra)" 'BEGIN {
    printf "| Optuna in memory, %-8s | %8.2f | %9.2f | %9.2f | %22.3f |\n",
           n, r, t, x, 1000 * x / n }'
echo
for n in $SIZES; do
    awk -v n="$n" -v x="$(median "liandan-cpu-extra-$n")" 'BEGIN {
        printf "the tuner'"'"'s own CPU, tpe − random, at %s trials: %.3f ms per trial\n", n, 1000 * x / n }'
done
small=$(echo "$SIZES" | tr ' ' '\n' | sort -n | head -1)
awk -v ns="$small" -v nb="$biggest" -v no="$OPTUNA_N" -v xs="$(median "liandan-extra-$small")" \
    -v xb="$(median "liandan-extra-$biggest")" -v xo="$(median optuna-extra)" \
    -v cs="$(median "liandan-cpu-extra-$small")" -v cb="$(median "liandan-cpu-extra-$biggest")" \
    'BEGIN {
    es = xs / ns; eb = xb / nb; eo = xo / no
    if (cs == cs && cs > 0) {
        printf "by the tuner'"'"'s CPU: Optuna extra / liandan extra at %s trials: %.0fx;", ns, eo / (cs / ns)
        printf " at %s / at %s trials: %.2f\n", nb, ns, (cb / nb) / (cs / ns)
    }
    printf "Optuna extra / liandan extra at %s trials: %.0fx (target: at least 100x)\n", ns, eo / es
    printf "liandan extra at %s / at %s trials: %.2f (target: at most 2)\n", nb, ns, eb / es }'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
