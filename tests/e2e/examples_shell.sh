# examples/shell/sweep.yaml, the no-Python example users copy, runs as written (only the
# program path, the epochs and the per-epoch sleep changed): the trials finish and report
# val_acc per epoch, and train.sh's divergence is recorded as liandan's pruned state.
. "$ROOT/tests/lib.sh"
sed -e "s|program: examples/shell/train.sh|program: $ROOT/examples/shell/train.sh|" \
    -e 's/value: 8$/value: 2/' -e 's/--sleep=0.05/--sleep=0.01/' \
    "$ROOT/examples/shell/sweep.yaml" > sweep.yaml
grep -q "value: 2$" sweep.yaml && grep -q -- "--sleep=0.01" sweep.yaml && grep -q "$ROOT/examples" sweep.yaml \
    || fail "examples/shell/sweep.yaml changed shape; update the edits in this test"
expect_exit 0 ld run sweep.yaml --trials 3
expect_grep "3 trials (" out.txt
ld export shell-demo --format json > study.json
expect_eq "$(jq '.trials | length' study.json)" 3 "trials"
expect_eq "$(jq '[.trials[] | select(.state == "failed")] | length' study.json)" 0 "failed trials"
complete=$(jq '[.trials[] | select(.state == "complete")] | length' study.json)
[ "$complete" -ge 1 ] || fail "no trial completed: $(jq -c '[.trials[] | [.state, .reason]]' study.json)"
expect_eq "$(jq '[.trials[] | select(.state == "complete") | .metrics.val_acc | length] | unique' -c study.json)" "[2]" "val_acc per epoch"
expect_eq "$(jq '[.trials[] | select(.state == "complete") | .value == .metrics.val_acc[1][1]] | all' study.json)" true "value is the last val_acc"
expect_eq "$(jq '[.trials[] | select(.state == "pruned") | .reason | startswith("diverged")] | all' study.json)" true "only divergence prunes at 2 epochs"
[ "$(ld best shell-demo --json | jq '.value > 0 and .metric == "val_acc"')" = true ] || fail "best"
# a learning rate above 0.5 diverges: recorded pruned with the reason
cat > diverge.yaml <<Y
name: shell-diverge
command: [sh, "$ROOT/examples/shell/train.sh", "\${args}"]
method: grid
order: sequential
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {values: [0.003, 0.9]}
  epochs: {value: 2}
Y
expect_exit 0 ld run diverge.yaml
ld export shell-diverge --format json > d.json
expect_eq "$(jq -r '.trials[0].state' d.json)" complete "lr=0.003"
expect_eq "$(jq -r '.trials[1].state' d.json)" pruned "lr=0.9"
jq -r '.trials[1].reason' d.json | grep -q '^diverged' || fail "reason: $(jq -r '.trials[1].reason' d.json)"
# an unknown argument is a usage error of the script, not a metric
expect_exit 2 sh "$ROOT/examples/shell/train.sh" --nope=1
echo ok
