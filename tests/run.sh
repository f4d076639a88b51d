#!/bin/sh
# run.sh — runs the unit tests (build/tests/test_*) and the end-to-end tests (tests/e2e/*.sh).
#
#   tests/run.sh BUILD [unit|e2e]
#
# Each end-to-end test gets a fresh scratch folder in $TMPDIR and the environment variables
# LIANDAN (the binary), BUILD, TOOLS (helper programs) and ROOT (the repository). A test that
# exits 77 could not run its real part here (no Slurm, say) and is counted as skipped, apart from
# the passes. Exit status is non-zero when anything failed.
set -u
build=${1:-build}
which=${2:-all}
root=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build="$root/$build" ;; esac
failed=0
passed=0
skipped=0
failures=""

# A throwaway PostgreSQL server for the PostgreSQL storage tests (tests/pg_server.sh sets
# LIANDAN_TEST_PG_URL ...), stopped when the tests end. It failing to start is a test failure.
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/liandan-pg.XXXXXX")
trap '"$root/tests/pg_server.sh" stop "$pg_dir" >/dev/null 2>&1; rm -rf "$pg_dir"' EXIT
if "$root/tests/pg_server.sh" start "$pg_dir" >"$pg_dir.log" 2>&1; then
    . "$pg_dir/env"
else
    failed=$((failed + 1)); failures="$failures pg_server"
    echo "FAIL pg_server (no PostgreSQL server for the tests)"; sed 's/^/    /' "$pg_dir.log" | tail -n 20
fi
rm -f "$pg_dir.log"

if [ "$which" = all ] || [ "$which" = unit ]; then
    for t in "$build"/tests/test_*; do
        [ -x "$t" ] || continue
        if "$t" >"$build/tests/$(basename "$t").log" 2>&1; then
            passed=$((passed + 1)); echo "ok   unit/$(basename "$t")"
        else
            failed=$((failed + 1)); failures="$failures unit/$(basename "$t")"
            echo "FAIL unit/$(basename "$t")"; sed 's/^/    /' "$build/tests/$(basename "$t").log" | tail -n 40
        fi
    done
fi

if [ "$which" = all ] || [ "$which" = e2e ]; then
    for t in "$root"/tests/e2e/*.sh; do
        [ -f "$t" ] || continue
        name=$(basename "$t" .sh)
        scratch=$(mktemp -d "${TMPDIR:-/tmp}/liandan-e2e-$name.XXXXXX")
        (cd "$scratch" && LIANDAN="$build/liandan" BUILD="$build" TOOLS="$build/tools" \
            ROOT="$root" sh "$t") >"$scratch/test.log" 2>&1
        rc=$?
        if [ $rc -eq 0 ]; then
            passed=$((passed + 1)); echo "ok   e2e/$name"; rm -rf "$scratch"
        elif [ $rc -eq 77 ]; then
            skipped=$((skipped + 1)); echo "SKIP e2e/$name: $(grep -m1 'skipped' "$scratch/test.log")"
            rm -rf "$scratch"
        else
            failed=$((failed + 1)); failures="$failures e2e/$name"
            echo "FAIL e2e/$name (scratch kept in $scratch)"; tail -n 40 "$scratch/test.log" | sed 's/^/    /'
        fi
    done
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || { echo "failed:$failures"; exit 1; }
