#!/bin/sh
# embeddings.sh — Kim's CNN-rand against CNN-static and CNN-non-static in liandan-textcnn, with
# word vectors that fastText's skipgram trains on each data set's own training text (tokenized
# as the trainer does), on TREC, MR and SST-2: test accuracy at the best validation epoch, all
# other flags at their defaults (Kim's settings, docs/textcnn.md). Accuracy only.
#
#   bench/textcnn/embeddings.sh [BUILD] [SEEDS...]    DATA=dir with trec/ mr/ sst2/, SETS="mr",
#                                                     DIM=300, FT_EPOCHS=20
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
[ $# -ge 1 ] && shift
[ $# -gt 0 ] || set -- 1
case $build in /*) ;; *) build="$root/$build" ;; esac
data=${DATA:-$root/../shared/datasets}
dim=${DIM:-300}
ft_epochs=${FT_EPOCHS:-20}
bin="$build/liandan-textcnn"
[ -x "$bin" ] || { echo "embeddings.sh: $bin missing; run make first" >&2; exit 2; }
command -v fasttext >/dev/null || { echo "embeddings.sh: fasttext missing (apt-get install fasttext)" >&2; exit 2; }
out=$(mktemp -d "${TMPDIR:-/tmp}/textcnn-embeddings.XXXXXX")
# fastText without subwords (-maxn 0) is word2vec's skipgram, the kind of vectors Kim used.
ft_flags="-dim $dim -epoch $ft_epochs -lr 0.1 -maxn 0 -minCount 1 -thread 2"

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  load: $(cut -d' ' -f1-3 /proc/loadavg)  seeds: $*"
echo "fasttext skipgram $ft_flags"
printf '%-6s %-11s %5s %9s %11s  %s\n' data variant seed test_acc best_epoch coverage
for ds in ${SETS:-trec mr sst2}; do
    cut -f2 "$data/$ds/train.tsv" | /usr/bin/python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
from textcnn_torch import tokenize
for line in sys.stdin:
    print(" ".join(tokenize(line)))' "$root/bench/textcnn" >"$out/$ds.txt"
    fasttext skipgram -input "$out/$ds.txt" -output "$out/$ds" $ft_flags >/dev/null 2>&1
    for seed in "$@"; do
        for variant in rand static non-static; do
            case $variant in
                rand) extra="" ;;
                static) extra="--embeddings $out/$ds.vec --freeze-embeddings" ;;
                non-static) extra="--embeddings $out/$ds.vec" ;;
            esac
            line=$("$bin" --train "$data/$ds/train.tsv" --dev "$data/$ds/dev.tsv" \
                   --test "$data/$ds/test.tsv" --emb "$dim" --seed "$seed" $extra \
                   2>"$out/err" | tail -n 1)
            acc=$(echo "$line" | sed -n 's/.*test_acc=\([0-9.]*\).*/\1/p')
            best=$(echo "$line" | sed -n 's/.*best_epoch=\([0-9]*\).*/\1/p')
            cov=$(sed -n 's/^embeddings: \([0-9]* of [0-9]*\) .*(\(.*\)).*/\1 (\2)/p' "$out/err")
            printf '%-6s %-11s %5s %9s %11s  %s\n' "$ds" "$variant" "$seed" "$acc" "$best" "$cov"
        done
    done
done
rm -rf "$out"
