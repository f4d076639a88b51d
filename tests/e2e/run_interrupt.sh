# Ctrl-C once: no new trial starts and the running ones finish. Twice: the running ones are
# stopped, recorded interrupted and re-queued, and the next run finishes the budget.
. "$ROOT/tests/lib.sh"
cat > trial.sh <<'T'
echo "$LIANDAN_TRIAL" >> started.txt
sleep 1
echo "loss=1"
T
cat > sweep.yaml <<'Y'
name: ctrlc
command: [sh, trial.sh]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
parallel: 2
budget: {trials: 6}
Y
"$LIANDAN" run sweep.yaml > r1.out 2> r1.err &
tuner=$!
i=0
while [ "$(cat started.txt 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $tuner
wait $tuner || true
ld trials ctrlc --json > t1.json
expect_eq "$(jq '[.trials[] | select(.state == "complete")] | length' t1.json)" 2 "drained trials completed"
expect_eq "$(jq '.trials | length' t1.json)" 2 "no new trial after one Ctrl-C"
expect_grep "Ctrl-C: no new trial starts; finishing 2 running trials (Ctrl-C again stops them" \
    r1.err

"$LIANDAN" run sweep.yaml > r2.out 2> r2.err &
tuner=$!
i=0
while [ "$(cat started.txt 2>/dev/null | wc -l)" -lt 4 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $tuner; sleep 0.1; kill -INT $tuner
wait $tuner || true
ld trials ctrlc --json > t2.json
expect_eq "$(jq '[.trials[] | select(.state == "running")] | length' t2.json)" 0 "nothing left running"
jq -r '.trials[] | select(.state == "failed") | .reason' t2.json | grep -q "^interrupted" \
    || fail "interrupted reason missing"
# (one of the two may end by itself between the presses on a loaded machine)
expect_grep "Ctrl-C again: stopping [12] running trials*; re-queued for the next run" r2.err
# the interrupted trials did not fail: the run does not count them so
grep -q "failed in this run" r2.err && { cat r2.err; fail "interrupted trials counted failed"; }
k=$(jq '[.trials[] | select(.state == "failed")] | length' t2.json)
c=$(jq '[.trials[] | select(.state == "complete")] | length' t2.json)
q=$(jq '[.trials[] | select(.state == "queued")] | length' t2.json)
expect_grep "^study ctrlc: $((c + k + q)) trials ($c complete, 0 pruned, 0 failed, $k interrupted, \
$q queued)" r2.out
# status counts them apart too, in text (FAILED leaves them out) and in --json (a subset of failed)
ld status --json > s2.json
expect_eq "$(jq '.studies[0].interrupted' s2.json)" "$k" "status --json interrupted"
expect_eq "$(jq '.studies[0].failed' s2.json)" "$k" "status --json failed keeps every failed state"
ld status > s2.txt
expect_grep "^STUDY  *TRIALS  *DONE  *PRUNED  *FAILED  *INTR  *QUEUED  *RUN " s2.txt
expect_grep "^ctrlc  *$((c + k + q))  *$c  *0  *0  *$k  *$q  *0 " s2.txt
expect_exit 0 ld run sweep.yaml
ld trials ctrlc --json > t3.json
expect_eq "$(jq '[.trials[] | select(.state == "complete")] | length' t3.json)" 6 "budget finished"
echo ok
