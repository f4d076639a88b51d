# Trials that crash, exit non-zero, time out, print no metric, or cannot start: each is failed
# with its reason; retries re-queue; the run exits 1.
. "$ROOT/tests/lib.sh"
cat > trial.sh <<'T'
for a; do case $a in --mode=*) mode=${a#--mode=};; esac; done
echo "epoch=1 loss=1.0"
case $mode in
  ok) echo "epoch=2 loss=0.5" ;;
  exit3) echo "out of memory, giving up" >&2; exit 3 ;;
  segv) kill -SEGV $$ ;;
  sleep) exec sleep 30 ;;
  nometric) echo "done" ;;
esac
T
sed -i 's/echo "epoch=1 loss=1.0"/[ "$mode" = nometric ] || echo "epoch=1 loss=1.0"/' trial.sh
cat > sweep.yaml <<'Y'
name: failing
command: [sh, trial.sh, "${args}"]
method: grid
order: sequential
metric: {name: loss}
parameters:
  mode: {values: [ok, exit3, segv, sleep, nometric]}
parallel: 2
timeout: 1s
Y
expect_exit 1 ld run sweep.yaml
expect_grep "4 trial(s) failed" err.txt
ld export failing --format json > s.json
reason() { jq -r --arg m "$1" '.trials[] | select(.params.mode == $m) | .reason' s.json; }
state() { jq -r --arg m "$1" '.trials[] | select(.params.mode == $m) | .state' s.json; }
expect_eq "$(state ok)" complete "ok state"
expect_eq "$(state exit3)" failed "exit3 state"
reason exit3 | grep -q "exit status 3" || fail "exit3 reason: $(reason exit3)"
reason exit3 | grep -q "out of memory, giving up" || fail "exit3 reason lacks stderr tail"
reason segv | grep -q "killed by signal 11" || fail "segv reason: $(reason segv)"
reason sleep | grep -q "timeout" || fail "timeout reason: $(reason sleep)"
reason nometric | grep -q "no metric 'loss'" || fail "nometric reason: $(reason nometric)"
expect_eq "$(jq '.trials[] | select(.params.mode == "exit3") | .exit' s.json)" 3 "exit code recorded"
expect_eq "$(jq '.trials[] | select(.params.mode == "segv") | .signal' s.json)" 11 "signal recorded"
# the timed-out trial's whole process group is gone
sleep 0.2
if pgrep -f "sleep 30" >/dev/null 2>&1; then
    pgrep -af "sleep 30" | grep -q "$PWD" && fail "the timed-out trial still runs"
fi

# retries: a trial that fails once then succeeds (a marker file) is re-queued and completes
cat > flaky.sh <<'T'
if [ -e flaked ]; then echo "loss=0.25"; else : > flaked; exit 1; fi
T
cat > retry.yaml <<'Y'
name: flaky
command: [sh, flaky.sh]
method: random
metric: {name: loss}
parameters:
  x: {value: 1}
budget: {trials: 1}
retries: 2
Y
expect_exit 1 ld run retry.yaml
ld trials flaky --json > f.json
expect_eq "$(jq -c '[.trials[] | .state]' f.json)" '["failed","complete"]' "retry states"
expect_eq "$(jq '.trials[1].retry_of' f.json)" 0 "retry_of"

# a command that does not exist
cat > missing.yaml <<'Y'
name: missing
command: [./no-such-program, "${args}"]
method: random
metric: {name: loss}
parameters:
  x: {value: 1}
budget: {trials: 1}
Y
expect_exit 1 ld run missing.yaml
ld trials missing --json | jq -r '.trials[0].reason' | grep -q "No such file" \
    || fail "missing program reason"
echo ok
