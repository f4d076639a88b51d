# Slurm for real: a single-node cluster (tests/slurm_cluster.sh) and a PostgreSQL journal, the
# documented `sbatch --array ... examples/slurm/worker.sbatch` submitted from another folder than
# the sweep's, with liandan found on PATH. Then the faults a cluster brings: scancel of one array
# task mid-trial (its trial re-run, the budget exact), a time limit with the warning signal
# (--signal=B:USR1@40: the running trial finishes, exit 0), and kill -9 of a tuner (its trial
# re-run within a few seconds). Skipped (exit 77) only where Slurm cannot run (not root).
. "$ROOT/tests/lib.sh"
[ -n "${LIANDAN_TEST_PG_URL:-}" ] || fail "no PostgreSQL server: LIANDAN_TEST_PG_URL is unset (tests/run.sh starts one)"
start_slurm_cluster
export PATH="$BUILD:$PATH" # liandan on PATH, as after make install
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$LIANDAN_STORAGE" -c "$1"; }

# Waits until job $1 has left the queue (at most $2 seconds).
wait_job() {
    i=0
    while [ -n "$(squeue -h -j "$1" 2>/dev/null)" ]; do
        [ $i -lt $(($2 * 5)) ] || fail "job $1 still in the queue after $2 s: $(squeue -j "$1")"
        sleep 0.2; i=$((i + 1))
    done
}
# Waits until file $1 holds a line matching $2 (at most 30 s).
wait_line() {
    i=0
    until grep -q -- "$2" "$1" 2>/dev/null; do
        [ $i -lt 150 ] || fail "no '$2' in $1 after 30 s: $(cat "$1" 2>/dev/null)"
        sleep 0.2; i=$((i + 1))
    done
}
# The trials that count (not superseded by a re-run) of study $1, and checks on them.
check_study() {
    ld trials "$1" --json > "$1.json"
    expect_eq "$(jq '[.trials[] | select(.requeued_as == null)] | length' "$1.json")" "$2" \
        "$1: trials that count"
    expect_eq "$(jq '[.trials[] | select(.state == "running" or .state == "queued")] | length' \
        "$1.json")" 0 "$1: trials left running or queued"
    expect_eq "$(jq '[.trials[].number] == [range(0; (.trials | length))]' "$1.json")" true \
        "$1: unique, contiguous numbers"
}

mkdir proj elsewhere
scratch=$PWD
sweep() { # name, trials, trial seconds: proj/NAME.yaml runs proj/trialSECONDS.sh
    cat > "proj/trial$3.sh" <<T
for a; do case \$a in --x=*) x=\${a#--x=};; esac; done
# a sleep that Slurm's SIGTERM kills is the trial killed, as a trainer would be
sleep $3 || exit 143
echo "epoch=1 loss=\$x"
T
    cat > "proj/$1.yaml" <<Y
name: $1
program: trial$3.sh
command: [sh, "\${program}", "\${args}"]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
parallel: 1
budget: {trials: $2}
Y
}

# --- the happy path: 4 tasks share 16 trials -------------------------------------------------
LIANDAN_STORAGE=$("$ROOT/tests/pg_server.sh" createdb "e2e_slurm_$$")
export LIANDAN_STORAGE
sweep happy 16 1
cd elsewhere
job=$(sbatch --parsable --array=0-3 --export=ALL,SWEEP=../proj/happy.yaml \
    "$ROOT/examples/slurm/worker.sbatch")
wait_job "$job" 120
for task in 0 1 2 3; do
    out=liandan-${job}_$task.out
    [ -f "$out" ] || fail "no output file $out: $(ls)"
    expect_grep "^worker.sbatch: task $task of job $job on .*: $BUILD/liandan run \
$scratch/proj/happy.yaml in $scratch/proj (grace after SIGTERM 3s)$" "$out"
    expect_grep "^worker.sbatch: liandan exited with status 0$" "$out"
done
cat liandan-"$job"_*.out | sed -n 's/^trial \([0-9]*\) started.*/\1/p' | sort -n > ran.txt
expect_eq "$(tr '\n' ' ' < ran.txt)" "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 " "trials the tasks ran"
cd ..
check_study happy 16
expect_eq "$(jq '[.trials[] | select(.state == "complete")] | length' happy.json)" 16 "happy: complete"

