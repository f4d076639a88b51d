#!/bin/sh
# bench/pruning/judge.sh — the time of one early-stopping judgement (the question liandan asks
# at every metric line a trial prints), liandan's rules in C (judge.c) beside Optuna's pruners
# (judge_optuna.py) on the same curves: 47 complete trials of 27 epochs and a running trial
# with K reports, K = 9 (a rung of min_iter 3, eta 3) and 20.
#
#   bench/pruning/judge.sh [BUILD_DIR]
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
case $build in /*) ;; *) build="$root/$build" ;; esac
[ -r "$build/libliandan.a" ] ||
    { echo "bench/pruning: $build/libliandan.a missing; run make"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/liandan-bench-judge.XXXXXX")
trap 'rm -rf "$work"' EXIT
pkgs=$(make -s -C "$root" -p -n 2>/dev/null | sed -n 's/^PKGS := //p' | head -1)
# shellcheck disable=SC2086
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$root/include" -I"$root/src" \
    $(pkg-config --cflags $pkgs) -o "$work/judge" "$root/bench/pruning/judge.c" \
    "$build/libliandan.a" $(pkg-config --libs $pkgs) -lm
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for k in 9 20; do
    echo "== 47 complete trials, the running one at epoch $k (microseconds per judgement)"
    "$work/judge" 47 "$k" 20000 | cut -c1-110
    if /usr/bin/python3 -c 'import optuna' 2>/dev/null; then
        /usr/bin/python3 "$root/bench/pruning/judge_optuna.py" 47 "$k" 2000
    else
        echo "(no Optuna for /usr/bin/python3: the anchor is skipped;" \
            "apt-get install python3-optuna)"
    fi
done
