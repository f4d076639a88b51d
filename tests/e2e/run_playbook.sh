# A playbook (stages: in the sweep) on the toy trainer: every stage runs as its own study with
# what the stage says frozen, fixed, refined or confirmed; it resumes in the stage where kill -9
# stopped it; Ctrl-C stops it between stages; best --json gives the confirmed configuration with
# the mean of the summary metrics over the seeds; mistakes in stages are reported where they are.
. "$ROOT/tests/lib.sh"
# the toy trainer, plus a summary line a real trainer prints once at the end (test_acc depends
# on the seed, so the mean over seeds is checkable); records every run in runs.txt
cat > train.sh <<'T'
out=$("$TOOLS/toy_train" "$@") || { echo "$out"; exit 1; }
echo "$out"
seed=0; frac=none; for a; do case $a in --seed=*) seed=${a#--seed=};; --train_fraction=*) frac=${a#--train_fraction=};; esac; done
last=$(echo "$out" | tail -1 | sed -n 's/.*val_acc=\([0-9.]*\).*/\1/p')
awk -v v="$last" -v s="$seed" 'BEGIN{printf "test_acc=%.4f best_epoch=4\n", v - 0.01 + s * 0.002}'
echo "$LIANDAN_STUDY $frac $*" >> runs.txt
T
cat > pb.yaml <<'Y'
name: toypb
description: the toy playbook
command: [sh, train.sh, "${args}", --sleep=0.02]
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-5, max: 1.0, default: 0.0001}
  dropout: {min: 0.0, max: 0.7}
  optimizer: {values: [adam, sgd, rmsprop]}
  epochs: {value: 5}
  train_fraction: {value: 1.0}
parallel: 2
seed: 3
stages:
  - name: lr
    method: grid
    order: sequential
    parameters:
      lr: {values: [0.00001, 0.0001, 0.001, 0.01, 0.1]}
    train_fraction: 0.1
  - name: coarse
    method: tpe
    parameters: [lr, dropout, optimizer]
    budget: {trials: 12}
    train_fraction: 0.1
  - name: fine
    refine: {top: 4}
    budget: {trials: 8}
  - name: confirm
    confirm: {top: 2, seeds: 3}
Y
expect_exit 0 ld run pb.yaml
cat out.txt err.txt
for s in lr coarse fine confirm; do expect_grep "stage toypb.$s: " err.txt; done
expect_grep "^playbook toypb: confirmed " out.txt
grep -q "test_acc=0\.[0-9]*" out.txt || fail "the run's last lines hold test_acc=<mean>"
ld status > status.txt
for s in lr:5 coarse:12 fine:8 confirm:6; do
    n=$(awk -v s="toypb.${s%:*}" '$1 == s {print $2}' status.txt)
    expect_eq "$n" "${s#*:}" "trials of stage ${s%:*}"
done
# the lr stage: the grid's five rates on a tenth of the data, the rest at their defaults
[ "$(grep -c '^toypb.lr 0.1 ' runs.txt)" = 5 ] || fail "lr stage on train_fraction 0.1"
grep '^toypb.lr ' runs.txt | grep -qv -- '--dropout=0.35 ' && fail "dropout held at the middle of its range"
grep '^toypb.lr ' runs.txt | grep -qv -- '--optimizer=adam ' && fail "optimizer held at its first value"
# coarse: lr held no longer; fine: on the full data, ranges narrowed, parent linked
[ "$(grep -c '^toypb.fine 1 ' runs.txt)" = 8 ] || fail "fine stage on the full data"
sqlite3 test.db "select sweep_text from studies where name = 'toypb.fine'" > fine.yaml
expect_grep '^parent: "toypb.coarse"$' fine.yaml
grep -q '^  lr: {distribution: "log_uniform_values", min: 1e-05, max: 1.0' fine.yaml && fail "lr not narrowed"
expect_grep 'lr: {distribution: "log_uniform_values"' fine.yaml
# every stage wrote why, conclusion and next
for s in lr coarse fine confirm; do
    ld note toypb.$s > note.txt
    expect_grep "^why: *Stage " note.txt
    expect_grep "^conclusion: .*trials (" note.txt
    expect_grep "^next: " note.txt