# --- scancel of one task while its trial runs: the trial is interrupted and re-run -----------
sweep cancel 8 3
cd elsewhere
job=$(sbatch --parsable --array=0-1 --export=ALL,SWEEP=../proj/cancel.yaml \
    "$ROOT/examples/slurm/worker.sbatch")
wait_line "liandan-${job}_1.out" "^trial [0-9]* started"
sleep 1
victim=$(sed -n 's/^trial \([0-9]*\) started.*/\1/p' "liandan-${job}_1.out" | tail -n 1)
scancel "${job}_1"
wait_job "$job" 120
expect_grep "^trial $victim failed .*interrupted: the tuner got SIGTERM" "liandan-${job}_1.out"
expect_grep "^worker.sbatch: liandan exited with status 0$" "liandan-${job}_1.out"
cd ..
check_study cancel 8
expect_eq "$(jq -r ".trials[$victim].reason | startswith(\"interrupted: the tuner got SIGTERM\")" \
    cancel.json)" true "cancel: the cancelled task's trial"
rerun=$(jq ".trials[$victim].requeued_as" cancel.json)
expect_eq "$(jq -r ".trials[$rerun].state" cancel.json)" complete "cancel: its re-run"
expect_eq "$(jq '[.trials[] | select(.state == "failed")] | length' cancel.json)" 1 \
    "cancel: failed trials (the interrupted one only)"

# --- a time limit with the warning signal: the running trial finishes, exit status 0 -------
sweep limit 500 2
cd elsewhere
job=$(sbatch --parsable --time=1 --signal=B:USR1@40 --export=ALL,SWEEP=../proj/limit.yaml \
    "$ROOT/examples/slurm/worker.sbatch")
wait_job "$job" 100
scontrol show job "$job" > limit.job
expect_grep "JobState=COMPLETED" limit.job
expect_grep "ExitCode=0:0" limit.job
out=$(ls liandan-"$job"_*.out)
expect_grep "^liandan: SIGUSR1: no new trial starts; finishing 1 running trial$" "$out"
cd ..
ld trials limit --json > limit.json
expect_eq "$(jq -c '[.trials[].state] | unique' limit.json)" '["complete"]' \
    "limit: every trial finished"

# --- kill -9 of a tuner: a survivor re-runs its trial within a few seconds ------------------
sweep killed 8 3
cd elsewhere
job=$(sbatch --parsable --array=0-1 --export=ALL,SWEEP=../proj/killed.yaml \
    "$ROOT/examples/slurm/worker.sbatch")
wait_line "liandan-${job}_1.out" "^trial [0-9]* started"
wait_line "liandan-${job}_0.out" "^trial [0-9]* started"
row=$(sql "SELECT t.number, t.tuner_pid FROM liandan_trials t JOIN liandan_studies s
           ON s.id = t.study_id WHERE s.name = 'killed' AND t.state = 'running'
           ORDER BY t.number LIMIT 1")
victim=${row%|*}
kill -9 "${row#*|}"
killed_at=$(date +%s)
i=0
until [ "$(sql "SELECT t.state FROM liandan_trials t JOIN liandan_studies s ON s.id = t.study_id
               WHERE s.name = 'killed' AND t.number = $victim")" = failed ]; do
    [ $i -lt 150 ] || fail "trial $victim of the killed tuner not marked stale after 30 s"
    sleep 0.2; i=$((i + 1))
done
took=$(($(date +%s) - killed_at))
[ "$took" -le 8 ] || fail "the killed tuner's trial was re-queued after $took s (bound: 8 s)"
wait_job "$job" 120
cd ..
check_study killed 8
expect_eq "$(jq -r ".trials[$victim].reason" killed.json | sed 's/pid [0-9]*/pid N/; s/ on [^)]*)/ on H)/')" \
    "stale: its tuner (pid N on H) died" "killed: the dead tuner's trial"
expect_eq "$(jq -r ".trials[$(jq ".trials[$victim].requeued_as" killed.json)].state" killed.json)" \
    complete "killed: its re-run"
echo ok
