#!/bin/sh
# runner.sh — the runner benchmark (issue 2): how many trials per second the whole tuner runs —
# process pool plus SQLite journal — when the trials themselves cost nothing, beside its anchor
# in the same run: Optuna 3.1 running the same program with subprocess.run per trial, on its
# SQLite storage and in memory. The floor is a bare C loop that only forks, execs, reads stdout
# and reaps (build/tools/spawn_floor), so the gap between liandan and the floor is the tuner's
# own cost per trial. Results go to docs/bench-runner.md by hand, with this command.
#
#   bench/runner.sh BUILD_DIR
#   N=2000 REPS=3 PARALLEL="1 2" BENCH_TMP=/tmp LIANDAN=other/liandan bench/runner.sh build
#
# Every configuration runs REPS times, round-robin so that load changes hit all of them alike;
# the table shows medians. Scratch journals live in one fresh folder under BENCH_TMP, removed at
# the end (not between runs: on an ext4 without a journal, creating files just after deleting
# thousands slows every open(O_CREAT), which would tax liandan's per-trial log files only).
# Exit status: 0 done, 1 a run failed, 77 skipped (a tool is missing).
set -eu

BUILD=${1:?usage: bench/runner.sh BUILD_DIR}
N=${N:-2000}
REPS=${REPS:-3}
PARALLEL=${PARALLEL:-1 2}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "$BUILD" && pwd)
LIANDAN=${LIANDAN:-$BUILD/liandan}   # LIANDAN=path/to/liandan measures another build
TRIAL=$BUILD/tools/trivial_trial
FLOOR=$BUILD/tools/spawn_floor

. "$HERE/lib.sh"
need_programs runner.sh "$LIANDAN" "$TRIAL" "$FLOOR"
if ! "$PY" -c 'import optuna' 2>/dev/null; then
    echo "runner.sh: skipped: the anchor needs Optuna in $PY (apt-get install python3-optuna)" >&2
    exit 77
fi

SCRATCH=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/liandan-bench-runner.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT INT TERM
bin=$(private_copies "$SCRATCH" "$LIANDAN" "$TRIAL" "$FLOOR")
LIANDAN=$bin/liandan TRIAL=$bin/trivial_trial FLOOR=$bin/spawn_floor
RESULTS=$SCRATCH/results   # lines: config rate

# One liandan run in its own folder and journal; prints trials/s.
run_liandan() {
    par=$1 dir=$SCRATCH/liandan-p$1-r$2
    mkdir -p "$dir"
    cat > "$dir/sweep.yaml" <<EOF
name: trivial
program: $TRIAL
command: ["\${program}", "\${args}"]
method: random
metric: {name: loss, goal: minimize}
parameters:
  x: {distribution: uniform, min: -5, max: 5}
  y: {distribution: uniform, min: -5, max: 5}
seed: 1
EOF
    t0=$(now)
    (cd "$dir" && "$LIANDAN" --storage "sqlite:///$dir/journal.db" run sweep.yaml \
        --trials "$N" --parallel "$par" -q >"$dir/out" 2>&1) || {
        echo "runner.sh: liandan failed:" >&2; cat "$dir/out" >&2; return 1; }
    t1=$(now)
    grep -q "$N complete" "$dir/out" || {
        echo "runner.sh: not every trial completed:" >&2; cat "$dir/out" >&2; return 1; }
    echo "$t0 $t1" | awk -v n="$N" '{ printf "%.1f\n", n / ($2 - $1) }'
}

run_optuna() {
    storage=$1 jobs=$2 rep=$3
    url=memory
    [ "$storage" = sqlite ] && url="sqlite:///$SCRATCH/optuna-j$jobs-r$rep.db"
    "$PY" "$HERE/runner_optuna.py" "$TRIAL" "$N" "$jobs" "$url" |
        sed -n 's/.*per_s=\([0-9.]*\).*/\1/p'
}

run_floor() {
    "$FLOOR" fork "$N" "$1" "$TRIAL" --x=0.5 --y=-1.5 | sed -n 's/.*per_s=\([0-9.]*\).*/\1/p'
}

echo "runner benchmark: N=$N trials per run, REPS=$REPS, parallel: $PARALLEL"
echo "machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "scratch: $SCRATCH ($(df -T "$SCRATCH" | awk 'NR == 2 { print $2 }'))"

rep=1
while [ "$rep" -le "$REPS" ]; do
    for p in $PARALLEL; do
        echo "floor-p$p $(run_floor "$p")" >>"$RESULTS"
        echo "liandan-p$p $(run_liandan "$p" "$rep")" >>"$RESULTS"
        echo "optuna-sqlite-p$p $(run_optuna sqlite "$p" "$rep")" >>"$RESULTS"
        echo "optuna-memory-p$p $(run_optuna memory "$p" "$rep")" >>"$RESULTS"
    done
    echo "  repetition $rep of $REPS done (load $(cut -d' ' -f1 /proc/loadavg))"
    rep=$((rep + 1))
done

echo
echo "trials/s, median of $REPS (all runs: $(tr '\n' ' ' <"$RESULTS" | sed 's/ $//'))"
echo
printf '| %-8s | %7s | %13s | %13s | %10s | %14s | %14s | %14s |\n' parallel liandan \
    "Optuna+SQLite" "Optuna memory" "fork floor" "liandan/O+SQL" "liandan/O mem" "liandan/floor"
echo '|----------|---------|---------------|---------------|------------|----------------|----------------|----------------|'
for p in $PARALLEL; do
    l=$(median "liandan-p$p") os=$(median "optuna-sqlite-p$p")
    om=$(median "optuna-memory-p$p") f=$(median "floor-p$p")
    awk -v p="$p" -v l="$l" -v os="$os" -v om="$om" -v f="$f" 'BEGIN {
        printf "| %-8s | %7.0f | %13.0f | %13.0f | %10.0f | %14.2f | %14.2f | %14.2f |\n",
               p, l, os, om, f, l / os, l / om, l / f }'
done
echo
echo "per trial, microseconds (median): liandan vs the fork/exec floor; the rest is the tuner's own cost"
for p in $PARALLEL; do
    awk -v p="$p" -v l="$(median "liandan-p$p")" -v f="$(median "floor-p$p")" 'BEGIN {
        printf "  parallel %s: liandan %.0f us, floor %.0f us, tuner overhead %.0f us\n",
               p, 1e6 / l, 1e6 / f, 1e6 / l - 1e6 / f }'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
