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

# a command that does not exist: found before any trial (exit 2, no study created), with the
# file and line, the folder the path was taken from, and the sweep file's folder when it is there
cat > missing.yaml <<'Y'
name: missing
command: [./no-such-program, "${args}"]
method: random
metric: {name: loss}
parameters:
  x: {value: 1}
budget: {trials: 1}
Y
expect_exit 2 ld run missing.yaml
expect_grep "missing.yaml:2:11: the command's program './no-such-program' does not exist in $PWD" err.txt
ld status > status.txt
grep -q '^missing ' status.txt && fail "a study was created for a command that cannot run"
mkdir -p proj/sub && cp trial.sh proj/
sed -e 's/^name: failing$/name: elsewhere/' -e 's/^timeout: 1s$//' sweep.yaml > proj/sweep.yaml
top=$(pwd -P)
(cd proj/sub && expect_exit 2 ld run ../sweep.yaml &&
    expect_grep "the command's script 'trial.sh' does not exist in $top/proj/sub" err.txt &&
    expect_grep "it is in $top/proj, the sweep file's folder: run liandan there, or write \
../trial.sh" err.txt) || fail "a script next to the sweep, run from another folder"
printf 'echo loss=1\n' > noexec.sh && chmod -x noexec.sh
sed 's|./no-such-program|./noexec.sh|; s/^name: missing$/name: noexec/' missing.yaml > noexec.yaml
expect_exit 2 ld run noexec.yaml
expect_grep "'./noexec.sh' is not executable; chmod +x ./noexec.sh" err.txt
sed 's|./no-such-program|no-such-program-on-path|; s/^name: missing$/name: nopath/' missing.yaml \
    > nopath.yaml
expect_exit 2 ld run nopath.yaml
expect_grep "nopath.yaml:2:11: 'no-such-program-on-path' is not a program on PATH" err.txt

# a crashing trainer: the reason's first line, in the run's output and in trials, is the last
# meaningful line of its stderr (a traceback's exception), not "last output:"
cat > crash.sh <<'T'
echo "epoch=1 loss=0.9"
printf 'Traceback (most recent call last):\n  File "train.py", line 3\nValueError: bad lr %s\n\n' "$1" >&2
exit 1
T
cat > crash.yaml <<'Y'
name: crash
command: [sh, crash.sh, "${args}"]
method: random
metric: {name: loss}
parameters:
  lr: {min: 0.1, max: 0.2}
budget: {trials: 8}
Y
expect_exit 1 ld run crash.yaml
expect_grep "trial 0 failed .*: exit status 1: ValueError: bad lr --lr=0\.1" err.txt
ld trials crash > trials.txt
expect_grep "\[exit status 1: ValueError: bad lr --lr=0\.1[0-9]*\]" trials.txt
ld show crash 0 > show.txt
expect_grep "^Traceback (most recent call last):" show.txt
# ... and after 5 failures in a row (W&B's agent stops at 5 too) the run stops, saying why
expect_grep "stopping: the last 5 trials failed (the last one: exit status 1: ValueError" err.txt
expect_eq "$(ld status --json | jq '.studies[] | select(.name == "crash") | .trials')" 5 \
    "trials of a run stopped by max_failures"
sed 's/^name: crash$/name: crash2/; s/^budget: {trials: 8}$/budget: {trials: 4}\nmax_failures: 2/' \
    crash.yaml > crash2.yaml
expect_exit 1 ld run crash2.yaml
expect_eq "$(ld status --json | jq '.studies[] | select(.name == "crash2") | .trials')" 2 \
    "trials with max_failures: 2"
sed 's/^name: crash$/name: crash0/; s/^budget: {trials: 8}$/budget: {trials: 7}\nmax_failures: 0/' \
    crash.yaml > crash0.yaml
expect_exit 1 ld run crash0.yaml
expect_eq "$(ld status --json | jq '.studies[] | select(.name == "crash0") | .trials')" 7 \
    "trials with max_failures: 0"
grep -q "stopping:" err.txt && fail "max_failures: 0 stopped the run"

# a metric name the trainer never prints: the reason lists what it printed and the closest one
sed 's/^name: crash$/name: typo/; s/^metric: {name: loss}$/metric: {name: val_loss}/' crash.yaml \
    > typo.yaml
printf 'echo "epoch=1 loss=0.9 val_los=0.8"\n' > crash.sh
expect_exit 1 ld run typo.yaml
expect_grep "no metric 'val_loss' reported; the trial printed loss, val_los (did you mean 'val_los'?" \
    err.txt
echo ok
