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

# Hyperband as W&B users write it (min_iter, eta; no max_iter) on a grid whose trials run 9
# epochs: the epochs parameter gives the brackets (rungs 1, 3 | 3 | none), two tuners share the
# study, each trial's bracket is its number's place in the 17-trial deal (9, 5, 3), a trial is
# cut only at a rung of its bracket (the epoch its reason names: a slow machine may print an
# epoch more before the signal lands), never at its last epoch, and every complete trial ran 9.
cat > hb.yaml <<Y
name: hb
command: ["$TOOLS/toy_train", "\${args}", --sleep=0.01]
method: grid
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {values: [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03]}
  dropout: {values: [0.0, 0.2, 0.4, 0.6, 0.7, 0.1]}
  epochs: {value: 9}
early_terminate: {type: hyperband, min_iter: 1, eta: 3}
parallel: 2
seed: 4
Y
"$LIANDAN" run hb.yaml > hb1.out 2> hb1.err &
first=$!
"$LIANDAN" run hb.yaml > hb2.out 2> hb2.err || fail "second tuner: $(cat hb2.err)"
wait $first || fail "first tuner: $(cat hb1.err)"
ld export hb --format json > hb.json
expect_eq "$(jq '.trials | length' hb.json)" 36 "grid points run"
expect_eq "$(jq '[.trials[] | .params | tostring] | unique | length' hb.json)" 36 "each point once"
# the deal, by smooth weighted round-robin over the weights 9, 5, 3
deal=$(awk 'BEGIN { w[0] = 9; w[1] = 5; w[2] = 3
    for (t = 0; t < 17; t++) { p = 0
        for (b = 0; b < 3; b++) { c[b] += w[b]; if (c[b] > c[p]) p = b }
        c[p] -= 17; printf "%s%d", t ? "," : "", p } }')
jq -r --argjson deal "[$deal]" '.trials[] | select(.state == "pruned" and
        (.reason | startswith("hyperband"))) |
    [.number, $deal[.number % 17], (.reason | capture("bracket (?<b>[0-9]+)").b),
     (.reason | capture(" at epoch (?<e>[0-9]+) ").e)] | @tsv' hb.json > cuts.tsv
[ -s cuts.tsv ] || fail "hyperband cut nothing: $(jq -c '[.trials[] | [.number, .state]]' hb.json)"
awk -F'\t' '$2 != $3 { print "trial " $1 ": bracket " $3 ", dealt to " $2; bad = 1 }
    $2 == 2 { print "trial " $1 ": cut in the bracket that never cuts"; bad = 1 }
    $2 == 0 && $4 != 1 && $4 != 3 { print "trial " $1 ": cut at " $4 ", not at rung 1 or 3"; bad = 1 }
    $2 == 1 && $4 != 3 { print "trial " $1 ": cut at " $4 ", not at rung 3"; bad = 1 }
    END { exit bad }' cuts.tsv || fail "bracket bookkeeping"
expect_eq "$(jq '[.trials[] | select(.state == "complete") | .metrics.val_acc | length == 9] | all' hb.json)" true "complete ran all 9 epochs"
expect_eq "$(jq '[.trials[] | select(.state == "pruned" and (.reason | startswith("hyperband"))) | .reason | capture(" at epoch (?<e>[0-9]+) ").e | tonumber < 9] | all' hb.json)" true "no cut at the last epoch"
epochs=$(jq '[.trials[] | .metrics.val_acc | length] | add' hb.json)
[ "$epochs" -lt 324 ] || fail "hyperband saved no epoch ($epochs of 324)"

# median: with 5 startup trials, later bad trials are cut against the median
sed -e 's/name: asha/name: med/' -e 's/early_terminate: .*/early_terminate: {type: median, n_startup_trials: 4, n_warmup_steps: 2}/' sweep.yaml > med.yaml
expect_exit 0 ld run med.yaml
ld export med --format json > m.json
jq -r '.trials[] | select(.state == "pruned") | .reason' m.json | grep -q '^median: ' \
    || fail "median pruned nothing: $(jq -c '[.trials[] | [.state, .value]]' m.json)"

# plateau: a run whose val_acc gains less than min_delta in `patience` epochs stops, on its own
# curve (no other trial needed); the reason names where its best was. A run that stopped
# learning has finished, as with a trainer's own early-stopping callback: it is complete, with
# its value (the metric's summary, here the last), so that a best run stopped on its plateau stays the study's best
sed -e 's/name: asha/name: flat/' -e 's/epochs: {value: 9}/epochs: {value: 30}/' \
    -e 's/early_terminate: .*/early_terminate: {type: plateau, patience: 3, min_delta: 0.002}/' \
    -e 's/budget: {trials: 12}/budget: {trials: 8}/' -e 's/seed: 11/seed: 3/' sweep.yaml > flat.yaml
