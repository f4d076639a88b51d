#!/bin/sh
# accuracy.sh — liandan-textcnn with its default hyperparameters on TREC, MR and SST-2 (test
# accuracy at the best validation epoch), for several seeds, against the issue's targets (Kim
# 2014 CNN-rand: TREC >= 90%, MR >= 75%, SST-2 >= 79%). Accuracy only: timing is run.sh's job.
#
#   bench/textcnn/accuracy.sh [BUILD] [MODEL] [SEEDS...]   DATA=dir holding trec/ mr/ sst2/, SETS="mr"
#   e.g. bench/textcnn/accuracy.sh build cnn 1 2 3
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
model=${2:-cnn}
[ $# -ge 2 ] && shift 2 || set --
[ $# -gt 0 ] || set -- 1 2 3
case $build in /*) ;; *) build="$root/$build" ;; esac
data=${DATA:-$root/../shared/datasets}
bin="$build/liandan-textcnn"
[ -x "$bin" ] || { echo "accuracy.sh: $bin missing; run make first" >&2; exit 2; }

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  load: $(cut -d' ' -f1-3 /proc/loadavg)  model: $model  seeds: $*"
printf '%-6s %6s %5s %9s %11s\n' data target seed test_acc best_epoch
for ds in ${SETS:-trec mr sst2}; do
    case $ds in trec) target=0.90 ;; mr) target=0.75 ;; sst2) target=0.79 ;; esac
    sum=0 n=0
    for seed in "$@"; do
        line=$("$bin" --model "$model" --train "$data/$ds/train.tsv" --dev "$data/$ds/dev.tsv" \
               --test "$data/$ds/test.tsv" --seed "$seed" | tail -n 1)
        acc=$(echo "$line" | sed -n 's/.*test_acc=\([0-9.]*\).*/\1/p')
        best=$(echo "$line" | sed -n 's/.*best_epoch=\([0-9]*\).*/\1/p')
        printf '%-6s %6s %5s %9s %11s\n' "$ds" "$target" "$seed" "$acc" "$best"
        sum=$(awk -v s="$sum" -v a="$acc" 'BEGIN { print s + a }')
        n=$((n + 1))
    done
    awk -v s="$sum" -v n="$n" -v t="$target" -v d="$ds" \
        'BEGIN { m = s / n; printf "%-6s mean over %d seeds: %.4f (%s the target %s)\n", d, n, m, (m >= t ? "meets" : "MISSES"), t }'
done
