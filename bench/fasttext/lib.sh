# bench/fasttext/lib.sh — the fastText steps the benchmarks share (bench/fasttext/run.sh,
# bench/playbook/run.sh), so that both convert data, run autotune and score a model the same
# way. Sourced, not run; needs Debian's `fasttext` on PATH. Every function fails (non-zero) when
# fastText does; none of them prints anything but its result on stdout.

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ft_from_tsv IN OUT: writes IN (`label<TAB>text` lines) to OUT as fastText's `__label__L text`.
ft_from_tsv() {
    awk -F '\t' 'NF >= 2 { l = $1; sub(/^[^\t]*\t/, ""); print "__label__" l " " $0 }' "$1" > "$2"
}

# ft_p_at_1 MODEL.bin FILE: fastText's precision at 1 on FILE (accuracy, one label an example).
ft_p_at_1() {
    fasttext test "$1" "$2" 1 | awk '$1 == "P@1" { print $2; found = 1 } END { exit !found }'
}

# ft_autotune TRAIN DEV PREFIX SECONDS THREADS [FASTTEXT_ARGS...]: fastText's own search for
# SECONDS on TRAIN, scored on DEV (its f1, which is accuracy with one label an example), then its
# retraining of the best configuration into PREFIX.bin. The trials go to PREFIX.log
# (-verbose 3), the progress to PREFIX.err.
# Guards: without a memory bound, a trial with a large dim x bucket table grew to 24 GB and the
# kernel's OOM killer ended autotune (3 of its runs here). Under `ulimit -v` of FT_MEMORY_KB
# (default three quarters of MemTotal) that trial's allocation fails instead, and autotune skips
# it and goes on (autotune.cc catches std::bad_alloc: "ignore parameter samples asking too much
# memory"). `timeout` kills it at 4 x SECONDS + 5 minutes.
ft_autotune() {
    _train=$1 _dev=$2 _prefix=$3 _secs=$4 _threads=$5
    shift 5
    _mem=${FT_MEMORY_KB:-$(awk '$1 == "MemTotal:" { printf "%d", $2 * 3 / 4 }' /proc/meminfo)}
    (
        ulimit -v "$_mem" || exit 1
        exec timeout --signal=KILL $((_secs * 4 + 300)) fasttext supervised -input "$_train" \
            -output "$_prefix" -autotune-validation "$_dev" -autotune-duration "$_secs" \
            -thread "$_threads" -verbose 3 "$@"
    ) >"$_prefix.log" 2>"$_prefix.err"
}

# ft_autotune_trials PREFIX: how many trials autotune started (from PREFIX.log).
ft_autotune_trials() { grep -c '^Trial = ' "$1.log" || true; }

# ft_autotune_best PREFIX: autotune's best trial and its parameters, from PREFIX.log.
ft_autotune_best() {
    awk '/^Trial = /{n=$3} /^currentScore = /{s[n]=$3}
         /^(epoch|lr|dim|wordNgrams|minn|maxn|bucket|loss) = /{a[n]=a[n] " " $1 "=" $3}
         END{b=0; for(i in s) if (s[i]+0 > s[b]+0) b=i; print "trial " b ", dev score " s[b] ":" a[b]}' "$1.log"
}
