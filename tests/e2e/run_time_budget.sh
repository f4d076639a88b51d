# budget.time: no trial starts that cannot finish within it, judged by the mean duration of the
# study's complete trials, so the run ends within its budget instead of one trial past it.
. "$ROOT/tests/lib.sh"
cat > trial.sh <<'T'
sleep 2
echo "loss=1"
T
cat > sweep.yaml <<'Y'
name: timed
command: [sh, trial.sh]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
budget: {time: 5s}
Y
began=$(date +%s)
expect_exit 0 ld run sweep.yaml
took=$(($(date +%s) - began))
# trials at 0 s and 2 s; at 4 s one more would end at 6 s, past the budget
expect_grep "^liandan: time budget: [01] s left, and a trial takes about 2 s (the mean of 2 complete \
trials): no new trial starts$" err.txt
expect_eq "$(ld trials timed --json | jq '.trials | length')" 2 "trials started"
[ "$took" -le 5 ] || fail "the run took $took s with a 5 s budget"
# a resumed run knows at once what a trial takes: 3 s leave room for one trial, not two
expect_exit 0 ld run sweep.yaml --time 3s
expect_eq "$(ld trials timed --json | jq '.trials | length')" 3 "trials after the second run"
expect_grep "time budget: [01] s left, and a trial takes about 2 s (the mean of 3 complete trials)" \
    err.txt
echo ok
