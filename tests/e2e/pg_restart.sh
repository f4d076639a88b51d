# The PostgreSQL server restarts (a fast shutdown cuts every session) while three tuners run:
# they reconnect and go on, or stop with a clear message; the budget ends complete and no trial
# or report is recorded twice.
. "$ROOT/tests/lib.sh"
[ -n "${LIANDAN_TEST_PG_DIR:-}" ] || fail "no PostgreSQL server of the tests: LIANDAN_TEST_PG_DIR is unset (tests/run.sh starts one)"
LIANDAN_STORAGE=$("$ROOT/tests/pg_server.sh" createdb "e2e_restart_$$")
export LIANDAN_STORAGE
cat > trial.sh <<'T'
for a; do case $a in --x=*) x=${a#--x=};; esac; done
echo "epoch=1 loss=$x"
sleep 0.3
echo "epoch=2 loss=$x"
echo "$LIANDAN_TRIAL" >> finished.txt
T
cat > sweep.yaml <<'Y'
name: restarts
command: [sh, trial.sh, "${args}"]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
parallel: 2
budget: {trials: 40}
seed: 9
Y
# after the restart a tuner waits one grace period before it judges other tuners' silence
export LIANDAN_STALE_AFTER=4s
for i in 1 2 3; do
    "$LIANDAN" run sweep.yaml > "t$i.out" 2> "t$i.err" &
    eval "p$i=$!"
done
i=0
while [ "$(cat finished.txt 2>/dev/null | wc -l)" -lt 8 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
"$ROOT/tests/pg_server.sh" restart "$LIANDAN_TEST_PG_DIR"
before=$(wc -l < finished.txt)
[ "$before" -lt 40 ] || fail "the budget was spent before the restart"
stopped=0
for i in 1 2 3; do
    eval "p=\$p$i"
    set +e; wait "$p"; rc=$?; set -e
    case $rc in
    0) ;;
    3) grep -q "connection to the server was lost" "t$i.err" || fail "tuner $i exited 3 without saying why: $(cat "t$i.err")"
       stopped=$((stopped + 1)) ;;
    *) fail "tuner $i exited $rc: $(cat "t$i.err")" ;;
    esac
done
echo "$stopped tuner(s) stopped at the restart"
# a tuner that stopped left its trials to be re-run by the next run; finish the budget
[ "$stopped" -eq 0 ] || expect_exit 0 ld run sweep.yaml
ld export restarts --format json > x.json
live='[.trials[] | select(.requeued_as == null)]'
expect_eq "$(jq "$live | length" x.json)" 40 "trials that count"
expect_eq "$(jq "$live | map(select(.state == \"complete\")) | length" x.json)" 40 "complete"
expect_eq "$(jq '[.trials[].number] == [range(0; (.trials | length))]' x.json)" true "contiguous numbers"
# every report once: each complete trial has loss at steps 1 and 2, exactly
expect_eq "$(jq '[.trials[] | select(.state == "complete") | .metrics.loss | map(.[0])] | map(. == [1, 2]) | all' x.json)" true "reports once"
expect_eq "$(sort finished.txt | uniq -d | wc -l | tr -d ' ')" 0 "a trial finished twice"
echo ok
