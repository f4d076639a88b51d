# examples/pytorch/sweep.yaml, the sweep users copy, runs as written (only the data paths, the
# trial budget and the epochs changed) on a small generated corpus of two easy classes: every
# trial completes and reports val_acc per epoch, and the classifier really learns.
. "$ROOT/tests/lib.sh"
if ! /usr/bin/python3 -c 'import torch' >/dev/null 2>&1; then
    [ "${CI:-}" = true ] && fail "python3-torch is missing in CI (scripts/deps.txt installs it)"
    echo "SKIP: /usr/bin/python3 has no torch (apt-get install python3-torch); example not run"
    exit 0
fi
# label<TAB>text: "sport" and "tech" sentences drawn from disjoint word lists
corpus() {
    awk -v n="$1" -v seed="$2" 'BEGIN {
        srand(seed)
        split("goal match team score league coach player season striker referee", a, " ")
        split("kernel compiler memory thread socket driver packet cache server patch", b, " ")
        for (i = 0; i < n; i++) {
            len = 4 + int(rand() * 5); text = ""
            for (j = 0; j < len; j++) text = text " " ((i % 2) ? a[1 + int(rand() * 10)] : b[1 + int(rand() * 10)])
            printf "%s\t%s\n", (i % 2) ? "sport" : "tech", substr(text, 2)
        }
    }'
}
corpus 200 1 > train.tsv
corpus 60 2 > dev.tsv
sed -e "s|program: examples/pytorch/train.py|program: $ROOT/examples/pytorch/train.py|" \
    -e "s|data/trec/train.tsv|$PWD/train.tsv|" -e "s|data/trec/dev.tsv|$PWD/dev.tsv|" \
    -e 's/value: 10 /value: 2 /' -e 's/max_iter: 10 /max_iter: 2 /' \
    "$ROOT/examples/pytorch/sweep.yaml" > sweep.yaml
grep -q "value: 2 " sweep.yaml && grep -q "max_iter: 2 " sweep.yaml && grep -q "$PWD/dev.tsv" sweep.yaml \
    || fail "examples/pytorch/sweep.yaml changed shape; update the edits in this test"
expect_exit 0 ld run sweep.yaml --trials 3
expect_grep "3 trials (3 complete" out.txt
ld export pytorch-trec --format json > study.json
expect_eq "$(jq -c '[.trials[] | .state] | unique' study.json)" '["complete"]' "states"
expect_eq "$(jq '[.trials[] | .metrics.val_acc | length] | unique' -c study.json)" "[2]" "val_acc per epoch"
expect_eq "$(jq '[.trials[] | .metrics | has("train_loss") and has("train_acc") and has("val_loss")] | all' study.json)" true "all four series"
expect_eq "$(jq -r '.trials[0].command[0]' study.json)" /usr/bin/python3 "interpreter"
expect_eq "$(jq '.trials[0].params.epochs' study.json)" 2 "epochs"
# lr sampled on its log range, dropout on its linear one
jq -r '.trials[] | "\(.params.lr) \(.params.dropout)"' study.json | \
    awk '{ if ($1 < 1e-4 || $1 > 0.1 || $2 < 0 || $2 > 0.6) exit 1 }' || fail "params out of range"
# two easy classes: the best trial is nearly perfect
best=$(ld best pytorch-trec --json | jq '.value')
awk -v b="$best" 'BEGIN{exit !(b >= 0.9)}' || fail "best val_acc $best < 0.9"
# a NaN loss: diverged=1 and exit 1, recorded pruned
set +e; /usr/bin/python3 "$ROOT/examples/pytorch/train.py" --train=train.tsv --dev=dev.tsv \
    --optimizer=sgd --lr=1e30 --epochs=2 > nan.txt 2>&1; rc=$?; set -e
expect_eq "$rc" 1 "exit status on NaN"
expect_grep "^diverged=1$" nan.txt
echo ok
