# The fastText example users copy (examples/fasttext/sweep.yaml, unchanged) runs end to end on
# tiny two-class data: every trial completes with val_acc and test_acc from `fasttext test`, and
# the wrapper fails loudly on bad input, passes character n-grams and buckets as autotune ties
# them, and reports a NaN loss as diverged=1. Needs Debian's fasttext (scripts/deps.txt installs it).
. "$ROOT/tests/lib.sh"
command -v fasttext >/dev/null || fail "fasttext not installed (scripts/deps.sh --test)"
# The sweep names paths relative to the repository root: give it one with tiny data.
ln -s "$ROOT/examples" examples
mkdir -p data/sst2
# 300 lines per file, two classes told apart by their words, a few shared words as noise.
make_split() { # FILE SEED
    awk -v seed="$2" 'BEGIN {
        srand(seed)
        split("great fine lovely superb moving", p, " "); split("dull awful boring weak messy", n, " ")
        split("the film a plot acting story", s, " ")
        for (i = 0; i < 300; i++) {
            pos = i % 2; t = ""
            for (j = 0; j < 6; j++) {
                r = rand(); w = r < 0.5 ? s[1 + int(rand() * 6)] : (pos ? p[1 + int(rand() * 5)] : n[1 + int(rand() * 5)])
                t = t (j ? " " : "") w
            }
            printf "%s\t%s\n", pos ? "pos" : "neg", t
        }
    }' > "$1"
}
make_split data/sst2/train.tsv 1
make_split data/sst2/dev.tsv 2
make_split data/sst2/test.tsv 3

expect_exit 0 ld run examples/fasttext/sweep.yaml --trials 3
expect_grep "3 trials (3 complete" out.txt
ld export fasttext-sst2 --format json > study.json
expect_eq "$(jq '[.trials[] | select(.state == "complete")] | length' study.json)" 3 "complete trials"
# every trial reported val_acc and test_acc once, in [0, 1], and its value is val_acc
expect_eq "$(jq '[.trials[] | .metrics.val_acc | length] | unique' -c study.json)" "[1]" "val_acc reports"
expect_eq "$(jq '[.trials[] | .metrics.test_acc | length] | unique' -c study.json)" "[1]" "test_acc reports"
expect_eq "$(jq '[.trials[] | .value >= 0 and .value <= 1 and .value == .metrics.val_acc[0][1]] | all' study.json)" true "values"
# the words separate the classes: the best trial must beat chance clearly
expect_eq "$(ld best fasttext-sst2 --json | jq '.value > 0.7')" true "best val_acc"
# the sampled hyperparameters reached fastText as -name value
expect_eq "$(jq '[.trials[] | .command | any(startswith("--wordNgrams="))] | all' study.json)" true "args"
expect_eq "$(jq '[.trials[] | .command | any(startswith("--charNgrams="))] | all' study.json)" true "char n-gram args"

# the wrapper: fastText-format input is used as is; bad input and a bad option exit non-zero
awk -F '\t' '{ print "__label__" $1 " " $2 }' data/sst2/dev.tsv > dev.txt
expect_exit 0 sh examples/fasttext/train.sh --train=data/sst2/train.tsv --dev=dev.txt --epoch=5
expect_grep "^train_seconds=[0-9.]* val_acc=[0-9.]*$" out.txt
expect_exit 2 sh examples/fasttext/train.sh --train=missing.tsv --dev=dev.txt
expect_grep "cannot read missing.tsv" err.txt
expect_exit 2 sh examples/fasttext/train.sh --train=data/sst2/train.tsv
set +e; sh examples/fasttext/train.sh --train=data/sst2/train.tsv --dev=dev.txt --nosuchoption=1 >out.txt 2>err.txt; rc=$?; set -e
[ "$rc" -ne 0 ] || fail "an option fastText refuses must fail the trial"
expect_exit 2 sh examples/fasttext/train.sh --train=data/sst2/train.tsv --dev=dev.txt --charNgrams=2 --maxn=4
expect_grep "charNgrams sets -minn and -maxn" err.txt

# what the wrapper hands fastText, seen by a stand-in that records its arguments: --charNgrams=N
# is -minn N -maxn N+3, an unused -bucket is 0, and fastText's NaN abort becomes diverged=1
mkdir -p fake
cat > fake/fasttext <<'FAKE'
#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case " $* " in *" -lr 99 "*) echo "terminate called after throwing: Encountered NaN." >&2; exit 134 ;; esac
exit 1
FAKE
chmod +x fake/fasttext
export FAKE_LOG="$PWD/fake.log"
expect_exit 1 env PATH="$PWD/fake:$PATH" sh examples/fasttext/train.sh --train=dev.txt --dev=dev.txt --charNgrams=2 --bucket=5000
expect_grep "-minn 2 -maxn 5 -bucket 5000$" fake.log
expect_exit 1 env PATH="$PWD/fake:$PATH" sh examples/fasttext/train.sh --train=dev.txt --dev=dev.txt --charNgrams=0 --bucket=5000
expect_grep "-minn 0 -maxn 0 -bucket 0$" fake.log
set +e; env PATH="$PWD/fake:$PATH" sh examples/fasttext/train.sh --train=dev.txt --dev=dev.txt --lr=99 >out.txt 2>err.txt; rc=$?; set -e
[ "$rc" -ne 0 ] || fail "a NaN loss must fail the trial"
expect_grep "^diverged=1$" out.txt
echo ok
