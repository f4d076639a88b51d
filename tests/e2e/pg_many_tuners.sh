# Six tuners, parallel 2 each, on one PostgreSQL study of 200 grid points: each point runs exactly
# once, 200 trials finish, and their numbers are 0..199 with none twice.
. "$ROOT/tests/lib.sh"
[ -n "${LIANDAN_TEST_PG_URL:-}" ] || fail "no PostgreSQL server: LIANDAN_TEST_PG_URL is unset (tests/run.sh starts one)"
LIANDAN_STORAGE=$("$ROOT/tests/pg_server.sh" createdb "e2e_many_$$")
export LIANDAN_STORAGE
cat > trial.sh <<'T'
for arg; do case $arg in --a=*) a=${arg#--a=};; --b=*) b=${arg#--b=};; esac; done
echo "loss=$a"
echo "$a $b $LIANDAN_TRIAL" >> points.txt
T
cat > sweep.yaml <<'Y'
name: grid200
command: [sh, trial.sh, "${args}"]
method: grid
metric: {name: loss}
parameters:
  a: {values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]}
  b: {values: [p, q, r, s, t, u, v, w, x, y]}
parallel: 2
Y
pids=""
for i in 1 2 3 4 5 6; do
    "$LIANDAN" run sweep.yaml > "t$i.out" 2> "t$i.err" &
    pids="$pids $!"
done
i=0
for p in $pids; do
    i=$((i + 1))
    wait "$p" || fail "tuner $i failed: $(cat "t$i.err")"
done
expect_eq "$(wc -l < points.txt | tr -d ' ')" 200 "points run"
expect_eq "$(cut -d' ' -f1,2 points.txt | sort | uniq -d | wc -l | tr -d ' ')" 0 "a point ran twice"
ld trials grid200 --json > t.json
expect_eq "$(jq '.trials | length' t.json)" 200 "trials"
expect_eq "$(jq '[.trials[] | select(.state == "complete")] | length' t.json)" 200 "complete"
expect_eq "$(jq '[.trials[].number] == [range(0; 200)]' t.json)" true "numbers 0..199"
expect_eq "$(jq '[.trials[] | [.params.a, .params.b]] | unique | length' t.json)" 200 "distinct points"
# every tuner took part, and the journal is readable from anywhere: status over the same URL
expect_exit 0 ld status --json
expect_eq "$(jq '.studies[0].complete' out.txt)" 200 "status complete"
# a seventh tuner finds the grid spent
expect_exit 0 ld run sweep.yaml
expect_eq "$(wc -l < points.txt | tr -d ' ')" 200 "grid spent"
echo ok
