# lib.sh — what the shell benchmarks share: a clock and medians over a results file whose lines
# are "CONFIG VALUE" (the benchmarks run every configuration several times, round-robin).
# Sourced by bench/runner.sh, bench/history/run.sh and bench/bigstudy/run.sh; they set RESULTS
# before calling median.

now() { date +%s.%N; }

# The median VALUE of configuration $1 in $RESULTS, or nan when it has none.
median() {
    grep "^$1 " "$RESULTS" | awk '{ print $2 }' | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "nan";
              else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# need_programs NAME FILE...: every FILE is an executable, else NAME says which is missing and
# the benchmark exits 1.
need_programs() {
    name=$1
    shift
    for f; do
        if [ ! -x "$f" ]; then
            echo "$name: $f is missing; run make first" >&2
            exit 1
        fi
    done
}

# private_copies DIR FILE...: copies FILE... into DIR/bin, so that a `make` in the shared build
# folder during the run cannot swap them; prints DIR/bin.
private_copies() {
    dir=$1/bin
    shift
    mkdir -p "$dir"
    cp "$@" "$dir/"
    echo "$dir"
}

# The search space of the cost benchmarks (bench/history, bench/bigstudy), as a sweep's
# parameters: two uniform floats, a log-uniform float, an integer, a categorical, a unit float.
six_parameters() {
    cat <<'P'
parameters:
  a: {distribution: uniform, min: -5, max: 5}
  b: {distribution: uniform, min: -5, max: 5}
  c: {distribution: log_uniform_values, min: 0.001, max: 1}
  d: {distribution: int_uniform, min: 1, max: 100}
  e: {values: [x, y, z]}
  f: {distribution: uniform, min: 0, max: 1}
P
}
