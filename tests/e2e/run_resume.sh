# kill -9 of the tuner mid-run, then the same `liandan run` again: the dead tuner's running trials
# become stale and are re-run, nothing completed is lost or run twice, and the budget is exact.
. "$ROOT/tests/lib.sh"
cat > trial.sh <<'T'
for a; do case $a in --x=*) x=${a#--x=};; esac; done
echo "start $LIANDAN_TRIAL" >> started.txt
sleep 0.3
echo "loss=$x"
echo "$LIANDAN_TRIAL" >> finished.txt
T
cat > sweep.yaml <<'Y'
name: resumable
command: [sh, trial.sh, "${args}"]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
parallel: 2
budget: {trials: 12}
seed: 3
Y
"$LIANDAN" run sweep.yaml > run1.out 2> run1.err &
tuner=$!
# wait until some trials finished and two are running, then kill -9 the tuner
i=0
while [ "$(cat finished.txt 2>/dev/null | wc -l)" -lt 4 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.1
kill -9 $tuner
wait $tuner 2>/dev/null || true
before=$(ld trials resumable --json | jq '[.trials[] | select(.state == "complete")] | length')
[ "$before" -ge 4 ] || fail "expected at least 4 complete trials before the kill, got $before"
running=$(ld trials resumable --json | jq '[.trials[] | select(.state == "running")] | length')
[ "$running" -ge 1 ] || fail "expected running trials left behind by the dead tuner"
expect_exit 0 ld run sweep.yaml
expect_grep "marked stale and re-queued" err.txt
ld trials resumable --json > t.json
# exactly the budget of trials that count (not superseded), all complete
expect_eq "$(jq '[.trials[] | select(.requeued_as == null or .requeued_as < 0)] | length' t.json)" 12 "budget"
expect_eq "$(jq '[.trials[] | select(.state == "complete")] | length' t.json)" 12 "complete"
expect_eq "$(jq '[.trials[] | select(.state == "failed") | .reason | startswith("stale")] | all' t.json)" true "stale reason"
# no trial number completed twice, and numbers are contiguous
expect_eq "$(sort finished.txt | uniq -d | wc -l | tr -d ' ')" 0 "a trial finished twice"
expect_eq "$(jq '[.trials[].number] == [range(0; (.trials | length))]' t.json)" true "contiguous numbers"
# a re-run carries its stale trial's params
jq -c '.trials[] | select(.retry_of != null) | [.retry_of, .params.x]' t.json > reruns.txt
while read -r line; do
    old=$(echo "$line" | jq '.[0]'); x=$(echo "$line" | jq '.[1]')
    expect_eq "$(jq --argjson n "$old" '.trials[] | select(.number == $n) | .params.x' t.json)" "$x" "re-run params"
done < reruns.txt
echo ok
