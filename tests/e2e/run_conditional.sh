# Conditional parameters through `liandan run`: a parameter whose `when` fails is left out of
# the trial's command line and its record, and the parameters after it keep their own values.
# Storage keeps only the active parameters, so a trial read back is shorter than the sweep; the
# command line, the samplers and refine must find each parameter by name (once they took the
# k-th stored value for the k-th parameter: adam trials ran with --momentum=6 --epochs=None).
. "$ROOT/tests/lib.sh"
for m in random bayes; do
    cat > cond-$m.yaml <<Y
name: cond-$m
command: ["$TOOLS/toy_train", "\${args}", --sleep=0]
method: $m
metric: {name: val_acc, goal: maximize}
parameters:
  optimizer: {values: [sgd, adam]}
  momentum: {min: 0.0, max: 0.99, when: {optimizer: sgd}}
  lr: {distribution: log_uniform_values, min: 1e-4, max: 0.1}
  epochs: {value: 4}
parallel: 2
budget: {trials: 20}
seed: 8
Y
    expect_exit 0 ld run cond-$m.yaml
    ld export cond-$m --format json > $m.json
    expect_eq "$(jq '[.trials[] | select(.state == "failed")] | length' $m.json)" 0 "$m: failed trials"
    expect_eq "$(jq '[.trials[] | select(.params.optimizer == "adam" and (.params | has("momentum")))] | length' $m.json)" \
        0 "$m: adam trials with a momentum"
    expect_eq "$(jq '[.trials[] | select(.params.optimizer == "sgd" and (.params | has("momentum") | not))] | length' $m.json)" \
        0 "$m: sgd trials without a momentum"
    expect_eq "$(jq '[.trials[] | select(.params.epochs != 4)] | length' $m.json)" 0 "$m: epochs kept"
    expect_eq "$(jq '[.trials[] | .params.optimizer] | unique' -c $m.json)" '["adam","sgd"]' "$m: both optimizers"
    # CSV: one column per parameter, in the sweep's order, empty where it was inactive
    ld export cond-$m --format csv > $m.csv
    expect_eq "$(head -1 $m.csv)" "number,state,value,optimizer,momentum,lr,epochs,duration,started,finished,exit,reason" "$m: csv header"
    expect_eq "$(awk -F, 'NR > 1 && $4 == "adam" && $5 != ""' $m.csv | wc -l)" 0 "$m: csv momentum of adam trials"
done
# refine keeps the conditional parameter and its condition, from trials of both kinds
expect_exit 0 ld refine cond-bayes --top 6 -o fine.yaml
expect_grep "Refines 'cond-bayes' around its best 6 of 20 complete trials" fine.yaml
grep -q "lr: {distribution: \"log_uniform_values\"" fine.yaml || fail "refine lost lr: $(cat fine.yaml)"
echo ok