expect_exit 0 ld run flat.yaml
ld export flat --format json > f.json
jq -r '.trials[] | select(.state == "complete") | .reason // empty' f.json | grep -q '^plateau: best val_acc=.* at epoch [0-9]*, and no gain of 0.002 or more in the 3 epochs since' \
    || fail "plateau stopped nothing: $(jq -c '[.trials[] | [.state, .reason]]' f.json)"
expect_eq "$(jq '[.trials[] | select(.reason // "" | startswith("plateau")) | .metrics.val_acc | length < 30] | all' f.json)" true "plateau stops early"
expect_eq "$(jq '[.trials[] | select(.reason // "" | startswith("plateau")) | .state == "complete" and .value == .metrics.val_acc[-1][1]] | all' f.json)" true "a plateau-stopped trial is complete with its value (summary: last)"

# overfit: the toy trainer without dropout overfits after about 15 epochs (val_loss rises while
# train_loss still falls): stopped there, complete with its best val_acc (summary: best) and the
# rule's reason (the trainer sleeps between epochs so that the stop lands before it ends by itself)
cat > over.yaml <<Y
name: over
command: ["$TOOLS/toy_train", "\${args}", --sleep=0.05]
method: random
metric: {name: val_acc, goal: maximize, summary: best}
parameters:
  lr: {value: 0.003}
  dropout: {value: 0.0}
  optimizer: {value: adam}
  epochs: {value: 30}
early_terminate: {type: overfit, patience: 3}
budget: {trials: 1}
Y
expect_exit 0 ld run over.yaml
ld export over --format json > o.json
expect_eq "$(jq -r '.trials[0].state' o.json)" complete "overfitting trial"
expect_eq "$(jq '.trials[0].value == ([.trials[0].metrics.val_acc[][1]] | max)' o.json)" true \
    "the overfitting trial's value is its best val_acc"
jq -r '.trials[0].reason' o.json | grep -q '^overfit: val_loss rose from .* over the 3 epochs to epoch [0-9]* while train_loss fell from' \
    || fail "overfit reason: $(jq -r '.trials[0].reason' o.json)"
[ "$(jq '.trials[0].metrics.val_acc | length' o.json)" -lt 30 ] || fail "overfit did not stop early"

# curve: a trial whose optimistic extrapolation to epoch 30 cannot reach the best complete
# trial's final value stops, and the reason says where its curve was going
sed -e 's/^name: flat/name: cv/' -e 's/early_terminate: .*/early_terminate: {type: curve, n_startup_trials: 3}/' \
    -e 's/budget: {trials: 8}/budget: {trials: 16}/' flat.yaml > cv.yaml
expect_exit 0 ld run cv.yaml
ld export cv --format json > cv.json
jq -r '.trials[] | select(.state == "pruned") | .reason' cv.json | \
    grep -q '^curve: val_acc=.* at epoch [0-9]* extrapolates (.*, optimistic) to .* at epoch 30, short of the best 1 final value' \
    || fail "curve stopped nothing: $(jq -c '[.trials[] | [.state, .reason]]' cv.json)"
best=$(jq '[.trials[] | select(.state == "complete") | .value] | max' cv.json)
worst_cut=$(jq '[.trials[] | select(.state == "pruned") | .value] | max' cv.json)
awk -v b="$best" -v w="$worst_cut" 'BEGIN{exit !(b > w)}' || fail "a curve-pruned trial beat the best"

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

# A resumed tuner's pruner judges with the whole history: the first run's five complete trials
# (median's n_startup_trials) are in every verdict of the second run, which reads them afresh.
cat > resume.yaml <<Y
name: resumed
command: ["$TOOLS/toy_train", "\${args}"]
method: random
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-5, max: 0.1}
  dropout: {min: 0.0, max: 0.7}
  epochs: {value: 6}
early_terminate: {type: median, n_startup_trials: 5}
seed: 3
Y
expect_exit 0 ld run resume.yaml --trials 5
expect_exit 0 ld run resume.yaml --trials 25
ld export resumed --format json > resumed.json
expect_eq "$(jq '[.trials[] | select(.number < 5) | .state == "complete"] | all' resumed.json)" true \
    "the first run's trials complete"
jq -r '.trials[] | select(.state == "pruned") | .reason' resumed.json | grep '^median' > cuts.txt ||
    fail "the resumed run pruned nothing"
# "... the median M of K complete trials at that step": K counts the first run's five too
awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "complete") k = $i; if (k < 5) bad = 1 }
     END { exit bad }' cuts.txt || fail "a verdict saw fewer than the first run's 5 trials: $(cat cuts.txt)"
echo ok
