# Warm start: --from (or parent: in the sweep) links the new study to its parent and hands the
# parent's finished trials that fit the new space to the sampler.
. "$ROOT/tests/lib.sh"
write_quadratic_trial
cat > coarse.yaml <<'Y'
name: coarse
command: [sh, trial.sh, "${args}"]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
  y: {values: [a, b]}
budget: {trials: 8}
seed: 4
Y
expect_exit 0 ld run coarse.yaml
sed -e 's/name: coarse/name: fine/' -e 's/max: 1.0/max: 0.5/' coarse.yaml > fine.yaml
expect_exit 0 ld run fine.yaml --from coarse --trials 2
inside=$(ld trials coarse --json | jq '[.trials[] | select(.params.x <= 0.5)] | length')
expect_grep "warm start: $inside finished trial(s) of 'coarse' inform the random sampler" err.txt
expect_grep "outside this space left out" err.txt
expect_eq "$(ld export fine --format json | jq -r '.parent')" coarse "parent recorded"
expect_eq "$(ld trials fine --json | jq '.trials | length')" 2 "warm trials are not the study's"
# parent: in the sweep does the same; a missing parent is a clear error
printf 'parent: nowhere\n' >> fine.yaml
sed -i 's/name: fine/name: fine2/' fine.yaml
expect_exit 2 ld run fine.yaml
expect_grep "cannot warm-start from 'nowhere'" err.txt
echo ok
