#!/bin/sh
# demo.sh — `make demo`: runs the example study in a scratch journal and shows what liandan
# recorded. Usage: examples/demo.sh [BUILD_DIR]
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
db="$build/demo.db"
rm -f "$db" "$db-wal" "$db-shm"
rm -rf "$build/demo.runs"
export LIANDAN_STORAGE="sqlite:///$db"
echo "== liandan run examples/toy/sweep.yaml   (journal: $db)"
"$build/liandan" run examples/toy/sweep.yaml
echo
echo "== liandan status"
"$build/liandan" status
echo
echo "== liandan trials toy-demo"
"$build/liandan" trials toy-demo
best=$("$build/liandan" best toy-demo --json | sed -n 's/.*"trial": \([0-9]*\).*/\1/p')
echo
echo "== liandan show toy-demo $best"
"$build/liandan" show toy-demo "$best"
echo
echo "== liandan note toy-demo --conclusion ... --next ..."
"$build/liandan" note toy-demo --conclusion "the best learning rate depends on the optimizer" \
    --next "refine lr around the best trial on a log scale"
echo
echo "Try: LIANDAN_STORAGE=sqlite:///$db $build/liandan export toy-demo --format csv"
