#!/bin/sh
# bench/playbook/run.sh — does liandan's tuning playbook pick models as good as the baselines a
# practitioner would reach for? For each data set and each of R runs it measures the test
# accuracy of what each method chose by validation:
#   playbook  `liandan init --preset P --data DIR --time T`, `liandan run`, then the test accuracy
#             of `liandan best NAME --json` (.metrics.test_acc.mean)
#   autotune  fastText's own search for T on dev, its retrained best model scored on test
#   kim       liandan-textcnn at Kim (2014)'s CNN-rand settings, its best dev epoch scored on test
# and prints a table (mean ± sd over the runs, wall time) beside Kim's CNN-rand figures. A method
# that fails is reported with its reason and the others go on; the exit status is then 1.
#
#   bench/playbook/run.sh [BUILD_DIR] [--time 5m] [--runs 3] [--sets trec,mr,sst2]
#       [--preset textcnn|rcnn|fasttext] [--methods playbook,autotune,kim] [--threads 2]
#       [--data DIR] [--results FILE] [--keep DIR]
#   quick smoke run: bench/playbook/run.sh build --time 30s --runs 1 --sets trec
#
# Run r uses seed r for every method. --results appends one tab-separated row per method and
# run (set method run status test_acc wall_s detail); bench/playbook/table.awk tables such files.
# The page with the measured numbers: docs/bench-playbook.md.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=build time=5m runs=3 sets=trec,mr,sst2 preset=textcnn methods=playbook,autotune,kim
threads=$(nproc 2>/dev/null || echo 2) data=${LIANDAN_DATASETS:-/work/shared/datasets}
results='' keep=''
usage() { sed -n '12,16p' "$0" | sed 's/^# \{0,3\}//' >&2; exit 2; }
case ${1:-} in -*|'') ;; *) build=$1; shift ;; esac
while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || usage
    case $1 in
    --time) time=$2 ;; --runs) runs=$2 ;; --sets) sets=$2 ;; --preset) preset=$2 ;;
    --methods) methods=$2 ;; --threads) threads=$2 ;; --data) data=$2 ;;
    --results) results=$2 ;; --keep) keep=$2 ;;
    *) usage ;;
    esac
    shift 2
done
case $build in /*) ;; *) build="$root/$build" ;; esac
case $preset in textcnn|rcnn|fasttext) ;; *) echo "bench/playbook: --preset is textcnn, rcnn or fasttext, not '$preset'" >&2; exit 2 ;; esac
case $runs in ''|*[!0-9]*|0) echo "bench/playbook: --runs wants a count, not '$runs'" >&2; exit 2 ;; esac
# T in seconds for autotune: 90, 90s, 5m, 1h, 1h30m
secs=$(echo "$time" | awk '{ t = 0; s = $0
    while (match(s, /^[0-9]+[smh]?/)) { p = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1)
        u = substr(p, length(p)); n = p + 0; t += u == "h" ? 3600 * n : u == "m" ? 60 * n : n }
    if (s != "" || t == 0) exit 1; print t }') ||
    { echo "bench/playbook: --time wants 90s, 5m, 1h30m..., not '$time'" >&2; exit 2; }
for m in $(echo "$methods" | tr , ' '); do
    case $m in playbook|autotune|kim) ;; *) echo "bench/playbook: unknown method '$m' (playbook, autotune, kim)" >&2; exit 2 ;; esac
done
command -v jq >/dev/null || { echo "bench/playbook: needs jq (scripts/deps.sh --test)"; exit 77; }
command -v fasttext >/dev/null || { echo "bench/playbook: needs fasttext (apt-get install fasttext)"; exit 77; }
[ -x "$build/liandan-textcnn" ] || { echo "bench/playbook: $build/liandan-textcnn missing; run make first"; exit 77; }
for s in $(echo "$sets" | tr , ' '); do
    for f in train dev test; do
        [ -r "$data/$s/$f.tsv" ] || { echo "bench/playbook: no $data/$s/$f.tsv (--data DIR)"; exit 77; }
    done
done
. "$root/bench/fasttext/lib.sh"

if [ -n "$keep" ]; then mkdir -p "$keep"; work=$(cd "$keep" && pwd)
else work=$(mktemp -d "${TMPDIR:-/tmp}/liandan-bench-playbook.XXXXXX"); trap 'rm -rf "$work"' EXIT
fi
rows="$work/results.tsv"
: > "$rows"
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}

# Each method_* SET RUN DIR runs in its own folder DIR and prints `ACC<TAB>DETAIL` (ACC the test
# accuracy as a fraction) on success; on failure it prints the reason and returns non-zero.

method_playbook() {
    export LIANDAN_STORAGE="sqlite:///$3/journal.db"
    "$build/liandan" init --preset "$preset" --data "$data/$1" --time "$time" -o sweep.yaml \
        >init.out 2>init.err ||
        { echo "liandan init --preset $preset --data $data/$1 --time $time exited $?: $(head -n 1 init.err)"; return 1; }
    # the run's seed, so that the R runs differ as the other methods' do
    if grep -q '^seed:' sweep.yaml; then sed -i "s/^seed:.*/seed: $2/" sweep.yaml; else echo "seed: $2" >> sweep.yaml; fi
    name=$(sed -n 's/^name:[[:space:]]*\([^#[:space:]]*\).*/\1/p' sweep.yaml | head -n 1 | tr -d "\"'")
    [ -n "$name" ] || { echo "the written sweep.yaml has no name: line"; return 1; }
    "$build/liandan" run sweep.yaml >run.out 2>&1 ||
        { echo "liandan run exited $?: $(tail -n 1 run.out)"; return 1; }
    "$build/liandan" best "$name" --json >best.json 2>best.err ||
        { echo "liandan best $name --json exited $?: $(head -n 1 best.err)"; return 1; }
    acc=$(jq -r '.metrics.test_acc.mean // empty' best.json)
    line=$(grep 'test_acc=' run.out | tail -n 1 | sed -n 's/.*test_acc=\([0-9.e+-]*\).*/\1/p')
    [ -n "$acc" ] || { echo "liandan best --json has no .metrics.test_acc.mean (the run's last test_acc= line: ${line:-none})"; return 1; }
    printf '%s\tstudy %s, sd %s over %s, params %s\n' "$acc" "$name" \
        "$(jq -r '.metrics.test_acc.sd' best.json)" "$(jq -r '.metrics.test_acc.n' best.json)" \
        "$(jq -c '.params' best.json)"
}

