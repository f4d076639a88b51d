#!/bin/sh
# train.sh — lets liandan tune fastText's `supervised` mode: takes --name=value hyperparameters,
# trains on a train file, scores the dev (and optionally test) file with `fasttext test` and
# prints the metric lines liandan reads. Inputs may be TSV (`label<TAB>text`) or fastText
# (`__label__X text`) files; TSV is converted on the fly.
#
#   sh examples/fasttext/train.sh --train=T --dev=D [--test=F] [--save=PREFIX] [--threads=N]
#       [--charNgrams=N] [--lr=0.5 --epoch=25 --wordNgrams=2 --dim=100 --loss=softmax ...]
#
# Every --name=value that is not one of the wrapper's own options goes to fastText as
# `-name value`. The wrapper's own, besides the files: --charNgrams=N gives character n-grams of
# N to N+3 characters (-minn N -maxn N+3; 0: none), the tie fastText's autotune uses, so that a
# sweep can search one value where fastText needs maxn >= minn. As autotune does, -bucket is set
# to 0 when no n-gram needs it (wordNgrams 1, no character n-grams): fastText would allocate the
# unused buckets anyway. Prints `train_seconds=S val_acc=P@1 [test_acc=P@1]`; a run whose loss
# became NaN prints `diverged=1` (liandan then counts it as the worst result); exits non-zero on
# failure.
set -eu

train='' dev='' test='' save='' threads=${OMP_NUM_THREADS:-1}
ftargs='' chars='' minmax='' ngrams=1 bucket=''
for a; do
    case $a in
    --train=*) train=${a#--train=} ;;
    --dev=*) dev=${a#--dev=} ;;
    --test=*) test=${a#--test=} ;;
    --save=*) save=${a#--save=} ;;
    --threads=*) threads=${a#--threads=} ;;
    --charNgrams=*) chars=${a#--charNgrams=}
           case $chars in ''|*[!0-9]*) echo "train.sh: --charNgrams wants a length (0: none), not '$chars'" >&2; exit 2 ;; esac ;;
    --bucket=*) bucket=${a#--bucket=} ;;
    --*=*) name=${a%%=*}; name=${name#--}
           case $name in wordNgrams) ngrams=${a#*=} ;; minn|maxn) minmax=$a ;; esac
           ftargs="$ftargs -$name ${a#*=}" ;;
    *) echo "train.sh: unknown argument '$a' (want --name=value)" >&2; exit 2 ;;
    esac
done
if [ -z "$train" ] || [ -z "$dev" ]; then
    echo "train.sh: --train=FILE and --dev=FILE are required" >&2; exit 2
fi
if [ -n "$chars" ]; then
    [ -z "$minmax" ] || { echo "train.sh: --charNgrams sets -minn and -maxn: drop $minmax" >&2; exit 2; }
    if [ "$chars" -eq 0 ]; then ftargs="$ftargs -minn 0 -maxn 0"
    else ftargs="$ftargs -minn $chars -maxn $((chars + 3))"; fi
fi
if [ -n "$bucket" ]; then
    [ "$ngrams" = 1 ] && [ "${chars:-0}" -eq 0 ] && [ -z "$minmax" ] && bucket=0
    ftargs="$ftargs -bucket $bucket"
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
fasttext supervised -input "$train_ft" -output "$model" -thread "$threads" -verbose 1 $ftargs \
    2>"$tmp/err" || {
    rc=$?
    cat "$tmp/err" >&2
    # fastText aborts on a NaN loss (too high a learning rate): say so in liandan's terms
    grep -q 'Encountered NaN' "$tmp/err" && echo "diverged=1"
    exit "$rc"
}
cat "$tmp/err" >&2
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
