# executor: slurm on a live single-node cluster (tests/slurm_cluster.sh): every trial a batch
# job. A 12-trial study with median pruning (pruned trials cancelled with scancel, their jobs
# CANCELLED, the others COMPLETED, every epoch's metrics journaled from the jobs' output files);
# then each way a job ends badly, with the reason a user reads: the trainer's error, sbatch
# refusing the job, a job cancelled from outside, the sweep's timeout, SIGTERM to the tuner
# (its jobs cancelled, their trials re-queued), and no Slurm tools on PATH.
. "$ROOT/tests/lib.sh"
start_slurm_cluster

job_of() { sed -n "s/^trial $2 started: .* (Slurm job \([0-9]*\))$/\1/p" "$1"; }
job_state() { scontrol -o show job "$1" | tr ' ' '\n' | sed -n 's/^JobState=//p'; }
no_jobs_left() {
    i=0
    while [ -n "$(squeue -h)" ]; do
        [ $i -lt 50 ] || fail "jobs left in the queue: $(squeue)"
        sleep 0.2; i=$((i + 1))
    done
}

# --- 12 trials, pruned through scancel -----------------------------------------------------
cat > epochs.sh <<'T'
for a; do case $a in --x=*) x=${a#--x=};; esac; done
echo "trial $LIANDAN_TRIAL on $(hostname -s) in job $SLURM_JOB_ID"
for e in 1 2 3 4 5 6; do
    sleep 0.3
    echo "epoch=$e loss=$(awk -v x="$x" -v e=$e 'BEGIN{print x + 1/e}')"
done
T
cat > pruned.yaml <<'Y'
name: pruned
command: [sh, epochs.sh, "${args}"]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
executor: slurm
slurm: {partition: debug, time: "5", cpus_per_task: 1, extra: [--mem=100M]}
early_terminate: {type: median, n_startup_trials: 3}
parallel: 3
budget: {trials: 12}
seed: 11
Y
expect_exit 0 ld run pruned.yaml
cp err.txt pruned.err
ld trials pruned --json > pruned.json
expect_eq "$(jq '.trials | length' pruned.json)" 12 "pruned: trials"
expect_eq "$(jq '[.trials[] | select(.state == "complete" or .state == "pruned")] | length' \
    pruned.json)" 12 "pruned: complete or pruned"
p=$(jq '[.trials[] | select(.state == "pruned")] | length' pruned.json)
[ "$p" -ge 1 ] || fail "no trial was pruned: $(cat pruned.err)"
for n in $(jq '.trials[].number' pruned.json); do
    job=$(job_of pruned.err "$n")
    [ -n "$job" ] || fail "trial $n: no Slurm job in the run's output: $(cat pruned.err)"
    state=$(jq -r ".trials[$n].state" pruned.json)
    case $state in
    pruned) expect_eq "$(job_state "$job")" CANCELLED "trial $n (pruned): its job $job" ;;
    complete) expect_eq "$(job_state "$job")" COMPLETED "trial $n (complete): its job $job" ;;
    esac
done
ld export pruned --format json > pruned.export.json
expect_eq "$(jq '[.trials[] | select(.state == "complete") | .metrics.loss | length] | unique' \
    pruned.export.json | tr -d ' \n')" "[6]" "pruned: epochs of a complete trial"
expect_grep "^trial 0 on .* in job $(job_of pruned.err 0)$" test.runs/pruned/0.log
expect_grep "^exec 'sh' 'epochs.sh' '--x=" test.runs/pruned/0.sbatch
no_jobs_left

# --- ends that go wrong, each with its reason ---------------------------------------------
cat > bad.sh <<'T'
for a; do case $a in --kind=*) kind=${a#--kind=};; esac; done
echo "epoch=1 loss=1"
case $kind in
error) echo "Traceback (most recent call last):" >&2; echo "ValueError: bad learning rate" >&2
       exit 3 ;;