method_autotune() {
    for f in train dev test; do ft_from_tsv "$data/$1/$f.tsv" "$f.txt"; done
    ft_autotune train.txt dev.txt auto "$secs" "$threads" -seed "$2" ||
        { echo "fasttext autotune exited $?: $(tr '\r' '\n' < auto.err | grep -v '^Progress' | tail -n 1)"; return 1; }
    acc=$(ft_p_at_1 auto.bin test.txt) || { echo "fasttext test on test.txt failed"; return 1; }
    printf '%s\t%s trials, best %s\n' "$acc" "$(ft_autotune_trials auto)" "$(ft_autotune_best auto)"
    rm -f auto.bin auto.vec      # up to gigabytes each
}

# Kim (2014), CNN-rand: random 300-d embeddings, windows 3,4,5 with 100 maps each, ReLU, dropout
# 0.5, l2 norm constraint 3 on the output weights, mini-batches of 50, Adadelta (rho 0.95, eps
# 1e-6), early stopping on dev; 25 epochs as in Kim's released code.
kim_args="--model cnn --emb 300 --windows 3,4,5 --maps 100 --dropout 0.5 --max-norm 3 --batch 50 --optimizer adadelta --epochs 25"
method_kim() {
    # shellcheck disable=SC2086  # kim_args is a list of flags
    "$build/liandan-textcnn" --train "$data/$1/train.tsv" --dev "$data/$1/dev.tsv" \
        --test "$data/$1/test.tsv" $kim_args --seed "$2" --threads "$threads" >kim.out 2>kim.err ||
        { echo "liandan-textcnn exited $?: $(tail -n 1 kim.err)"; return 1; }
    last=$(tail -n 1 kim.out)
    acc=$(echo "$last" | sed -n 's/.*test_acc=\([0-9.]*\).*/\1/p')
    [ -n "$acc" ] || { echo "liandan-textcnn printed no test_acc: $last"; return 1; }
    printf '%s\tbest epoch %s of 25, dev %s\n' "$acc" \
        "$(echo "$last" | sed -n 's/.*best_epoch=\([0-9]*\).*/\1/p')" \
        "$(echo "$last" | sed -n 's/.*best_val_acc=\([0-9.]*\).*/\1/p')"
}

label() {
    case $1 in
    playbook) echo "liandan playbook $preset" ;; autotune) echo "fastText autotune" ;;
    kim) echo "textcnn Kim CNN-rand" ;;
    esac
}

echo "bench/playbook: $(date -u +%Y-%m-%dT%H:%MZ), sets $sets, $runs run(s), T $time, threads $threads, fastText $(dpkg-query -W -f='${Version}' fasttext 2>/dev/null || echo '?'), load $(cut -d' ' -f1-3 /proc/loadavg)"
failures=0
for s in $(echo "$sets" | tr , ' '); do
    r=1
    while [ "$r" -le "$runs" ]; do
        for m in $(echo "$methods" | tr , ' '); do
            d="$work/$s/$r/$m"
            mkdir -p "$d"
            t0=$(now)
            if out=$(cd "$d" && "method_$m" "$s" "$r" "$d"); then status=ok; else status=failed; fi
            wall=$(elapsed "$t0" "$(now)")
            if [ $status = ok ]; then
                acc=$(printf '%s\n' "$out" | tail -n 1 | cut -f 1)
                detail=$(printf '%s\n' "$out" | tail -n 1 | cut -f 2-)
                echo "bench/playbook: $s run $r $m: test_acc $acc in ${wall}s ($detail)" >&2
            else
                acc='' detail=$(printf '%s\n' "$out" | tail -n 1)
                failures=$((failures + 1))
                echo "bench/playbook: $s run $r $m: FAILED after ${wall}s: $detail (logs in $d${keep:+; kept}); going on" >&2
            fi
            row=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s' "$s" "$(label "$m")" "$r" "$status" "$acc" "$wall" "$detail")
            echo "$row" >> "$rows"
            [ -z "$results" ] || echo "$row" >> "$results"
        done
        r=$((r + 1))
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -f "$root/bench/playbook/table.awk" "$rows"
[ "$failures" -eq 0 ] || { echo "bench/playbook: $failures method run(s) failed (reasons above)"; exit 1; }
