# Two tuners on one grid study at once: every grid point runs exactly once.
. "$ROOT/tests/lib.sh"
cat > trial.sh <<'T'
for arg; do case $arg in --a=*) a=${arg#--a=};; --b=*) b=${arg#--b=};; esac; done
echo "$a $b" >> points.txt
echo "loss=$a"
T
cat > sweep.yaml <<'Y'
name: grid2
command: [sh, trial.sh, "${args}"]
method: grid
metric: {name: loss}
parameters:
  a: {values: [1, 2, 3, 4, 5, 6]}
  b: {values: [x, y, z, w]}
parallel: 2
Y
"$LIANDAN" run sweep.yaml > t1.out 2> t1.err &
p1=$!
"$LIANDAN" run sweep.yaml > t2.out 2> t2.err &
p2=$!
wait $p1 || fail "tuner 1 failed: $(cat t1.err)"
wait $p2 || fail "tuner 2 failed: $(cat t2.err)"
expect_eq "$(wc -l < points.txt | tr -d ' ')" 24 "points run"
expect_eq "$(sort points.txt | uniq -d | wc -l | tr -d ' ')" 0 "a point ran twice"
ld trials grid2 --json > t.json
expect_eq "$(jq '[.trials[] | select(.state == "complete")] | length' t.json)" 24 "complete"
# and a third run finds the grid spent
expect_exit 0 ld run sweep.yaml
expect_eq "$(wc -l < points.txt | tr -d ' ')" 24 "grid spent"
echo ok
