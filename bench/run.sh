#!/bin/sh
# run.sh — `make bench`: runs every benchmark in bench/, each with its anchor side by side, so one
# command measures everything the docs quote. A benchmark is bench/NAME.sh (other than this file)
# or bench/NAME/run.sh; it gets BUILD_DIR as its argument and exits 0 when done, 77 when skipped
# because a tool it needs is missing (it says which), anything else when it failed.
#
#   bench/run.sh BUILD_DIR [NAME...]     NAME: runner, textcnn, ... (default: all)
set -u

BUILD=${1:?usage: bench/run.sh BUILD_DIR [NAME...]}
shift
HERE=$(cd "$(dirname "$0")" && pwd)

scripts=""
for f in "$HERE"/*.sh "$HERE"/*/run.sh; do
    [ -f "$f" ] || continue
    [ "$f" = "$HERE/run.sh" ] && continue
    scripts="$scripts $f"
done

name_of() {
    case $1 in
    */run.sh) basename "$(dirname "$1")" ;;
    *) basename "$1" .sh ;;
    esac
}

wanted() {
    [ $# -eq 1 ] && return 0
    n=$1
    shift
    for w in "$@"; do [ "$w" = "$n" ] && return 0; done
    return 1
}

ran="" skipped="" failed=""
for f in $scripts; do
    n=$(name_of "$f")
    wanted "$n" "$@" || continue
    echo "=== bench $n ($f)"
    sh "$f" "$BUILD"
    rc=$?
    case $rc in
    0) ran="$ran $n" ;;
    77) skipped="$skipped $n"; echo "=== bench $n: skipped (see the message above)" ;;
    *) failed="$failed $n"; echo "=== bench $n: FAILED (exit $rc)" ;;
    esac
    echo
done

echo "bench: ran:${ran:- none}; skipped:${skipped:- none}; failed:${failed:- none}"
[ -z "$failed" ]
