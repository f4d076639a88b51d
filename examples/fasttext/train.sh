#!/bin/sh
# train.sh — lets liandan tune fastText's `supervised` mode: takes --name=value hyperparameters,
# trains on a train file, scores the dev (and optionally test) file with `fasttext test` and
# prints the metric lines liandan reads. Inputs may be TSV (`label<TAB>text`) or fastText
# (`__label__X text`) files; TSV is converted on the fly.
#
#   sh examples/fasttext/train.sh --train=T --dev=D [--test=F] [--save=PREFIX] [--threads=N]
#       [--lr=0.5 --epoch=25 --wordNgrams=2 --dim=100 --minCount=1 --loss=softmax ...]
#
# Every --name=value that is not one of the wrapper's own options goes to fastText as
# `-name value`. Prints `train_seconds=S val_acc=P@1 [test_acc=P@1]`; exits non-zero on failure.
set -eu

train='' dev='' test='' save='' threads=${OMP_NUM_THREADS:-1}
ftargs=
for a; do
    case $a in
    --train=*) train=${a#--train=} ;;
    --dev=*) dev=${a#--dev=} ;;
    --test=*) test=${a#--test=} ;;
    --save=*) save=${a#--save=} ;;
    --threads=*) threads=${a#--threads=} ;;
    --*=*) name=${a%%=*}; name=${name#--}
           ftargs="$ftargs -$name ${a#*=}" ;;
    *) echo "train.sh: unknown argument '$a' (want --name=value)" >&2; exit 2 ;;
    esac
done
if [ -z "$train" ] || [ -z "$dev" ]; then
    echo "train.sh: --train=FILE and --dev=FILE are required" >&2; exit 2
fi
command -v fasttext >/dev/null || { echo "train.sh: fasttext not found (apt-get install fasttext)" >&2; exit 127; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liandan-fasttext.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 143' TERM INT

# as_fasttext FILE NAME: prints a path to FILE in fastText's format, converting TSV when needed.
as_fasttext() {
    [ -r "$1" ] || { echo "train.sh: cannot read $1" >&2; exit 2; }
    if head -n 1 "$1" | grep -q '^__label__'; then
        echo "$1"
    else
        awk -F '\t' 'NF >= 2 { l = $1; sub(/^[^\t]*\t/, ""); gsub(/ /, "_", l); print "__label__" l " " $0 }' \
            "$1" > "$tmp/$2.txt"
        echo "$tmp/$2.txt"
    fi
}
train_ft=$(as_fasttext "$train" train)
dev_ft=$(as_fasttext "$dev" dev)
model=${save:-$tmp/model}

t0=$(date +%s.%N)
# shellcheck disable=SC2086  # ftargs is a list of -name value words
fasttext supervised -input "$train_ft" -output "$model" -thread "$threads" -verbose 1 $ftargs
t1=$(date +%s.%N)

# p_at_1 FILE: fastText's precision at 1 on FILE (= accuracy, one label per example).
p_at_1() {
    fasttext test "$model.bin" "$1" 1 | awk '$1 == "P@1" { print $2; found = 1 } END { exit !found }'
}
val=$(p_at_1 "$dev_ft") || { echo "train.sh: fasttext test on $dev failed" >&2; exit 1; }
line="train_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') val_acc=$val"
if [ -n "$test" ]; then
    tst=$(p_at_1 "$(as_fasttext "$test" test)") || { echo "train.sh: fasttext test on $test failed" >&2; exit 1; }
    line="$line test_acc=$tst"
fi
echo "$line"
