#!/bin/sh
# rcnn.sh — liandan-textcnn's RCNN against its TextCNN and against the same RCNN in PyTorch
# (bench/textcnn/rcnn_torch.py), the numbers of docs/bench-textcnn.md "RCNN":
#
#   accuracy  named configurations (TextCNN and RCNN with their flags) on TREC, MR and SST-2
#             for several seeds: best validation accuracy and the test accuracy of that epoch,
#             per run and as means (JOBS runs at a time, 1 thread each; no timing here)
#   speed     RCNN on MR, liandan-textcnn then PyTorch, one after the other in this run, at 1
#             and 2 threads: seconds per training epoch (mean over epochs 2..N, the dev pass not
#             counted), training examples per second, test accuracy, and the ratio
#
#   bench/textcnn/rcnn.sh [BUILD] [accuracy|speed|all]
#   environment: DATA (dir holding trec/ mr/ sst2/), SETS ("trec mr sst2"), SEEDS ("1 2 3"),
#     CONFIGS ("name=flags;name=flags", default "cnn=--model cnn;rcnn=--model rcnn"),
#     RCNN_ARGS (speed: the RCNN's flags), JOBS (2), EPOCHS (speed: 3)
# Check `uptime` first and report the load with the numbers.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
part=${2:-all}
case $build in /*) ;; *) build="$root/$build" ;; esac
data=${DATA:-$root/../shared/datasets}
bin="$build/liandan-textcnn"
py=/usr/bin/python3
[ -x "$bin" ] || { echo "rcnn.sh: $bin missing; run make first" >&2; exit 2; }
out=$(mktemp -d "${TMPDIR:-/tmp}/rcnn-bench.XXXXXX")
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}

# key=value of the last line of a file that has the key
value() { awk -v k="$2" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) v = kv[2] } }
                         END { print v }' "$1"; }

accuracy() {
    echo "accuracy: date $(date -u +%Y-%m-%dT%H:%MZ)  load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "${CONFIGS:-cnn=--model cnn;rcnn=--model rcnn}" | tr ';' '\n' >"$out/configs"
    sed 's/^\([^=]*\)=/  \1: /' "$out/configs"
    : >"$out/jobs"
    for ds in ${SETS:-trec mr sst2}; do
        for seed in ${SEEDS:-1 2 3}; do
            while IFS='=' read -r name flags; do
                echo "$ds $name $seed $flags" >>"$out/jobs"
            done <"$out/configs"
        done
    done
    # each line: data model seed flags...; the output lands in $out/<data>-<model>-<seed>.txt
    while read -r ds model seed flags; do
        echo "$bin $flags --train $data/$ds/train.tsv --dev $data/$ds/dev.tsv --test $data/$ds/test.tsv --seed $seed --threads 1 >$out/$ds-$model-$seed.txt"
    done <"$out/jobs" | xargs -P "${JOBS:-2}" -I{} sh -c '{}'
    printf '%-6s %-10s %5s %13s %9s %11s\n' data config seed best_val_acc test_acc best_epoch
    while read -r ds model seed flags; do
        f="$out/$ds-$model-$seed.txt"
        printf '%-6s %-10s %5s %13s %9s %11s\n' "$ds" "$model" "$seed" "$(value "$f" best_val_acc)" \
            "$(value "$f" test_acc)" "$(value "$f" best_epoch)"
    done <"$out/jobs" | tee "$out/table"
    awk '{ k = $1 " " $2; v[k] += $4; t[k] += $5; n[k]++; if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
         END { for (i = 1; i <= m; i++) { k = order[i];
               printf "mean %-16s over %d seeds: best_val_acc %.4f  test_acc %.4f\n", k, n[k], v[k] / n[k], t[k] / n[k] } }' "$out/table"
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# mean train_secs over epochs 2..N, then test_acc and best_epoch from the last line
summary() {
    awk '/^epoch=/ { for (i = 1; i <= NF; i++) { split($i, kv, "=");
                       if (kv[1] == "epoch") e = kv[2]; if (kv[1] == "train_secs" && e > 1) { s += kv[2]; n++ } } }
         /test_acc=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
         END { printf "%.3f %s %s\n", n ? s / n : 0, v["test_acc"], v["best_epoch"] }' "$1"
}

speed() {
    $py -c 'import torch' 2>/dev/null ||
        { echo "rcnn.sh: PyTorch missing; apt-get install python3-torch" >&2; exit 2; }
    epochs=${EPOCHS:-3}
    n=$(grep -c "$(printf '\t')" "$data/mr/train.tsv")
    args="--train $data/mr/train.tsv --dev $data/mr/dev.tsv --test $data/mr/test.tsv --epochs $epochs --seed 1 ${RCNN_ARGS:-}"
    echo "speed: date $(date -u +%Y-%m-%dT%H:%MZ)  host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
    echo "MR ($n training examples), $epochs epochs, RCNN flags: ${RCNN_ARGS:-(defaults)}"
    printf '\n%-16s %7s %14s %11s %9s %10s\n' implementation threads "s/epoch(train)" examples/s test_acc best_epoch
    for t in 1 2; do
        "$bin" --model rcnn $args --threads "$t" >"$out/c$t.txt"
        OMP_NUM_THREADS=$t $py "$root/bench/textcnn/rcnn_torch.py" $args --threads "$t" >"$out/t$t.txt"
        set -- $(summary "$out/c$t.txt"); c_secs=$1; c_acc=$2; c_best=$3
        set -- $(summary "$out/t$t.txt"); t_secs=$1; t_acc=$2; t_best=$3
        printf '%-16s %7d %14s %11.0f %9s %10s\n' liandan-textcnn "$t" "$c_secs" \
            "$(awk -v n="$n" -v s="$c_secs" 'BEGIN { print n / s }')" "$c_acc" "$c_best"
        printf '%-16s %7d %14s %11.0f %9s %10s\n' "pytorch $($py -c 'import torch; print(torch.__version__)')" \
            "$t" "$t_secs" "$(awk -v n="$n" -v s="$t_secs" 'BEGIN { print n / s }')" "$t_acc" "$t_best"
        awk -v c="$c_secs" -v p="$t_secs" -v t="$t" 'BEGIN {
            printf "ratio at %d thread(s): liandan-textcnn is %.2fx faster per training epoch\n\n", t, p / c }'
    done
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

case $part in
accuracy) accuracy ;;
speed) speed ;;
all) accuracy; speed ;;
*) echo "rcnn.sh: expected accuracy, speed or all, got \"$part\"" >&2; exit 2 ;;
esac
echo "raw outputs: $out"
