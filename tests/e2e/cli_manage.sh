# retry, enqueue, delete, rename and copy on SQLite and PostgreSQL: each changes one study (a playbook
# with its stages) and nothing else; bad requests change nothing and say why.
. "$ROOT/tests/lib.sh"
[ -n "${LIANDAN_TEST_PG_URL:-}" ] || fail "no PostgreSQL server: LIANDAN_TEST_PG_URL is unset (tests/run.sh starts one)"
cat > trial.sh <<'T'
for a; do case $a in --x=*) x=${a#--x=};; --opt=*) opt=${a#--opt=};; esac; done
echo "$LIANDAN_STUDY $x $opt" >> runs.txt
[ -e broken ] && { echo "RuntimeError: broken on purpose" >&2; exit 1; }
echo "epoch=1 loss=$x"
T
cat > sweep.yaml <<'Y'
name: m
command: [sh, trial.sh, "${args}"]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
  opt: {values: [sgd, adam]}
  momentum: {min: 0.0, max: 0.9, when: {opt: sgd}}
budget: {trials: 4}
Y
sed 's/^name: m$/name: other/' sweep.yaml > other.yaml
cat > pb.yaml <<'Y'
name: pb
command: [sh, trial.sh, "${args}"]
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
  opt: {values: [sgd, adam]}
stages:
  - name: a
    method: random
    budget: {trials: 2}
  - name: b
    method: random
    budget: {trials: 2}
Y

check_storage() {
    url=$1
    export LIANDAN_STORAGE="$url"
    rm -f runs.txt broken
    expect_exit 0 ld run other.yaml -q
    : > broken
    expect_exit 1 ld run sweep.yaml -q
    rm broken
    expect_eq "$(ld trials m --json | jq '[.trials[] | select(.state == "failed")] | length')" 4 \
        "failed trials ($url)"
    # a budget spent on failures: the next run says so and what to do
    expect_exit 0 ld run sweep.yaml
    expect_grep "study m has spent its budget (4 of 4 trials, 4 of them failed); 'liandan retry m'" \
        err.txt
    # retry: bad requests change nothing
    expect_exit 2 ld retry m 99
    expect_grep "study 'm' has no trial 99 (trials 0 to 3)" err.txt
    expect_exit 2 ld retry m --state complete
    expect_exit 2 ld retry nosuch
    expect_grep "no study named 'nosuch'" err.txt
    expect_exit 2 ld retry m_
    expect_grep "did you mean 'm'?" err.txt
    # retry: every failed trial once, with its parameters; the run runs them and the budget holds
    expect_exit 0 ld retry m --json
    expect_eq "$(jq -c .queued out.txt)" "[4,5,6,7]" "re-queued numbers ($url)"
    expect_exit 2 ld retry m 0
    expect_grep "trial 0 of 'm' was re-queued already, as trial 4" err.txt
    expect_exit 0 ld run sweep.yaml -q
    ld trials m --json > t.json
    expect_eq "$(jq '[.trials[] | select(.state == "complete")] | length' t.json)" 4 "retried ($url)"
    expect_eq "$(jq '.trials | length' t.json)" 8 "trials after retry ($url)"
    expect_eq "$(jq -c '[.trials[0:4][] | .requeued_as]' t.json)" "[4,5,6,7]" "requeued_as ($url)"
    expect_eq "$(jq -c '[.trials[0].params, .trials[4].params] | .[0] == .[1]' t.json)" true \
        "a re-run has its original's params ($url)"
    # enqueue: checked against the space; the rest at defaults; inactive conditionals left out
    expect_exit 2 ld enqueue m x=2
    expect_grep "x=2 is outside its space (uniform from 0 to 1)" err.txt
    expect_exit 2 ld enqueue m opt=rmsprop
    expect_grep "opt=rmsprop is not one of its values (sgd, adam)" err.txt
    expect_exit 2 ld enqueue m lr=0.1
    expect_grep "study 'm' has no parameter 'lr' (it has x, opt, momentum)" err.txt
    expect_exit 2 ld enqueue m opt=adam momentum=0.5
    expect_grep "momentum is inactive unless opt=sgd" err.txt
    expect_exit 0 ld enqueue m x=0.125 opt=adam --json
    expect_eq "$(jq .trial out.txt)" 8 "enqueued number ($url)"
    expect_exit 0 ld run sweep.yaml -q
    ld trials m --json > t.json
    expect_eq "$(jq -c '.trials[8] | [.state, .params]' t.json)" '["complete",{"x":0.125,"opt":"adam"}]' \
        "the enqueued trial ran ($url)"
    grep -q "^m 0.125 adam$" runs.txt || fail "enqueued trial's command ($url)"
    # rename: refused onto a taken name; then the sweep goes on under --name
    expect_exit 2 ld rename m other
    expect_grep "there is a study named 'other' already" err.txt
    expect_exit 0 ld rename m renamed
    expect_exit 2 ld trials m
    expect_exit 0 ld enqueue renamed x=0.5 opt=sgd
    expect_exit 0 ld run sweep.yaml --name renamed -q
    expect_eq "$(ld trials renamed --json | jq '.trials | length')" 10 "renamed study went on ($url)"
    # a playbook is renamed and deleted with its stages, and their parent links follow
    expect_exit 0 ld run pb.yaml -q
    expect_exit 0 ld rename pb pb2
    ld status --json > s.json
    expect_eq "$(jq -c '[.studies[] | .name] | map(select(startswith("pb")))' s.json)" \
        '["pb2","pb2.a","pb2.b"]' "playbook renamed with its stages ($url)"
    expect_exit 0 ld best pb2
    expect_exit 0 ld delete pb2 --json
    expect_eq "$(jq -c .deleted out.txt)" '["pb2","pb2.a","pb2.b"]' "deleted ($url)"
    # delete: the study, its trials and logs; the other study is whole
    log=$(ld show renamed 0 --json | jq -r .log)
    [ -e "$log" ] || fail "no log file before delete ($url)"
    expect_exit 0 ld delete renamed
    [ ! -e "$log" ] || fail "the deleted study's log file remains ($url)"
    expect_exit 2 ld delete renamed
    ld status --json > s.json
    expect_eq "$(jq -c '[.studies[] | [.name, .trials]]' s.json)" '[["other",4]]' \
        "only the other study is left ($url)"
}

check_storage "sqlite:///$PWD/manage.db"
check_storage "$("$ROOT/tests/pg_server.sh" createdb "e2e_manage_$$")"

# copy: SQLite -> PostgreSQL -> a new SQLite file, a study with complete, failed, re-run and
# queued trials and notes, and a playbook with its stages; every export stays the same but for
# the names; taken names and running trials are refused and change nothing
sq="sqlite:///$PWD/copy-src.db" back="sqlite:///$PWD/copy-back.db"
pg=$("$ROOT/tests/pg_server.sh" createdb "e2e_copy_$$")
export LIANDAN_STORAGE="$sq"
rm -f runs.txt broken
: > broken
expect_exit 1 ld run sweep.yaml -q
rm broken
expect_exit 0 ld retry m 0 1
expect_exit 0 ld run sweep.yaml -q
expect_exit 0 ld enqueue m x=0.25 opt=sgd
ld note m --conclusion "x matters" --next "narrow x" > /dev/null
expect_exit 0 ld run pb.yaml -q
expect_exit 0 ld copy m --to "$pg" --json
expect_eq "$(jq -c '[.copied, .trials]' out.txt)" '[["m"],7]' "copied to PostgreSQL"
expect_exit 0 ld copy pb --to "$pg"
expect_grep "copied study pb (3 studies, 4 trials) to $pg" err.txt
expect_exit 2 ld copy m --to "$pg"
expect_grep "the destination has a study named 'm' already; give --as NEW_NAME" err.txt
expect_exit 0 ld --storage "$pg" copy m --to "$back" --as m2
expect_exit 0 ld --storage "$pg" copy pb --to "$back" --as pb3
export_of() { ld --storage "$1" export "$2" --format json | jq -S 'del(.study)'; }
for pair in "m m" "pb pb" "pb.a pb.a" "pb.b pb.b"; do
    set -- $pair
    expect_eq "$(export_of "$pg" "$2")" "$(export_of "$sq" "$1")" "PostgreSQL's copy of $1"
done
expect_eq "$(export_of "$back" m2)" "$(export_of "$sq" m)" "the copy of the copy of m"
for stage in a b; do
    expect_eq "$(export_of "$back" pb3.$stage | jq -c 'del(.parent)')" \
        "$(export_of "$sq" pb.$stage | jq -c 'del(.parent)')" "the copy of pb.$stage"
done
expect_eq "$(export_of "$back" pb3.a | jq -r .parent) $(export_of "$back" pb3.b | jq -r .parent)" \
    "pb3 pb3.a" "the stages' parent links follow the names"
expect_eq "$(export_of "$back" m2 | jq -c '[.conclusion, .next, ([.trials[].state] | unique)]')" \
    '["x matters","narrow x",["complete","failed","queued"]]' "what the copy holds"
expect_eq "$(ld --storage "$back" best m2 --json | jq .trial)" "$(ld best m --json | jq .trial)" \
    "the best trial of the copy"
# within one journal; then the copy runs on as its own study
expect_exit 2 ld copy m
expect_grep "usage: liandan copy STUDY --to URL" err.txt
expect_exit 0 ld copy m --as m-copy
expect_exit 0 ld run sweep.yaml --name m-copy -q
expect_eq "$(ld trials m-copy --json | jq '[.trials[] | select(.state == "queued")] | length')" 0 \
    "the copy's queued trial ran"
expect_eq "$(ld trials m --json | jq '[.trials[] | select(.state == "queued")] | length')" 1 \
    "the original's queued trial is untouched"
# a study with a running trial is not copied
sed -e 's/^name: m$/name: slow/' -e 's/echo "epoch=1/sleep 30; echo "epoch=1/' sweep.yaml > slow.yaml
sed 's/echo "epoch=1/sleep 30; echo "epoch=1/' trial.sh > slow.sh
sed -i 's/trial.sh/slow.sh/' slow.yaml
ld run slow.yaml -q > /dev/null 2>&1 &
slow=$!
for _ in $(seq 100); do
    [ "$(ld trials slow --json 2>/dev/null | jq '[.trials[] | select(.state == "running")] | length')" = 1 ] && break
    sleep 0.1
done
expect_exit 2 ld copy slow --to "$back"
expect_grep "study 'slow' has 1 running trial; copy it when its tuners have finished" err.txt
kill -INT $slow; kill -INT $slow 2>/dev/null; wait $slow || true
expect_exit 2 ld --storage "$back" trials slow
# a copy killed at any moment leaves the destination as it was: the whole study or none of it
"$TOOLS/report_bigstudy" "sqlite:///$PWD/big.db" big 5000 > /dev/null
for delay in 0.1 0.3 0.6; do
    rm -f killed.db killed.db-wal killed.db-shm
    ld --storage "$PWD/big.db" copy big --to "$PWD/killed.db" -q &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null || true
    wait $pid || true
    n=$(ld --storage "$PWD/killed.db" status --json 2>/dev/null | jq '[.studies[] | .trials] | add // 0')
    case ${n:-0} in 0|5000) ;; *) fail "a copy killed after ${delay}s left $n trials" ;; esac
done
echo ok
