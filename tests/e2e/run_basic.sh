# A random sweep of a shell trial, parallel 2: the journal holds exactly what the trials printed.
. "$ROOT/tests/lib.sh"
write_quadratic_trial
cat > sweep.yaml <<'Y'
name: quad
description: does x near 0.3 win?
command: [sh, trial.sh, "${args}"]
method: random
metric: {name: loss, goal: minimize}
parameters:
  x: {min: 0.0, max: 1.0}
  y: {values: [a, b]}
parallel: 2
budget: {trials: 10}
seed: 1
Y
expect_exit 0 ld run sweep.yaml
expect_grep "10 trials (10 complete" out.txt
expect_eq "$(wc -l < printed.txt | tr -d ' ')" 10 "trials printed"
# best = the smallest loss any trial printed
want=$(sort -k4 -g printed.txt | head -n1 | awk '{print $4+0}')
ld best quad --json > best.json
expect_eq "$(jq '.value' best.json | awk '{print $1+0}')" "$want" "best value"
expect_eq "$(jq -r '.study' best.json)" quad "best study"
# every trial's exported value equals what it printed, keyed by trial number
ld export quad --format csv -o trials.csv
expect_eq "$(head -n1 trials.csv)" "number,state,value,x,y,duration,started,finished,exit,reason" "csv header"
tail -n +2 trials.csv | awk -F, '{print $1, $4, $5, $3+0}' | sort -n > exported.txt
awk '{print $1, $2+0, $3, $4+0}' printed.txt | sort -n > printed_sorted.txt
awk '{print $1, $2+0, $3, $4+0}' exported.txt > exported_norm.txt
diff printed_sorted.txt exported_norm.txt || fail "exported CSV differs from what the trials printed"
# the JSON export has every metric series and the documented fields
ld export quad --format json > study.json
expect_eq "$(jq '.trials | length' study.json)" 10 "json trials"
expect_eq "$(jq -r '.metric.goal' study.json)" minimize "json goal"
expect_eq "$(jq -r '.description' study.json)" "does x near 0.3 win?" "json description"
expect_eq "$(jq '[.trials[] | .metrics.loss | length] | unique' -c study.json)" "[2]" "loss series"
expect_eq "$(jq '.trials[0].metrics.loss[1][0]' study.json)" 2 "step of the second report"
expect_eq "$(jq '[.trials[] | .metrics | has("epoch")] | any' study.json)" false "step key not a series"
expect_eq "$(jq -r '.trials[0].state' study.json)" complete "state"
expect_eq "$(jq '.trials[0].exit' study.json)" 0 "exit"
# logs kept beside the database, with the non-metric lines
expect_grep "not a metric" "$(jq -r '.trials[0].log' study.json)"
# status --json in the documented form
ld status --json > status.json
expect_eq "$(jq -r '.studies[0].name' status.json)" quad "status name"
expect_eq "$(jq '.studies[0].complete' status.json)" 10 "status complete"
# running the same sweep again: the budget is spent, nothing new runs
expect_exit 0 ld run sweep.yaml
expect_eq "$(wc -l < printed.txt | tr -d ' ')" 10 "no trial ran twice"
# --trials raises the budget and the study continues where it stood
expect_exit 0 ld run sweep.yaml --trials 12
expect_eq "$(ld trials quad --json | jq '.trials | length')" 12 "resumed to 12"
# the same seed gives the same parameters in a new study
expect_exit 0 ld run sweep.yaml --name quad2 --trials 3
ld trials quad --json | jq -c '[.trials[:3][] | .params]' > a.json
ld trials quad2 --json | jq -c '[.trials[] | .params]' > b.json
diff a.json b.json || fail "same seed, different params"
echo ok
