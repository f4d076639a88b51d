# Four tuners on one PostgreSQL study; two of them vanish while their trials run, as when a node
# dies: frozen, their trials moved to another host name (so that no process check on this host
# can help), then killed with their trials. The survivors notice the missing heartbeats, mark
# those trials stale and re-run them, and finish the budget: nothing lost, nothing twice.
. "$ROOT/tests/lib.sh"
[ -n "${LIANDAN_TEST_PG_URL:-}" ] || fail "no PostgreSQL server: LIANDAN_TEST_PG_URL is unset (tests/run.sh starts one)"
LIANDAN_STORAGE=$("$ROOT/tests/pg_server.sh" createdb "e2e_fault_$$")
export LIANDAN_STORAGE
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$LIANDAN_STORAGE" -c "$1"; }
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
kill -STOP "$p1" "$p2"
sql "UPDATE liandan_trials SET host = 'node-gone' WHERE state = 'running' AND tuner_pid IN ($p1, $p2)"
sql "SELECT number FROM liandan_trials WHERE host = 'node-gone' ORDER BY number" > orphans.txt
[ "$(wc -l < orphans.txt)" -ge 2 ] || fail "the frozen tuners ran fewer than 2 trials: $(cat orphans.txt)"
for pid in $(sql "SELECT pid FROM liandan_trials WHERE host = 'node-gone' AND pid IS NOT NULL"); do
    kill -9 -- "-$pid" 2>/dev/null || true
done
kill -9 "$p1" "$p2"
wait "$p1" 2>/dev/null || true
wait "$p2" 2>/dev/null || true
wait "$p3" || fail "survivor 1 failed: $(cat t3.err)"
wait "$p4" || fail "survivor 2 failed: $(cat t4.err)"
cat t3.err t4.err > survivors.err
expect_grep "marked stale and re-queued" survivors.err
ld trials faults --json > t.json
live='[.trials[] | select(.requeued_as == null)]'
expect_eq "$(jq "$live | length" t.json)" 40 "trials that count"
expect_eq "$(jq "$live | map(select(.state == \"complete\")) | length" t.json)" 40 "complete"
expect_eq "$(jq '[.trials[] | select(.state == "running")] | length' t.json)" 0 "left running"
expect_eq "$(jq '[.trials[].number] == [range(0; (.trials | length))]' t.json)" true "contiguous numbers"
expect_eq "$(jq '.trials[] | select(.state == "failed") | .number' t.json | tr '\n' ' ')" "$(tr '\n' ' ' < orphans.txt)" "stale trials"
expect_eq "$(jq '[.trials[] | select(.state == "failed") | (.reason | test("^stale: no heartbeat from its tuner [(]pid [0-9]+ on node-gone[)] for [0-9]+ s$")) and (.requeued_as != null)] | all' t.json)" true "stale reasons"
expect_eq "$(jq '[.trials[] as $t | select($t.retry_of != null) | .trials[$t.retry_of].params == $t.params and $t.state == "complete"] | all' t.json)" true "re-runs"
expect_eq "$(sort finished.txt | uniq -d | wc -l | tr -d ' ')" 0 "a trial finished twice"
echo ok
