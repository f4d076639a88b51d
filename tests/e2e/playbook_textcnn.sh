# The TextCNN playbook on a sample of TREC, as a user runs it: `liandan init --preset textcnn
# --data DIR` looks at the data and writes a playbook that `liandan run` runs unchanged, ending
# with a confirmed configuration and its test accuracy. Also: what init decides from the data
# (sample size, oversampling) and its errors.
. "$ROOT/tests/lib.sh"
# tests/fixtures/data/trec-sample: `liandan data sample --n 600 / 200 / 200 --stratify --seed 1`
# of TREC's train, dev and test files
cp -r "$ROOT/tests/fixtures/data/trec-sample" trec
expect_exit 0 ld init --preset textcnn --data trec --time 30s -o pb.yaml
cat pb.yaml
expect_grep "^#   train: 600 examples, 6 classes" pb.yaml
expect_grep "imbalance .*searched option" pb.yaml
expect_grep "^  oversample: {values: \[false, true\]" pb.yaml
expect_grep "every stage trains on all of them" pb.yaml
expect_grep "^name: textcnn-trec$" pb.yaml
expect_grep "^program: \"$BUILD/liandan-textcnn\"$" pb.yaml
expect_grep "^budget: {time: 30s}" pb.yaml
# the file runs unchanged, from another folder
mkdir elsewhere
(cd elsewhere && LIANDAN_STORAGE="sqlite:///$PWD/../test.db" "$LIANDAN" run ../pb.yaml) > out.txt 2> err.txt ||
    { cat err.txt; fail "the written playbook runs"; }
cat err.txt | grep -v '^trial' || true
cat out.txt
for s in lr architecture regularization fine confirm; do expect_grep "stage textcnn-trec.$s: " err.txt; done
grep -q "test_acc=0\.[0-9]" out.txt || fail "the run ends with test_acc=<mean>"
# the confirm re-trains, unless the stages before it overran (a loaded machine, a sanitizer
# build) and left less than one training: then it is skipped, saying so, and the best run on
# the full data stands
skipped=0
grep -q "stage textcnn-trec.confirm: 0 trials .*skipped: the playbook's time left was shorter" \
    err.txt && skipped=1
expect_exit 0 ld best textcnn-trec --json
/usr/bin/python3 - out.txt "$skipped" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
if sys.argv[2] == "1":
    assert r["stage"] != "textcnn-trec.confirm" and not r["confirmed"], r
else:
    assert r["stage"] == "textcnn-trec.confirm" and r["confirmed"], r
t = r["metrics"]["test_acc"]
assert t["n"] >= 1 and 0.3 < t["mean"] <= 1, r
assert r["params"]["train_fraction"] == 1, r
assert ("seed" not in r["params"]) == r["confirmed"], r  # a confirmed choice holds over seeds
PY
ld trials textcnn-trec.lr > lr.txt
[ "$(grep -c complete lr.txt)" -ge 1 ] || fail "the lr stage completed trials"
grep -q failed lr.txt && { cat lr.txt; fail "no trial of the lr stage fails"; }

# more than 3,000 training examples: the cheap stages train on a sample; balanced classes: no
# oversampling option
mkdir -p big
awk -F'\t' '{print (NR % 2) ? "a\t" $2 : "b\t" $2}' trec/train.tsv > t1.tsv
for i in 1 2 3 4 5 6 7 8 9 10; do cat t1.tsv; done > big/train.tsv
head -100 t1.tsv > big/dev.tsv
expect_exit 0 ld init --preset rcnn --data big -o big.yaml
expect_grep "6000 training examples: the cheap stages train on 50%" big.yaml
expect_grep "^    train_fraction: 0.50$" big.yaml
grep -q "oversample" big.yaml && grep -q "^  oversample:" big.yaml && fail "balanced data: no oversampling"
expect_grep "  - rcnn" big.yaml
# a playbook runs its stages; asking a trial of the playbook itself is refused
expect_exit 2 ld ask --sweep big.yaml
expect_grep "is a playbook" err.txt
# fastText's playbook parses too
expect_exit 0 ld init --preset fasttext --data trec -o ft.yaml
expect_exit 2 ld ask --sweep ft.yaml
expect_grep "is a playbook" err.txt
# mistakes
expect_exit 2 ld init --preset textcnn --data nosuch
expect_grep "nosuch has no train.tsv" err.txt
mkdir nodev && cp trec/train.tsv nodev/
expect_exit 2 ld init --preset textcnn --data nodev
expect_grep "no dev.tsv" err.txt
expect_exit 2 ld init --preset mlp --data trec
expect_grep "works with --preset textcnn, rcnn or fasttext" err.txt
expect_exit 2 ld init --preset textcnn --data trec --time soon
echo ok
