#!/bin/sh
# run.sh — liandan-textcnn against the same TextCNN in PyTorch (bench/textcnn/textcnn_torch.py),
# side by side in one run: MR, same hyperparameters, batch size and batch policy, at 1 and 2
# threads. Prints seconds per training epoch (mean over epochs 2..N; the eval passes are not
# counted), test accuracy at the best validation epoch, the speed ratio, the matrix-product work
# of one epoch with its arithmetic intensity, and OpenBLAS's large-sgemm rate (peak.c) as the
# practical peak of this machine. Check `uptime` first: the ratios only mean something on a quiet machine.
#
#   bench/textcnn/run.sh [BUILD] [EPOCHS]        DATA=path/to/mr (default ../shared/datasets/mr)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
epochs=${2:-10}
case $build in /*) ;; *) build="$root/$build" ;; esac
data=${DATA:-$root/../shared/datasets/mr}
py=/usr/bin/python3
bin="$build/liandan-textcnn"
[ -x "$bin" ] || { echo "run.sh: $bin missing; run make first" >&2; exit 2; }
[ -f "$data/train.tsv" ] || { echo "run.sh: $data/train.tsv missing; set DATA=" >&2; exit 2; }
$py -c 'import torch' 2>/dev/null ||
    { echo "run.sh: PyTorch missing; apt-get install python3-torch" >&2; exit 2; }
out=$(mktemp -d "${TMPDIR:-/tmp}/textcnn-bench.XXXXXX")
# Both programs use OpenMP; give both the same wait policy (liandan-textcnn's own default).
# With spinning threads on shared cores both slow down several times over.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
args="--train $data/train.tsv --dev $data/dev.tsv --test $data/test.tsv --epochs $epochs --seed 1"

# mean train_secs over epochs 2..N, then test_acc and best_epoch from the last line
summary() {
    awk '/^epoch=/ { for (i = 1; i <= NF; i++) { split($i, kv, "=");
                       if (kv[1] == "epoch") e = kv[2]; if (kv[1] == "train_secs" && e > 1) { s += kv[2]; n++ } } }
         /test_acc=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
         END { printf "%.3f %s %s\n", n ? s / n : 0, v["test_acc"], v["best_epoch"] }' "$1"
}

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
echo "data: $data  epochs: $epochs  (liandan-textcnn defaults: emb 300, windows 3,4,5, maps 100, dropout 0.5, max-norm 3, adam 1e-3, batch 50)"
printf '\n%-16s %7s %14s %9s %10s\n' implementation threads "s/epoch(train)" test_acc best_epoch
for t in 1 2; do
    "$bin" $args --threads "$t" --profile >"$out/c$t.txt" 2>"$out/c$t.err"
    OMP_NUM_THREADS=$t $py "$root/bench/textcnn/textcnn_torch.py" $args --threads "$t" >"$out/t$t.txt"
    set -- $(summary "$out/c$t.txt"); c_secs=$1; c_acc=$2; c_best=$3
    set -- $(summary "$out/t$t.txt"); t_secs=$1; t_acc=$2; t_best=$3
    printf '%-16s %7d %14s %9s %10s\n' liandan-textcnn "$t" "$c_secs" "$c_acc" "$c_best"
    printf '%-16s %7d %14s %9s %10s\n' "pytorch $($py -c 'import torch; print(torch.__version__)')" "$t" "$t_secs" "$t_acc" "$t_best"
    awk -v c="$c_secs" -v p="$t_secs" -v ca="$c_acc" -v pa="$t_acc" -v t="$t" 'BEGIN {
        printf "ratio at %d thread(s): liandan-textcnn is %.2fx faster per epoch; accuracy difference %+.1f points\n\n",
               t, p / c, 100 * (ca - pa) }'
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# The work of one epoch: matrix products counted by liandan-textcnn --profile (1 thread run).
cc -O2 "$root/bench/textcnn/peak.c" $(pkg-config --cflags --libs openblas) -o "$out/peak"
peak1=$("$out/peak" 1)
peak2=$("$out/peak" 2)
grep profile: "$out/c1.err" | awk -v e="$epochs" -v peak="$peak1" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    END { printf "liandan-textcnn at 1 thread, per epoch: %.1f GFLOP of matrix products in training steps (%.1f with the dev pass), intensity %.1f flop/byte\n",
          v["train_gflop"] / e, v["gemm_gflop"] / e, v["gemm_intensity"];
          printf "  the products ran at %.1f GFLOP/s = %.0f%% of peak; a whole training epoch averaged %.1f GFLOP/s = %.0f%% of peak\n",
          v["gemm_gflops"], 100 * v["gemm_gflops"] / peak, v["train_gflop"] / v["train_secs"],
          100 * v["train_gflop"] / v["train_secs"] / peak }'
echo "practical peak (OpenBLAS sgemm 2048^3, best of 7): $peak1 GFLOP/s at 1 thread, $peak2 GFLOP/s at 2 threads"
echo "raw outputs: $out"
