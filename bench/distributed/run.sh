#!/bin/sh
# run.sh — claim throughput of PostgreSQL and SQLite with 8 workers (docs/bench-distributed.md).
#
#   bench/distributed/run.sh [BUILD] [WORKERS] [TRIALS]      defaults: build 8 1000
#
# Builds claim.c against BUILD/libliandan.a, starts a throwaway PostgreSQL server on 127.0.0.1
# (tests/pg_server.sh; fsync on, so commits are durable as on a real server), and runs the same
# random-search study on both back-ends: WORKERS processes claim and end TRIALS trials between
# them. Prints one line per back-end: workers, trials, seconds, trials per second.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
workers=${2:-8}
trials=${3:-1000}
case $build in /*) ;; *) build="$root/$build" ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/liandan-bench-dist.XXXXXX")
pg=$(mktemp -d "${TMPDIR:-/tmp}/liandan-bench-pg.XXXXXX") # the server's user must reach it
trap '"$root/tests/pg_server.sh" stop "$pg" >/dev/null 2>&1 || true; rm -rf "$work" "$pg"' EXIT

cc -std=c11 -D_GNU_SOURCE -O2 -I"$root/include" -o "$work/claim" "$root/bench/distributed/claim.c" \
    "$build/libliandan.a" $(pkg-config --libs yaml-0.1 sqlite3 lapacke openblas libcurl libarchive libcrypto libpq) -lm

cat > "$work/sweep.yaml" <<Y
name: claims
method: random
metric: {name: loss}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-5, max: 1.0}
  layers: {distribution: int_uniform, min: 1, max: 8}
  optimizer: {values: [sgd, adam, rmsprop]}
budget: {trials: $trials}
seed: 1
Y

"$root/tests/pg_server.sh" start "$pg" >/dev/null
. "$pg/env"
# the test server runs without fsync; the benchmark wants a durable one
psql -X -q "$LIANDAN_TEST_PG_URL" -c "ALTER SYSTEM SET fsync = on" \
    -c "ALTER SYSTEM SET synchronous_commit = on" -c "ALTER SYSTEM SET full_page_writes = on"
"$root/tests/pg_server.sh" restart "$pg"
psql -X -q "$LIANDAN_TEST_PG_URL" -c "CREATE DATABASE bench"

echo "# $(date -u +%Y-%m-%dT%H:%MZ), load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "# backend workers trials seconds trials/s"
printf 'postgresql '
"$work/claim" "${LIANDAN_TEST_PG_URL%/*}/bench" "$work/sweep.yaml" "$workers"
printf 'sqlite '
"$work/claim" "sqlite:///$work/bench.db" "$work/sweep.yaml" "$workers"
