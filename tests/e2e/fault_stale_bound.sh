# How soon a dead tuner's trial is re-run, with the default grace period (60 s) and every tuner
# just started: on the same host a tuner's death is a fact (its pid is gone), so a survivor
# re-queues its trial within two heartbeats (4 s), not after a grace period of its own health.
. "$ROOT/tests/lib.sh"
unset LIANDAN_STALE_AFTER
cat > trial.sh <<'T'
echo "$LIANDAN_TRIAL" >> started.txt
sleep 2
echo "loss=1"
T
cat > sweep.yaml <<'Y'
name: bound
command: [sh, trial.sh]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
parallel: 1
budget: {trials: 4}
Y
"$LIANDAN" run sweep.yaml > victim.out 2> victim.err &
victim=$!
i=0
while [ ! -s started.txt ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
began=$(date +%s)
"$LIANDAN" run sweep.yaml > survivor.out 2> survivor.err &
survivor=$!
sleep 0.5
kill -9 $victim
wait $victim 2>/dev/null || true
wait $survivor || fail "the survivor failed: $(cat survivor.err)"
took=$(($(date +%s) - began))
# its own trials (2 s each) and the re-run: about 8 s; a grace period would be 60 s more
[ "$took" -lt 25 ] || fail "the survivor took $took s to finish the study"
expect_grep "marked stale and re-queued" survivor.err
ld trials bound --json > t.json
expect_eq "$(jq '[.trials[] | select(.requeued_as == null and .state == "complete")] | length' \
    t.json)" 4 "complete trials that count"
expect_eq "$(jq -r '.trials[0].reason' t.json | sed 's/pid [0-9]*/pid N/; s/ on [^)]*)/ on H)/')" \
    "stale: its tuner (pid N on H) died" "the dead tuner's trial"
echo ok
