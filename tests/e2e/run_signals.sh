# SIGTERM (scancel, preemption, a time limit) and SIGUSR1 (Slurm's warning before a time limit)
# sent to a tuner, as a scheduler sends them. SIGTERM: the running trials get SIGTERM; one that
# still finishes within LIANDAN_TERM_GRACE counts, one that dies of it and one that ignores it
# (killed when the grace is over) are recorded interrupted and re-queued, and the budget stays
# exact. SIGUSR1: no new trial starts, the running ones finish, exit 0.
. "$ROOT/tests/lib.sh"
# kind=quick finishes 1 s after SIGTERM; kind=dies exits 143 on it (after saving a checkpoint);
# kind=stubborn ignores it. Every trial reports its objective on its first line.
cat > trial.sh <<'T'
for a; do case $a in --kind=*) kind=${a#--kind=};; esac; done
echo "$LIANDAN_TRIAL $kind" >> started.txt
echo "epoch=1 loss=1"
case $kind in
quick) trap 'echo "$LIANDAN_TRIAL" >> termed.txt; sleep 1; echo "epoch=2 loss=0.5"; exit 0' TERM ;;
dies) trap 'echo "$LIANDAN_TRIAL" >> termed.txt; mkdir -p "$LIANDAN_CHECKPOINT_DIR";
            echo saved > "$LIANDAN_CHECKPOINT_DIR/state"; exit 143' TERM ;;
stubborn) trap 'echo "$LIANDAN_TRIAL" >> termed.txt' TERM ;;
esac
[ -f "$LIANDAN_CHECKPOINT_DIR/state" ] && echo "$LIANDAN_TRIAL" >> resumed.txt
i=0
while [ $i -lt ${SECONDS_TO_RUN:-60} ]; do sleep 0.1; i=$((i + 1)); done
echo "epoch=2 loss=0.25"
T
cat > sweep.yaml <<'Y'
name: signals
command: [sh, trial.sh, "${args}"]
method: grid
metric: {name: loss}
parameters:
  kind: {values: [quick, dies, stubborn]}
parallel: 3
Y
wait_started() {
    i=0
    while [ "$(cat started.txt 2>/dev/null | wc -l)" -lt "$1" ] && [ $i -lt 100 ]; do
        sleep 0.1; i=$((i + 1))
    done
}
export LIANDAN_TERM_GRACE=2s
"$LIANDAN" run sweep.yaml > r1.out 2> r1.err &
tuner=$!
wait_started 3
sleep 0.3 # the traps are set
kill -TERM $tuner
set +e; wait $tuner; rc=$?; set -e
expect_eq "$rc" 0 "the tuner's exit status after SIGTERM"
expect_grep "SIGTERM: no new trial starts; 3 running trials got SIGTERM and have 2s to finish" r1.err
expect_eq "$(sort termed.txt | tr '\n' ' ')" "0 1 2 " "the trials that got SIGTERM"
ld trials signals --json > t1.json
kind_of() { jq -r ".trials[] | select(.params.kind == \"$1\" and .retry_of == null) | $2" t1.json; }
expect_eq "$(kind_of quick .state)" complete "a trial that finished within the grace"
expect_eq "$(kind_of quick .value)" 0.5 "its value"
expect_eq "$(kind_of dies .state)" failed "a trial that died of SIGTERM"
expect_eq "$(kind_of stubborn .state)" failed "a trial that ignored SIGTERM"
expect_eq "$(jq '[.trials[] | select(.state == "failed") | (.reason |
    startswith("interrupted: the tuner got SIGTERM")) and .requeued_as != null] | all' t1.json)" \
    true "interrupted and re-queued"
expect_eq "$(jq '[.trials[] | select(.state == "queued")] | length' t1.json)" 2 "re-queued trials"
grep -q "failed in this run" r1.err && { cat r1.err; fail "interrupted trials counted as failed"; }
expect_grep "^study signals: 5 trials (1 complete, 0 pruned, 0 failed, 2 interrupted, 2 queued)" \
    r1.out
# nothing of the stopped trials is left running
sleep 0.5
pgrep -f "sh trial.sh" >/dev/null && fail "a trial process outlived the tuner"

# The next run re-runs the two re-queued trials (the one that saved a checkpoint finds it) and the
# grid ends with three results, none counted twice.
SECONDS_TO_RUN=3 expect_exit 0 ld run sweep.yaml
ld trials signals --json > t2.json
expect_eq "$(jq -c '[.trials[] | select(.requeued_as == null)] | map(.state) | unique' t2.json)" \
    '["complete"]' "every trial that counts is complete"
expect_eq "$(jq '[.trials[] | select(.requeued_as == null)] | length' t2.json)" 3 "the grid's size"
expect_eq "$(cat resumed.txt | wc -l | tr -d ' ')" 1 "the re-run that found its checkpoint"
r=$(cat resumed.txt)
expect_eq "$(jq -r ".trials[$r].params.kind" t2.json)" dies "the resumed trial's kind"

# SIGUSR1 drains: the running trials finish, no new one starts, exit 0.
cat > drain.yaml <<'Y'
name: drain
command: [sh, trial.sh, --kind=quick]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
parallel: 2
budget: {trials: 6}
Y
rm -f started.txt
SECONDS_TO_RUN=15 "$LIANDAN" run drain.yaml > d.out 2> d.err &
tuner=$!
wait_started 2
kill -USR1 $tuner
set +e; wait $tuner; rc=$?; set -e
expect_eq "$rc" 0 "the tuner's exit status after SIGUSR1"
expect_grep "SIGUSR1: no new trial starts; finishing 2 running trials" d.err
ld trials drain --json > d.json
expect_eq "$(jq '.trials | map(.state)' d.json | tr -d ' \n')" '["complete","complete"]' \
    "the drained trials"
echo ok
