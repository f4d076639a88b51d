# liandan-textcnn --checkpoint: the training state saved after every epoch lets a stopped run go
# on where it was and end exactly as the uninterrupted run (same epochs' lines, same test
# accuracy); SIGTERM mid-run leaves a state to resume from; a damaged state or one from other
# options is ignored with a warning; under liandan, --checkpoint auto uses the trial's
# LIANDAN_CHECKPOINT_DIR, which a re-queued trial shares.
. "$ROOT/tests/lib.sh"
T=$ROOT/tests/fixtures/data/trec-sample
tc() { (exec_tc "$@"); }
# (exec: in the background, the trainer itself takes the signal, not a subshell around it)
exec_tc() { exec "$BUILD/liandan-textcnn" --train "$T/train.tsv" --dev "$T/dev.tsv" --test "$T/test.tsv" \
    --seed 3 --maps 50 --emb 50 --dropout 0.5 --decay 0.9 --threads 1 "$@"; }
tc --epochs 5 > straight.out
tc --epochs 2 --checkpoint ck > first.out
[ -s ck/train.state ] || fail "no training state after the first run"
tc --epochs 5 --checkpoint ck > second.out 2> second.err
expect_grep "^liandan-textcnn: resumed from ck/train.state after epoch 2$" second.err
# epoch lines without their timings
epochs() { sed -n 's/ secs=.*//p' "$1"; }
expect_eq "$(epochs first.out; epochs second.out)" "$(epochs straight.out)" "the epochs, resumed"
expect_eq "$(tail -n 1 second.out)" "$(tail -n 1 straight.out)" "the final result, resumed"

# other options: the state is not used
tc --epochs 3 --checkpoint ck --lr 0.01 > other.out 2> other.err
expect_grep "ignoring the checkpoint ck/train.state: it was saved by a run with other options" \
    other.err
expect_grep "^epoch=1 " other.out
# a cut file
head -c 1000 ck/train.state > cut.state && mv cut.state ck/train.state
tc --epochs 2 --checkpoint ck > cut.out 2> cut.err
expect_grep "ignoring the checkpoint ck/train.state: its size is not this run's" cut.err
expect_grep "^epoch=1 " cut.out

# SIGTERM mid-run: killed by it, the last finished epoch's state is whole and resumes
exec_tc --epochs 400 --checkpoint big --emb 300 --maps 200 > big1.out 2>&1 &
pid=$!
i=0
while [ "$(grep -c '^epoch=' big1.out 2>/dev/null)" -lt 3 ] && [ $i -lt 300 ]; do
    sleep 0.1; i=$((i + 1))
done
kill -TERM $pid
set +e; wait $pid; rc=$?; set -e
expect_eq "$rc" 143 "the trainer's exit status after SIGTERM"
done_epochs=$(grep -c '^epoch=' big1.out)
tc --epochs $((done_epochs + 1)) --checkpoint big --emb 300 --maps 200 > big3.out 2> big3.err
e=$(sed -n 's/.*resumed from big\/train.state after epoch \([0-9]*\)$/\1/p' big3.err)
[ -n "$e" ] && [ "$e" -ge 2 ] && [ "$e" -le "$done_epochs" ] ||
    fail "resumed after epoch '$e' (the killed run printed $done_epochs): $(cat big3.err)"
expect_eq "$(sed -n 's/^epoch=\([0-9]*\) .*/\1/p' big3.out | head -n 1)" "$((e + 1))" \
    "the first epoch after resuming"

# under liandan: auto is the trial's folder
cat > sweep.yaml <<Y
name: resume
command: ["$BUILD/liandan-textcnn", --train, "$T/train.tsv", --dev, "$T/dev.tsv", --epochs, "2",
          --maps, "20", --emb, "20", --threads, "1", --checkpoint, auto, "\${args}"]
method: grid
metric: {name: val_acc, goal: maximize}
parameters:
  seed: {values: [1, 2]}
Y
expect_exit 0 ld run sweep.yaml
[ -s "$PWD/test.runs/resume/checkpoints/0/train.state" ] || fail "no state in trial 0's folder"
[ -s "$PWD/test.runs/resume/checkpoints/1/train.state" ] || fail "no state in trial 1's folder"
echo ok