*) sleep 60 ;;
esac
T
cat > bad.yaml <<'Y'
name: bad
command: [sh, bad.sh, "${args}"]
method: grid
metric: {name: loss}
parameters:
  kind: {values: [error, outside, slow]}
executor: slurm
slurm: {time: "5"}
timeout: 6s
parallel: 3
max_failures: 0
Y
"$LIANDAN" run bad.yaml > bad.out 2> bad.err &
tuner=$!
i=0
outside() { sed -n 's/^trial \([0-9]*\) started: kind=outside .*/\1/p' bad.err; }
until [ -n "$(outside)" ] && [ "$(job_state "$(job_of bad.err "$(outside)")")" = RUNNING ]; do
    [ $i -lt 100 ] || fail "the outside trial's job did not start: $(cat bad.err)"
    sleep 0.1; i=$((i + 1))
done
scancel "$(job_of bad.err "$(outside)")"
wait $tuner || true
ld trials bad --json > bad.json
reason() { jq -r ".trials[] | select(.params.kind == \"$1\") | .reason | split(\"\\n\")[0]" bad.json; }
expect_eq "$(reason error)" "exit status 3: ValueError: bad learning rate" "the trainer's error"
job=$(job_of bad.err "$(outside)")
# (what follows the colon is the job's last output: sh's "Terminated" or slurmstepd's line)
expect_eq "$(reason outside | cut -d: -f1)" "Slurm job $job was cancelled from outside liandan \
(scancel, an administrator)" "a job cancelled from outside"
expect_eq "$(reason slow | cut -d: -f1-2)" "timeout: still running after 6s" \
    "a job past the sweep's timeout"
slow=$(sed -n 's/^trial \([0-9]*\) started: kind=slow .*/\1/p' bad.err)
expect_eq "$(job_state "$(job_of bad.err "$slow")")" CANCELLED "the timed-out trial's job"
no_jobs_left

sed -e 's/^name: bad/name: refused/; s/slurm: {time: "5"}/slurm: {partition: nosuch}/' \
    -e 's/^max_failures: 0/max_failures: 2/; s/^parallel: 3/parallel: 1/' bad.yaml > refused.yaml
expect_exit 1 ld run refused.yaml
expect_grep "sbatch refused the trial's job (exit status 1): sbatch: error: Batch job submission \
failed: Invalid partition name specified" err.txt
expect_grep "stopping: the last 2 trials failed" err.txt

# --- SIGTERM to the tuner: its jobs are cancelled and their trials re-queued ---------------
cat > term.yaml <<'Y'
name: term
command: [sh, bad.sh, --kind=slow]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
executor: slurm
parallel: 2
budget: {trials: 4}
Y
"$LIANDAN" run term.yaml > term.out 2> term.err &
tuner=$!
i=0
until [ "$(squeue -h -t running | wc -l)" -ge 2 ]; do
    [ $i -lt 100 ] || fail "the jobs did not start: $(cat term.err)"
    sleep 0.1; i=$((i + 1))
done
sleep 0.5
kill -TERM $tuner
set +e; wait $tuner; rc=$?; set -e
expect_eq "$rc" 0 "the tuner's exit status after SIGTERM"
no_jobs_left
ld trials term --json > term.json
expect_eq "$(jq '[.trials[] | select(.state == "failed") | (.reason |
    startswith("interrupted: the tuner got SIGTERM")) and .requeued_as != null] | (length, all)' \
    term.json | tr '\n' ' ')" "2 true " "the interrupted trials"
expect_eq "$(jq '[.trials[] | select(.state == "queued")] | length' term.json)" 2 "re-queued"

# --- no Slurm here --------------------------------------------------------------------------
mkdir nobin
ln -s "$(command -v sh)" nobin/sh
expect_exit 2 env PATH="$PWD/nobin" "$LIANDAN" run pruned.yaml
expect_grep "pruned.yaml:7:1: executor: slurm needs Slurm's sbatch, which is not on PATH" err.txt
echo ok