done
ld note toypb.coarse > note.txt
expect_grep "importance: " note.txt
# confirm: the 2 best configurations x 3 seeds, on the full data; best --json gives the mean
[ "$(grep '^toypb.confirm ' runs.txt | grep -c -- '--seed=')" = 6 ] || fail "6 seeded confirm runs"
expect_exit 0 ld best toypb --json
cat out.txt
/usr/bin/python3 - out.txt <<'PY'
import json, sys, statistics
r = json.load(open(sys.argv[1]))
assert r["study"] == "toypb" and r["stage"] == "toypb.confirm" and r["confirmed"], r
assert r["seeds"] == 3 and r["metrics"]["test_acc"]["n"] == 3, r
assert "seed" not in r["params"] and r["params"]["epochs"] == 5, r
PY
# the mean is the mean of the chosen configuration's three test_acc values
mean=$(/usr/bin/python3 -c 'import json; print(json.load(open("out.txt"))["metrics"]["test_acc"]["mean"])')
trial=$(/usr/bin/python3 -c 'import json; print(json.load(open("out.txt"))["trial"])')
ld show toypb.confirm "$trial" > show.txt
lr=$(sed -n 's/.*lr=\([^ ]*\).*/\1/p' show.txt | head -1)
awk -v m="$mean" 'BEGIN{exit !(m > 0.3 && m < 1)}' || fail "test_acc mean $mean"

# ---- kill -9 mid-stage, then the same run again: it resumes in that stage ----
sed -e 's/^name: toypb$/name: killpb/' -e 's/--sleep=0.02/--sleep=0.1/' pb.yaml > kill.yaml
rm -f runs.txt
"$LIANDAN" run kill.yaml > kill1.txt 2>&1 &
tuner=$!
i=0
while [ "$(cat runs.txt 2>/dev/null | grep -c '^killpb.coarse ')" -lt 3 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 $tuner
wait $tuner 2>/dev/null || true
[ "$(grep -c '^killpb.fine ' runs.txt)" = 0 ] || fail "killed in stage coarse"
expect_exit 0 ld run kill.yaml
cat err.txt
grep -q "stage killpb.lr " err.txt && fail "the finished lr stage ran again"
expect_grep "stage killpb.coarse (2 of 4) starts" err.txt
expect_grep "^playbook killpb: confirmed " out.txt
[ "$(grep -c '^killpb.lr ' runs.txt)" = 5 ] || fail "lr ran once"
ld trials killpb.coarse --json > coarse.json
/usr/bin/python3 - coarse.json <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
t = t["trials"] if isinstance(t, dict) else t
live = [x for x in t if x.get("requeued_as") in (None, -1)]
assert len(live) == 12, len(live)
assert not [x for x in t if x["state"] in ("running", "queued")], t
PY

# ---- Ctrl-C: the running stage drains, the playbook stops, the next run goes on ----
sed -e 's/^name: toypb$/name: intpb/' -e 's/--sleep=0.02/--sleep=0.1/' pb.yaml > int.yaml
rm -f runs.txt
"$LIANDAN" run int.yaml > int1.txt 2>&1 &
tuner=$!
i=0
while [ "$(cat runs.txt 2>/dev/null | grep -c '^intpb.coarse ')" -lt 2 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $tuner
wait $tuner || true
cat int1.txt
expect_grep "playbook stopped" int1.txt
[ "$(grep -c '^intpb.fine ' runs.txt)" = 0 ] || fail "no stage after the interrupted one"
expect_exit 0 ld run int.yaml
expect_grep "stage intpb.coarse (2 of 4) starts" err.txt
expect_grep "^playbook intpb: confirmed " out.txt

# ---- budget.time shared by the stages' shares: each gets its part, none runs on ----
cat > timed.yaml <<'Y'
name: timed
command: [sh, train.sh, "${args}", --sleep=0.1]
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-4, max: 0.1}
  dropout: {min: 0.0, max: 0.7}
  epochs: {value: 5}
parallel: 2
budget: {time: 8s}
stages:
  - name: a
    method: random
    share: 1
  - name: b
    method: random
    refine: {top: 3}
    share: 2
  - name: confirm
    confirm: {top: 1, seeds: 2}
    share: 1
Y
start=$(date +%s)
expect_exit 0 ld run timed.yaml
took=$(( $(date +%s) - start ))
cat err.txt
# a time budget stops new trials, never running ones: each stage may overrun by one trial
[ "$took" -le 20 ] || fail "an 8s playbook took ${took}s"
expect_grep "stage timed.a (1 of 3) starts with 2.0s" err.txt
expect_grep "stage timed.b (2 of 3) starts with" err.txt
# b gets twice a's share of what a left: (8 - a's time) x 2/3, more than a's 2s unless a overran
ta=$(sed -n 's/.*stage timed.a: .* in \([0-9.]*\)s;.*/\1/p' err.txt)
tb=$(sed -n 's/.*stage timed.b (2 of 3) starts with \([0-9.]*\)s.*/\1/p' err.txt)
awk -v a="$ta" -v b="$tb" 'BEGIN{w = (8 - a) * 2 / 3; exit !(b > w - 0.2 && b < w + 0.2)}' ||
    fail "stage b's time: expected (8 - $ta) x 2/3, got $tb"
ld status > status.txt
a=$(awk '$1 == "timed.a" {print $2}' status.txt)
[ "$a" -ge 2 ] || fail "stage a ran $a trials"
# confirmed, unless b's last trials overran into the confirm's time (a loaded machine)
grep -q "stage timed.confirm: 0 trials .*skipped: the playbook's time left was shorter" err.txt ||
    expect_grep "^playbook timed: confirmed" out.txt

# ---- a confirm does not repeat a run: a configuration that already ran on the full data with
# seed 1 (the sweep's seed parameter) is confirmed with seeds 2 and 3, not 1 and 2 ----
cat > seeded.yaml <<'Y'
name: seeded
command: [sh, train.sh, "${args}"]
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-4, max: 0.1}
  dropout: {min: 0.0, max: 0.7}
  epochs: {value: 3}
  seed: {value: 1}
