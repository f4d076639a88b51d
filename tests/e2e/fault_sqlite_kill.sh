# Four tuners on one SQLite journal; kill -9 two of them while their trials run. The survivors
# see on this host that those tuners died, mark their trials stale, stop the orphaned trial
# processes, re-run them, and finish the budget: nothing lost, nothing counted twice.
. "$ROOT/tests/lib.sh"
cat > trial.sh <<'T'
for a; do case $a in --x=*) x=${a#--x=};; esac; done
echo "$LIANDAN_TRIAL $$" >> started.txt
sleep 0.4
echo "loss=$x"
echo "$LIANDAN_TRIAL" >> finished.txt
T
cat > sweep.yaml <<'Y'
name: faults
command: [sh, trial.sh, "${args}"]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
parallel: 2
budget: {trials: 40}
seed: 5
Y
export LIANDAN_STALE_AFTER=3s
for i in 1 2 3 4; do
    "$LIANDAN" run sweep.yaml > "t$i.out" 2> "t$i.err" &
    eval "p$i=$!"
done
i=0
while [ "$(cat finished.txt 2>/dev/null | wc -l)" -lt 8 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 "$p1" "$p2"
wait "$p1" 2>/dev/null || true
wait "$p2" 2>/dev/null || true
wait "$p3" || fail "survivor 1 failed: $(cat t3.err)"
wait "$p4" || fail "survivor 2 failed: $(cat t4.err)"
# the trials the dead tuners left running: started in their output and never ended there
for i in 1 2; do
    sed -n 's/^trial \([0-9]*\) started.*/\1/p' "t$i.err" | sort > started$i.txt
    sed -n 's/^trial \([0-9]*\) \(complete\|pruned\|failed\).*/\1/p' "t$i.err" | sort > ended$i.txt
    comm -23 "started$i.txt" "ended$i.txt" > orphans$i.txt
    [ -s "orphans$i.txt" ] || fail "tuner $i ran no trial when it was killed"
done
cat orphans1.txt orphans2.txt | sort -n > orphans.txt
cat t3.err t4.err > survivors.err
expect_grep "marked stale and re-queued" survivors.err
ld trials faults --json > t.json
live='[.trials[] | select(.requeued_as == null)]'
expect_eq "$(jq "$live | length" t.json)" 40 "trials that count"
expect_eq "$(jq "$live | map(select(.state == \"complete\")) | length" t.json)" 40 "complete"
expect_eq "$(jq '[.trials[] | select(.state == "running")] | length' t.json)" 0 "left running"
expect_eq "$(jq '[.trials[].number] == [range(0; (.trials | length))]' t.json)" true "contiguous numbers"
# exactly the dead tuners' trials became stale, with the reason, and were re-queued
expect_eq "$(jq '.trials[] | select(.state == "failed") | .number' t.json | tr '\n' ' ')" "$(tr '\n' ' ' < orphans.txt)" "stale trials"
expect_eq "$(jq '[.trials[] | select(.state == "failed") | (.reason | test("^stale: its tuner [(]pid [0-9]+ on .*[)] died$")) and (.requeued_as != null)] | all' t.json)" true "stale reasons"
# each re-run carries its stale trial's params and completed; no trial finished twice
expect_eq "$(jq '[.trials[] as $t | select($t.retry_of != null) | .trials[$t.retry_of].params == $t.params and $t.state == "complete"] | all' t.json)" true "re-runs"
expect_eq "$(sort finished.txt | uniq -d | wc -l | tr -d ' ')" 0 "a trial finished twice"
# the orphaned trial processes of the dead tuners are gone
for n in $(jq '.trials[] | select(.state == "failed") | .number' t.json); do
    pid=$(awk -v n="$n" '$1 == n {print $2}' started.txt | tail -n 1)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then fail "trial $n (pid $pid) still runs"; fi
done
echo ok
