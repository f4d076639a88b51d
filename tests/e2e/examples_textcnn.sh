# examples/textcnn: both sweeps run as their comments say, from a folder laid out as the
# repository (build/liandan-textcnn, data/trec/ for sweep.yaml; build/demo-data/ made by
# `liandan data debian` and `data sample` for demo.yaml, as examples/demo.sh does), with only
# the epochs and the trial count cut down: trials complete, report val_acc per epoch and the
# summary test_acc, and `best` answers.
. "$ROOT/tests/lib.sh"
mkdir build data
ln -s "$BUILD/liandan-textcnn" build/liandan-textcnn
# sweep.yaml's comment: copy TREC's three files to data/trec (a 600-example sample of them here)
cp -r "$ROOT/tests/fixtures/data/trec-sample" data/trec
cut_down() { # $1 file, $2 the epochs line as written; two epochs instead
    grep -q -- "$2" "$1" || fail "$1 changed shape ('$2' is gone); update this test"
    sed "s/$2/--epochs=2/" "$1" > "$(basename "$1")"
}
cut_down "$ROOT/examples/textcnn/sweep.yaml" "--epochs=10"
expect_exit 0 ld run sweep.yaml --trials 2
expect_grep "2 trials (2 complete" out.txt
ld export textcnn-trec --format json > trec.json
expect_eq "$(jq -c '[.trials[] | .metrics.val_acc | length]' trec.json)" "[2,2]" "val_acc per epoch"
expect_eq "$(jq '[.trials[] | .metrics.test_acc | length == 1] | all' trec.json)" true "test_acc once"
expect_exit 0 ld best textcnn-trec --json
expect_eq "$(jq -r '.metrics.test_acc != null and .metric == "val_acc"' out.txt)" true "best"
# demo.yaml: the corpus as examples/demo.sh builds it (a smaller sample)
expect_exit 0 ld data debian -o build/demo-data
expect_exit 0 ld data sample build/demo-data/train.tsv -o build/demo-data/train20k.tsv --n 2000 \
    --stratify --seed 1
cut_down "$ROOT/examples/textcnn/demo.yaml" "--epochs=8"
expect_exit 0 ld run demo.yaml --trials 2
expect_grep "2 trials (" out.txt
ld export textcnn-debian --format json > demo.json
expect_eq "$(jq '[.trials[] | select(.state == "failed")] | length' demo.json)" 0 "failed demo trials"
expect_exit 0 ld best textcnn-debian
echo ok
