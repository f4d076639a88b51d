# Coarse to fine: refine writes a narrower sweep around the best trials (log stays log, losing
# categories dropped, unimportant parameters frozen) that runs as a child study.
. "$ROOT/tests/lib.sh"
write_quadratic_trial
cat > coarse.yaml <<'Y'
name: coarse
description: where is the minimum?
command: [sh, trial.sh, "${args}"]
method: sobol
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
  y: {values: [a, b]}
  lr: {distribution: log_uniform_values, min: 0.0001, max: 1.0}
  layers: {min: 1, max: 8}
  act: {values: [relu, tanh]}
  epochs: {value: 3}
budget: {trials: 40}
seed: 9
Y
expect_exit 0 ld run coarse.yaml
expect_exit 0 ld refine coarse --top 5 -o fine.yaml
cat fine.yaml
grep -q '^name: "coarse-fine"$' fine.yaml || fail "child name"
grep -q '^parent: "coarse"$' fine.yaml || fail "parent"
grep -q "Refines 'coarse' around its best 5 of 40 complete trials" fine.yaml || fail "description"
grep -q 'y: {values: \["b"\]}' fine.yaml || fail "category a should be dropped"
grep -q 'epochs: {value: 3}' fine.yaml || fail "constant kept"
# x narrowed around 0.3 within [0, 1]
xmin=$(sed -n 's/.*x: {distribution: "uniform", min: \([^,]*\), max: \([^}]*\)}.*/\1/p' fine.yaml)
xmax=$(sed -n 's/.*x: {distribution: "uniform", min: \([^,]*\), max: \([^}]*\)}.*/\2/p' fine.yaml)
awk -v a="$xmin" -v b="$xmax" 'BEGIN{exit !(a >= 0 && a < 0.3 && b > 0.3 && b < 0.8 && b - a < 0.7)}' \
    || fail "x not narrowed around 0.3: [$xmin, $xmax]"
# lr and layers do not matter: frozen at the best trial's values
best=$(ld best coarse --json)
grep -q "lr: {value: $(echo "$best" | jq '.params.lr')}" fine.yaml || fail "lr not frozen at best"
grep -q "layers: {value: $(echo "$best" | jq '.params.layers')}" fine.yaml || fail "layers not frozen"
grep -q "frozen at the best value for low importance: lr, layers" fine.yaml || fail "why frozen"
# act does not matter either, but a category is frozen only when the top trials agree on it
acts=$(ld export coarse --format json |
       jq '[.trials[] | select(.state == "complete")] | sort_by(.value) | .[0:5] | map(.params.act) | unique | length')
if [ "$acts" -gt 1 ]; then
    grep -q 'act: {values: \["relu", "tanh"\]}' fine.yaml || fail "act frozen though the top 5 disagree"
else
    grep -q 'act: {value: ' fine.yaml || fail "act not frozen though the top 5 agree"
fi
# the refined sweep runs as a child study linked to its parent
expect_exit 0 ld run fine.yaml --trials 3
expect_eq "$(ld export coarse-fine --format json | jq -r '.parent')" coarse "parent link"
expect_grep "warm start: " err.txt
# a second refine gets a fresh name; refining a study with too few trials is an input error
expect_exit 0 ld refine coarse
expect_grep '^name: "coarse-fine2"$' out.txt
cat > tiny.yaml <<'Y'
name: tiny
command: [sh, trial.sh, "${args}"]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
  y: {values: [a]}
budget: {trials: 1}
Y
expect_exit 0 ld run tiny.yaml
expect_exit 2 ld refine tiny
expect_grep "refine needs at least 2" err.txt
echo ok
