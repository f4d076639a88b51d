#!/bin/sh
# bigstudy/run.sh — reading a study of 100,000 trials (issue 15): a random study whose trials
# cost nothing and report five metrics each is run through the CLI into a SQLite journal (the
# tuner's peak memory measured), then each reader a user runs on it is timed: status, best,
# trials --limit 20, export --format csv, report, and a dashboard page. The anchor, in the same
# run: the sqlite3 shell writing the same trials, params and values as CSV, which is the floor
# of any export that reads them all.
#
#   bench/bigstudy/run.sh BUILD_DIR
#   N=100000 REPS=3 BENCH_TMP=/tmp bench/bigstudy/run.sh build
#   KEEP=/tmp/big bench/bigstudy/run.sh build   # keeps the study there; a second run reuses it
#
# Each reader runs REPS times; the table shows the median. Results go to docs/bench-runner.md by
# hand, with this command. Exit: 0 done, 1 a run failed, 77 skipped (a tool is missing).
set -eu

BUILD=${1:?usage: bench/bigstudy/run.sh BUILD_DIR}
N=${N:-100000}
REPS=${REPS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "$BUILD" && pwd)
LIANDAN=${LIANDAN:-$BUILD/liandan}
TRIAL=$BUILD/tools/trivial_trial
. "$HERE/../lib.sh"
need_programs bigstudy/run.sh "$LIANDAN" "$TRIAL"
for tool in sqlite3 curl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "bigstudy/run.sh: skipped: the benchmark needs $tool (apt-get install $tool)" >&2
        exit 77
    fi
done

dash_pid=""
if [ -n "${KEEP:-}" ]; then
    SCRATCH=$KEEP
    mkdir -p "$SCRATCH"
    rm -rf "$SCRATCH/bin" "$SCRATCH/results"
    trap '[ -n "$dash_pid" ] && kill "$dash_pid" 2>/dev/null' EXIT INT TERM
else
    SCRATCH=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/liandan-bench-bigstudy.XXXXXX")
    trap '[ -n "$dash_pid" ] && kill "$dash_pid" 2>/dev/null; rm -rf "$SCRATCH"' EXIT INT TERM
fi
bin=$(private_copies "$SCRATCH" "$LIANDAN" "$TRIAL")
LIANDAN=$bin/liandan TRIAL=$bin/trivial_trial
RESULTS=$SCRATCH/results # lines: config seconds
DB=$SCRATCH/journal.db
ld() { "$LIANDAN" --storage "sqlite:///$DB" "$@"; }

echo "bigstudy benchmark: N=$N trials, REPS=$REPS"
echo "machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
cat > "$SCRATCH/sweep.yaml" <<Y
name: big
program: $TRIAL
command: [env, TRIVIAL_METRICS=5, "\${program}", "\${args}"]
method: random
metric: {name: loss, goal: minimize}
$(six_parameters)
seed: 1
Y
if [ -f "$SCRATCH/run.out" ] && grep -q "$N complete" "$SCRATCH/run.out"; then
    echo "the study: reused from $SCRATCH ($(cat "$SCRATCH/made"))"
else
rm -rf "$DB" "$DB-wal" "$DB-shm" "$SCRATCH/journal.runs"
t0=$(now)
(cd "$SCRATCH" && /usr/bin/time -f "%M" -o "$SCRATCH/rss" "$LIANDAN" --storage "sqlite:///$DB" \
    run sweep.yaml --trials "$N" --parallel 2 -q >"$SCRATCH/run.out" 2>&1) || {
    echo "bigstudy/run.sh: the run failed:" >&2; tail "$SCRATCH/run.out" >&2; exit 1; }
t1=$(now)
grep -q "$N complete" "$SCRATCH/run.out" || {
    echo "bigstudy/run.sh: not every trial completed:" >&2; tail "$SCRATCH/run.out" >&2; exit 1; }
echo "the study: $N trials in $(echo "$t0 $t1" | awk '{ printf "%.0f", $2 - $1 }') s;" \
    "tuner peak RSS $(awk '{ printf "%.0f", $1 / 1024 }' "$SCRATCH/rss") MB;" \
    "journal $(du -m "$DB" | cut -f1) MB, logs $(du -sm "$SCRATCH/journal.runs" | cut -f1) MB" |
    tee "$SCRATCH/made"
fi

port=$(awk 'BEGIN { srand(); printf "%d", 20000 + rand() * 20000 }')
ld dashboard --port "$port" >"$SCRATCH/dash.out" 2>&1 &
dash_pid=$!
sleep 1

# Times one reader ($1: its name; the rest: the command), output to a file; prints seconds.
timed() {
    name=$1
    shift
    s=$(now)
    "$@" >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err" || {
        echo "bigstudy/run.sh: $name failed:" >&2; tail -5 "$SCRATCH/$name.err" >&2; return 1; }
    e=$(now)
    echo "$name $(echo "$s $e" | awk '{ printf "%.3f", $2 - $1 }')" >>"$RESULTS"
}

anchor_sql="SELECT t.number, t.state, t.value, p.name, p.num, p.str, v.key, v.value
FROM trials t JOIN trial_params p ON p.trial_id = t.id LEFT JOIN trial_values v ON v.trial_id = t.id
ORDER BY t.number, p.position, v.id"
rep=1
while [ "$rep" -le "$REPS" ]; do
    timed status ld status
    timed best ld best big
    timed trials20 ld trials big --limit 20
    timed export ld export big --format csv
    timed report ld report big -o "$SCRATCH/report.html"
    timed dashboard curl -sf "http://127.0.0.1:$port/study/big"
    timed sqlite3-csv sqlite3 -csv "$DB" "$anchor_sql"
    echo "  repetition $rep of $REPS done (load $(cut -d' ' -f1 /proc/loadavg))"
    rep=$((rep + 1))
done

echo
echo "seconds, median of $REPS (all runs: $(tr '\n' ' ' <"$RESULTS" | sed 's/ $//'))"
echo
a=$(median sqlite3-csv)
printf '| %-28s | %8s | %16s |\n' reader seconds "/ sqlite3 -csv"
echo '|------------------------------|----------|------------------|'
for r in status best trials20 export report dashboard sqlite3-csv; do
    awk -v r="$r" -v v="$(median "$r")" -v a="$a" 'BEGIN {
        printf "| %-28s | %8.3f | %16.2f |\n", r, v, v / a }'
done
echo
echo "report: $(du -k "$SCRATCH/report.html" | cut -f1) KB; export: $(wc -l < "$SCRATCH/export.out") lines;" \
    "dashboard page: $(wc -c < "$SCRATCH/dashboard.out") bytes"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
