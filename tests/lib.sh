# lib.sh — shared by the end-to-end tests (tests/e2e/*.sh); sourced, not run.
# Each test runs in a fresh scratch folder with LIANDAN, TOOLS and ROOT set by tests/run.sh.
set -eu
export LIANDAN_STORAGE="sqlite:///$PWD/test.db"
unset OMP_NUM_THREADS OPENBLAS_NUM_THREADS MKL_NUM_THREADS 2>/dev/null || true

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
# expect_exit CODE CMD...: runs CMD, keeps stdout in out.txt and stderr in err.txt.
expect_exit() {
    want=$1; shift
    set +e; "$@" >out.txt 2>err.txt; got=$?; set -e
    [ "$got" = "$want" ] || { cat err.txt >&2; fail "'$*' exited $got, expected $want"; }
}
expect_grep() { grep -q -- "$1" "$2" || { cat "$2" >&2; fail "'$1' not found in $2"; }; }
ld() { "$LIANDAN" "$@"; }
# A trial script: reads --x=N --y=S, prints two metric lines and records what it printed.
write_quadratic_trial() {
    cat > trial.sh <<'TRIAL'
for a; do case $a in --x=*) x=${a#--x=};; --y=*) y=${a#--y=};; esac; done
v=$(awk -v x="$x" -v y="$y" 'BEGIN{printf "%.6f", (x-0.3)*(x-0.3) + (y=="b" ? 0 : 1)}')
echo "epoch=1 loss=$(awk -v v="$v" 'BEGIN{print v+1}') acc=0.5"
echo "a log line that is not a metric: loss is falling"
echo "epoch=2 loss=$v acc=0.75"
echo "$LIANDAN_TRIAL $x $y $v" >> printed.txt
TRIAL
}
# A single-node Slurm cluster (tests/slurm_cluster.sh) for this test, stopped when it exits;
# SLURM_CONF and PATH set for sbatch and friends. Exits 77 (skipped) where Slurm cannot run.
start_slurm_cluster() {
    cluster=$(mktemp -d "${TMPDIR:-/tmp}/liandan-slurm.XXXXXX")
    trap '"$ROOT/tests/slurm_cluster.sh" stop "$cluster" >/dev/null 2>&1; rm -rf "$cluster"' EXIT
    trap 'exit 130' INT TERM HUP # so that the EXIT trap stops the daemons on a signal too
    set +e; "$ROOT/tests/slurm_cluster.sh" start "$cluster" > cluster.log 2>&1; rc=$?; set -e
    [ $rc -ne 77 ] || { cat cluster.log; exit 77; }
    [ $rc -eq 0 ] || { cat cluster.log >&2; fail "the Slurm cluster did not start"; }
    . "$cluster/env"
}
