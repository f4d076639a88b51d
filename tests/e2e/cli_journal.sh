# The journal commands: status, trials, show, best, note, stop, and ask/report/tell from a script.
. "$ROOT/tests/lib.sh"
cat > trial.sh <<'T'
for a; do case $a in --x=*) x=${a#--x=};; esac; done
i=1
while [ $i -le 3 ]; do echo "epoch=$i val_acc=0.$((x + i))"; i=$((i + 1)); done
echo "done training" >&2
T
cat > sweep.yaml <<'Y'
name: journal
description: testing the journal
command: [sh, trial.sh, "${args}"]
method: grid
order: sequential
metric: {name: val_acc, goal: maximize, summary: best}
parameters:
  x: {values: [1, 5, 3]}
Y
expect_exit 0 ld run sweep.yaml
expect_exit 0 ld status
expect_grep "journal" out.txt
expect_exit 0 ld trials journal
expect_grep "complete" out.txt
# --limit N: the last N trials, by number, after the state filter
expect_exit 0 ld trials journal --limit 2
expect_eq "$(awk 'NR > 1 { print $1 }' out.txt | tr '\n' ' ')" "1 2 " "trials --limit 2"
expect_grep "^TRIAL" out.txt
expect_exit 0 ld trials journal --limit 1 --json
expect_eq "$(jq -c '[.trials[].number]' out.txt)" "[2]" "trials --limit 1 --json"
expect_exit 0 ld trials journal --limit 99 --state complete
expect_eq "$(awk 'NR > 1' out.txt | wc -l | tr -d ' ')" 3 "trials --limit beyond the study"
expect_exit 2 ld trials journal --limit 0
expect_grep "limit takes a number" err.txt
expect_exit 0 ld best journal --json
expect_eq "$(jq -c '[.trial, .value, .params.x]' out.txt)" "[1,0.8,5]" "best"
expect_exit 0 ld show journal 1
expect_grep "x = 5" out.txt
expect_grep "val_acc" out.txt
expect_grep "done training" out.txt
expect_exit 0 ld show journal 1 --json
expect_eq "$(jq -c '.metrics.val_acc' out.txt)" "[[1,0.6],[2,0.7],[3,0.8]]" "series"
expect_exit 2 ld show journal 99
expect_exit 2 ld show journal abc
# notes: the three questions of an experiment
expect_exit 0 ld note journal --conclusion "x=5 wins" --next "try x=7"
expect_exit 0 ld status --json
expect_eq "$(jq -r '.studies[0].conclusion' out.txt)" "x=5 wins" "conclusion"
expect_eq "$(jq -r '.studies[0].next' out.txt)" "try x=7" "next"
expect_eq "$(jq -r '.studies[0].description' out.txt)" "testing the journal" "why"
expect_exit 0 ld note journal --why "a better why"
expect_grep "a better why" out.txt

# ask / report / tell from a script
cat > manual.yaml <<'Y'
name: manual
method: random
metric: {name: loss}
parameters:
  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
budget: {trials: 2}
seed: 5
Y
expect_exit 0 ld ask --sweep manual.yaml
expect_eq "$(jq '.trial' out.txt)" 0 "first asked trial"
expect_exit 0 ld record manual 0 loss=0.5 --step 1
expect_eq "$(cat out.txt)" "stop=0" "no stop"
expect_exit 0 ld report manual 0 loss=nan --step 2
expect_eq "$(cat out.txt)" "stop=1" "nan means stop"
expect_exit 0 ld tell manual 0 --state pruned --reason "diverged"
expect_exit 0 ld ask manual
expect_exit 0 ld report manual 1 loss=0.25
expect_exit 0 ld tell manual 1
expect_exit 2 ld ask manual
expect_grep "spent its budget" err.txt
expect_exit 0 ld best manual --json
expect_eq "$(jq '.value' out.txt)" 0.25 "told value"
expect_exit 2 ld tell manual 1 --value 3
expect_grep "not running" err.txt

# stop by hand: a long trial is stopped from another terminal and recorded pruned
cat > long.sh <<'T'
i=1; while [ $i -le 300 ]; do echo "epoch=$i loss=1"; sleep 0.1; i=$((i + 1)); done
T
cat > long.yaml <<'Y'
name: long
command: [sh, long.sh]
method: random
metric: {name: loss}
parameters:
  x: {value: 1}
budget: {trials: 1}
Y
"$LIANDAN" run long.yaml > run.out 2> run.err &
tuner=$!
i=0
# (jq 1.6 -e exits 0 on empty input, so the answer is compared, not jq's status)
until [ "$(ld trials long --json 2>/dev/null | jq -r '.trials[0].state')" = running ]; do
    sleep 0.1; i=$((i + 1)); [ $i -lt 100 ] || fail "trial never started"
done
expect_exit 0 ld stop long 0
wait $tuner || true
ld trials long --json > l.json
expect_eq "$(jq -r '.trials[0].state' l.json)" pruned "stopped trial state"
expect_eq "$(jq -r '.trials[0].reason' l.json)" "stopped by hand" "stopped trial reason"
expect_exit 2 ld stop long 0
echo ok