parallel: 2
stages:
  - name: search
    method: random
    budget: {trials: 4}
  - name: confirm
    confirm: {top: 2, seeds: 2}
Y
expect_exit 0 ld run seeded.yaml
grep '^seeded.confirm ' runs.txt > confirm_runs.txt
expect_eq "$(wc -l < confirm_runs.txt)" 4 "confirm runs"
expect_eq "$(grep -c -- '--seed=1' confirm_runs.txt)" 0 "confirm runs that repeat seed 1"
expect_eq "$(grep -c -- '--seed=2' confirm_runs.txt)" 2 "confirm runs with seed 2"
expect_eq "$(grep -c -- '--seed=3' confirm_runs.txt)" 2 "confirm runs with seed 3"

# ---- a confirm with less time left than one training: when the search ran on the full data,
# nothing starts and the search's best run stands; when it ran on a sample only, one round
# starts (the playbook must end with a model trained on all the data) ----
cat > late.yaml <<'Y'
name: late
command: [sh, train.sh, "${args}", --sleep=0.3]
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-4, max: 0.1}
  epochs: {value: 5}
  train_fraction: {value: 1.0}
budget: {time: 1s}
stages:
  - name: search
    method: random
  - name: confirm
    confirm: {top: 1, seeds: 2}
Y
start=$(date +%s)
expect_exit 0 ld run late.yaml
took=$(( $(date +%s) - start ))
cat err.txt
expect_grep "stage late.confirm: 0 trials .*skipped: the playbook's time left was shorter than \
a training on the full data; the result is the best of those, late.search #0" err.txt
expect_grep "^playbook late: best so far lr=" out.txt
expect_eq "$(grep -c '^late.confirm ' runs.txt)" 0 "runs of a confirm with no time"
queued=$(sqlite3 test.db "select count(*) from trials t join studies s on t.study_id = s.id
                          where s.name = 'late.confirm'")
expect_eq "$queued" 0 "trials queued in a skipped confirm"
[ "$took" -le 6 ] || fail "a 1s playbook whose trials take 1.5s took ${took}s"
expect_exit 0 ld best late --json
/usr/bin/python3 - out.txt <<'P' || fail "best --json of a playbook whose confirm was skipped"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["stage"] == "late.search" and r["trial"] == 0 and not r["confirmed"], r
assert r["seeds"] == 1 and abs(r["metrics"]["test_acc"]["mean"] - (r["value"] - 0.01)) < 2e-4, r
P
expect_exit 0 ld run late.yaml
expect_eq "$(grep -c '^late\.' runs.txt)" 1 "runs after running a finished playbook again"
sed -e 's/^name: late$/name: latesample/' \
    -e 's/^    method: random$/    method: random\n    train_fraction: 0.5/' late.yaml > latesample.yaml
expect_exit 0 ld run latesample.yaml
cat err.txt
expect_eq "$(grep -c '^latesample.confirm 1 ' runs.txt)" 1 "confirm runs after a search on a sample only"
expect_grep "^playbook latesample: confirmed " out.txt

# ---- a confirm queues only the rounds that fit its time: 4s for trials of 1.5s (5 x 0.3s), one
# configuration, parallel 1: 2 of its 3 seeds, and it ends on time ----
cat > fit.yaml <<'Y'
name: fit
command: [sh, train.sh, "${args}", --sleep=0.3]
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-4, max: 0.1}
  epochs: {value: 5}
