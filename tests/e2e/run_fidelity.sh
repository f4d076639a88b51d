# Cheap fidelity (BOHB-style successive halving): new configurations start on the smallest
# budget; the best 1/eta at a level are re-run on eta times more; the command gets the budget.
. "$ROOT/tests/lib.sh"
cat > trial.sh <<'T'
for a; do case $a in --x=*) x=${a#--x=};; --frac=*) frac=${a#--frac=};; esac; done
# the small budget sees the same ordering, with an offset that shrinks as the budget grows
awk -v x="$x" -v f="$frac" 'BEGIN{printf "loss=%.6f\n", (x - 0.3) * (x - 0.3) + 0.1 / f}'
T
cat > sweep.yaml <<'Y'
name: bohb
command: [sh, trial.sh, "${args}"]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
fidelity: {param: frac, min: 0.1, max: 0.9, eta: 3}
budget: {trials: 20}
seed: 8
Y
expect_exit 0 ld run sweep.yaml
ld trials bohb --json > t.json
at() { jq --argjson f "$1" '[.trials[] | select(.params.frac == $f)] | length' t.json; }
n1=$(at 0.1); n3=$(at 0.3); n9=$(at 0.9)
expect_eq "$((n1 + n3 + n9))" 20 "every trial on a budget level"
[ "$n1" -gt "$n3" ] && [ "$n3" -gt "$n9" ] && [ "$n9" -ge 1 ] || fail "levels $n1/$n3/$n9"
# every configuration on a higher level ran on the level below first, and was among its best
for f in 0.3 0.9; do
    below=$( [ "$f" = 0.3 ] && echo 0.1 || echo 0.3 )
    for x in $(jq -r --argjson f "$f" '.trials[] | select(.params.frac == $f) | .params.x' t.json); do
        found=$(jq --argjson x "$x" --argjson b "$below" '[.trials[] | select(.params.x == $x and .params.frac == $b)] | length' t.json)
        expect_eq "$found" 1 "config x=$x at $f ran once at $below"
    done
done
# the best configuration at the full budget is the best of the small budget's too
best9=$(jq '[.trials[] | select(.params.frac == 0.9)] | min_by(.value) | .params.x' t.json)
best1=$(jq '[.trials[] | select(.params.frac == 0.1)] | min_by(.value) | .params.x' t.json)
expect_eq "$best9" "$best1" "promotion keeps the best"
# the command carries the budget
expect_eq "$(jq '[.trials[] | select(.params.frac == 0.9) | .command | index("--frac=0.9") != null] | all' t.json)" true "budget in argv"
echo ok
