#!/bin/sh
# bench/fasttext/run.sh — is liandan worth it for a tool that tunes itself? liandan tunes fastText
# with the example users copy (examples/fasttext/sweep.yaml, unchanged: bayes, parallel 2, one
# thread per trial) for T seconds, against fastText's own autotune (-autotune-validation dev
# -autotune-duration T, two threads) in the same run, same data, same T. Each best model is then
# scored on the test set. Prints: method, wall time, trials, dev acc, test acc (fastText's P@1).
#
#   bench/fasttext/run.sh [BUILD_DIR] [T_SECONDS] [DATASET]   (defaults: build 120 sst2)
set -eu
build=${1:-build}
T=${2:-120}
data=${3:-sst2}
root=$(cd "$(dirname "$0")/../.." && pwd)
case $build in /*) ;; *) build="$root/$build" ;; esac
shared=${LIANDAN_DATASETS:-/work/shared/datasets}
command -v fasttext >/dev/null || { echo "bench/fasttext: needs fasttext (apt-get install fasttext)"; exit 77; }
command -v jq >/dev/null || { echo "bench/fasttext: needs jq (scripts/deps.sh --test)"; exit 77; }
[ -r "$shared/$data/train.tsv" ] || { echo "bench/fasttext: no $shared/$data/train.tsv"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/liandan-bench-fasttext.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export LIANDAN_STORAGE="sqlite:///$work/bench.db"
. "$root/bench/fasttext/lib.sh"

echo "fastText $(dpkg-query -W -f='${Version}' fasttext 2>/dev/null || echo '?'), data $data, T = ${T}s, load $(cut -d' ' -f1-3 /proc/loadavg)"

# liandan: the example sweep as users run it, from a folder that looks like the repository root
ln -s "$root/examples" examples
mkdir data && ln -s "$shared/$data" "data/sst2"   # the sweep reads data/sst2/: DATASET stands in for it
t0=$(now)
"$build/liandan" run examples/fasttext/sweep.yaml --time "${T}s" --trials 100000 -q >liandan.out 2>&1 ||
    { cat liandan.out; echo "bench/fasttext: liandan run failed"; exit 1; }
t1=$(now)
"$build/liandan" export fasttext-sst2 --format json > study.json
l_trials=$(jq '[.trials[] | select(.state == "complete")] | length' study.json)
l_all=$(jq '.trials | length' study.json)
best=$(jq -c '[.trials[] | select(.state == "complete")] | max_by(.value)' study.json)
l_dev=$(echo "$best" | jq '.value')
l_test=$(echo "$best" | jq '.metrics.test_acc[0][1]')
l_params=$(echo "$best" | jq -c '.params')
l_wall=$(elapsed "$t0" "$t1")

# fastText's autotune: the same files in its format, the same two cores
for s in train dev test; do ft_from_tsv "$shared/$data/$s.tsv" "$s.txt"; done
t0=$(now)
ft_autotune train.txt dev.txt auto "$T" 2 ||
    { tail -n 20 auto.err; echo "bench/fasttext: fasttext autotune failed"; exit 1; }
t1=$(now)
a_wall=$(elapsed "$t0" "$t1")
a_trials=$(ft_autotune_trials auto)
a_dev=$(ft_p_at_1 auto.bin dev.txt)
a_test=$(ft_p_at_1 auto.bin test.txt)

printf '%-26s %8s %7s %8s %8s\n' method wall_s trials dev_acc test_acc
printf '%-26s %8s %7s %8s %8s\n' "liandan bayes, parallel 2" "$l_wall" "$l_trials" "$l_dev" "$l_test"
printf '%-26s %8s %7s %8s %8s\n' "fastText autotune, 2 thr" "$a_wall" "$a_trials" "$a_dev" "$a_test"
echo "liandan: $l_all trials started, best $l_params"
echo "autotune: best $(ft_autotune_best auto)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