stages:
  - name: search
    method: random
    budget: {trials: 2}
  - name: confirm
    confirm: {top: 1, seeds: 3}
    budget: {time: 4s}
Y
expect_exit 0 ld run fit.yaml
cat err.txt | grep -v '^trial'
expect_eq "$(grep -c '^fit.confirm ' runs.txt)" 2 "confirm runs that fit 4s"
expect_grep "^playbook fit: confirmed " out.txt
expect_grep "(sd [0-9.e-]*, 2 seeds;" out.txt

# ---- slow trials: a confirm whose seeds would need more than the time left keeps back at most
# half of it (or one round), so the search stage before it still runs (9 seeds of 1.5s trials
# need 13.5s; after the first stage about 7.5s are left: the search gets half) ----
cat > slow.yaml <<'Y'
name: slow
command: [sh, train.sh, "${args}", --sleep=0.3]
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-4, max: 0.1}
  epochs: {value: 5}
budget: {time: 9s}
stages:
  - name: first
    method: random
    budget: {trials: 1}
  - name: search
    method: random
  - name: confirm
    confirm: {top: 1, seeds: 9}
Y
expect_exit 0 ld run slow.yaml
cat err.txt | grep -v '^trial'
tsearch=$(sed -n 's/.*stage slow.search (2 of 3) starts with \([0-9.]*\)s.*/\1/p' err.txt)
[ -n "$tsearch" ] || fail "the search stage before a greedy confirm did not start"
awk -v t="$tsearch" 'BEGIN { exit !(t >= 2.5 && t <= 4.5) }' ||
    fail "the search stage got ${tsearch}s, expected about half of the 7.5s left"
[ "$(grep -c '^slow.search ' runs.txt)" -ge 1 ] || fail "no search trial ran"
expect_grep "^playbook slow: " out.txt

# ---- mistakes in stages ----
cat > bad1.yaml <<'Y'
name: bad
command: [sh, train.sh, "${args}"]
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {min: 0.001, max: 0.1}
stages:
  - name: one
    parameters: [lrr]
    budget: {trials: 2}
Y
expect_exit 2 ld run bad1.yaml
expect_grep "bad1.yaml:7:5: stage 'one' searches 'lrr', which is not a parameter (did you mean 'lr'?)" err.txt
cat > bad2.yaml <<'Y'
name: bad
command: [sh, train.sh, "${args}"]
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {min: 0.001, max: 0.1}
stages:
  - name: one
    budget: {trials: 2}
  - name: check
    confirm: {top: 2, seeds: 2}
  - name: two
    budget: {trials: 2}
Y
expect_exit 2 ld run bad2.yaml
expect_grep "bad2.yaml:9:5: the confirm stage 'check' must be the last stage" err.txt
cat > bad3.yaml <<'Y'
name: bad
command: [sh, train.sh, "${args}"]
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {min: 0.001, max: 0.1, default: 0.5}
stages:
  - name: one
Y
expect_exit 2 ld run bad3.yaml
expect_grep "bad3.yaml:5:39: default 0.5 of 'lr' is not a value its distribution can take" err.txt
cat > bad4.yaml <<'Y'
name: bad
command: [sh, train.sh, "${args}"]
metric: {name: val_acc, goal: maximize}
parameters:
  lr: {min: 0.001, max: 0.1}
stages:
  - name: one
    method: grid
    budget: {trials: 2}
Y
expect_exit 2 ld run bad4.yaml
expect_grep "bad4.yaml:7:5: in stage 'one': " err.txt
expect_grep "grid" err.txt
ld status > status.txt
grep -q '^bad' status.txt && fail "a bad playbook left a study behind"
echo ok
