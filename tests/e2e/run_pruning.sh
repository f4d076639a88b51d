# early_terminate stops hopeless trials: asha on the toy trainer cuts trials at rungs, the cut
# ones are recorded pruned with the step and the reason, and their process groups are gone.
. "$ROOT/tests/lib.sh"
cat > sweep.yaml <<Y
name: asha
command: ["$TOOLS/toy_train", "\${args}", --sleep=0.02]
method: random
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-4, max: 1.0}
  dropout: {min: 0.0, max: 0.7}
  optimizer: {values: [sgd, adam]}
  epochs: {value: 9}
early_terminate: {type: asha, min_iter: 1, max_iter: 9, eta: 3}
parallel: 2
budget: {trials: 12}
seed: 11
Y
expect_exit 0 ld run sweep.yaml
ld export asha --format json > s.json
pruned=$(jq '[.trials[] | select(.state == "pruned")] | length' s.json)
[ "$pruned" -ge 3 ] || fail "expected asha to prune at least 3 of 12 trials, pruned $pruned"
jq -r '.trials[] | select(.state == "pruned") | .reason' s.json | grep -v '^diverged' | \
    grep -q '^asha: val_acc=' || fail "asha reason missing"
# pruned trials stopped early: fewer epochs than the 9 of a complete one
expect_eq "$(jq '[.trials[] | select(.state == "pruned") | .metrics.val_acc | length < 9] | all' s.json)" true "pruned early"
expect_eq "$(jq '[.trials[] | select(.state == "complete") | .metrics.val_acc | length == 9] | all' s.json)" true "complete ran all epochs"
# the best trial is a complete one, and it beats every pruned trial's last value
best=$(jq '[.trials[] | select(.state == "complete") | .value] | max' s.json)
worst_cut=$(jq '[.trials[] | select(.state == "pruned" and .value != null) | .value] | max // 0' s.json)
awk -v b="$best" -v w="$worst_cut" 'BEGIN{exit !(b >= w)}' || fail "a pruned trial beat the best"

# median: with 5 startup trials, later bad trials are cut against the median
sed -e 's/name: asha/name: med/' -e 's/early_terminate: .*/early_terminate: {type: median, n_startup_trials: 4, n_warmup_steps: 2}/' sweep.yaml > med.yaml
expect_exit 0 ld run med.yaml
ld export med --format json > m.json
jq -r '.trials[] | select(.state == "pruned") | .reason' m.json | grep -q '^median: ' \
    || fail "median pruned nothing: $(jq -c '[.trials[] | [.state, .value]]' m.json)"

# a bad option is an input error with the place
cat > bad.yaml <<Y
name: bad
command: [sh, -c, "echo val_acc=1"]
method: random
metric: {name: val_acc, goal: maximize}
parameters:
  x: {value: 1}
early_terminate: {type: threshold}
Y
expect_exit 2 ld run bad.yaml
expect_grep "bad.yaml:7:18: early_terminate threshold needs 'lower' or 'upper'" err.txt

# Diverged trials (the toy trainer prints val_acc=nan when the learning rate is too high) are
# pruned without a value, and the model-based samplers count them as the worst loss: gp learns
# to leave the region. When they were ignored, gp proposed the diverging corner (lr = 1,
# dropout = 0.7) again and again: 36 of 40 trials diverged; now about 5 do.
for m in gp tpe; do
    cat > div-$m.yaml <<Y
name: div-$m
command: ["$TOOLS/toy_train", "\${args}", --sleep=0]
method: $m
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-4, max: 1.0}
  dropout: {min: 0.0, max: 0.7}
  optimizer: {values: [sgd, adam, rmsprop]}
  epochs: {value: 5}
parallel: 2
budget: {trials: 40}
seed: 7
Y
    expect_exit 0 ld run div-$m.yaml
    ld export div-$m --format json > div-$m.json
    n=$(jq '[.trials[] | select(.state == "pruned" and (.reason | startswith("diverged")))] | length' div-$m.json)
    [ "$n" -ge 1 ] && [ "$n" -le 12 ] || fail "$m: $n of 40 trials diverged (expected 1..12)"
done

# ASHA's verdict, then a NaN before the signal lands: the journal says diverged (so the trial
# counts as the worst loss), never a pruner's reason without a value. When it said "asha: ..."
# the trial counted as nothing and gp proposed the same diverging point 7 times in a row.
sed -e 's/^name: div-gp/name: race/' -e 's/^parallel: 2/early_terminate: {type: asha, min_iter: 1, max_iter: 9, eta: 3}\nparallel: 2/' \
    -e 's/epochs: {value: 5}/epochs: {value: 9}/' div-gp.yaml > race.yaml
expect_exit 0 ld run race.yaml
ld export race --format json > race.json
bad=$(jq -c '[.trials[] | select(.state == "pruned" and .value == null and
      (.reason | startswith("diverged") | not)) | {number, reason}]' race.json)
expect_eq "$bad" "[]" "pruned trials without a value that are not marked diverged"
unique=$(jq '[.trials[] | .params | tostring] | unique | length' race.json)
[ "$unique" -ge 38 ] || fail "gp repeated itself: $unique distinct configurations of 40"
echo ok
