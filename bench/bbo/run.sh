#!/bin/sh
# run.sh — the black-box benchmark (docs/bench-samplers.md): liandan's random, sobol, tpe, gp and
# bayes against Optuna's TPE (uni- and multivariate), random, CMA-ES and QMC on the shared bbo
# functions, 100 trials x 20 seeds, both sides in this one run; then the overhead per ask+tell.
#
#   bench/bbo/run.sh BUILD_DIR [BBO_DIR]      BBO_DIR: the shared harness (default ../shared/bbo)
#   SEEDS=20 TRIALS=100 REPS=20 AT=100,1000,5000 GP_AT=100,200 GP_REPS=25 TPE_REPS=200
#   BLOCKS=5 OUT=/tmp/bbo-results                                         (environment)
#
# Exit 77 when /usr/bin/python3 has no Optuna (the anchor cannot run).
set -eu
BUILD=${1:?usage: bench/bbo/run.sh BUILD_DIR [BBO_DIR]}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BBO=$(cd "${2:-$ROOT/../shared/bbo}" && pwd)
SEEDS=${SEEDS:-20}
TRIALS=${TRIALS:-100}
REPS=${REPS:-20}
AT=${AT:-100,1000,5000}
GP_AT=${GP_AT:-100,200}
OUT=${OUT:-/tmp/bbo-results}
PY=/usr/bin/python3

if ! $PY -c 'import optuna, cmaes' 2>/dev/null; then
    echo "bench/bbo: $PY has no optuna/cmaes (apt-get install python3-optuna python3-cmaes)" >&2
    exit 77
fi
mkdir -p "$OUT"
make -s -C "$ROOT" "$BUILD/libliandan.a" >&2
PKGS=$(make -s -C "$ROOT" -p -n 2>/dev/null | sed -n 's/^PKGS := //p' | head -1)
# shellcheck disable=SC2086
cc -std=c11 -D_GNU_SOURCE -O2 -I"$ROOT/include" -I"$ROOT/src" $(pkg-config --cflags $PKGS) \
    -DBBO_EVAL_C="\"$BBO/eval.c\"" -o "$OUT/bbo" "$HERE/bbo.c" "$ROOT/$BUILD/libliandan.a" \
    $(pkg-config --libs $PKGS) -lm

echo "== $(date -u +%Y-%m-%dT%H:%MZ) load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# Regret: both sides, the same functions, seeds and budget.
"$OUT/bbo" regret --seeds "$SEEDS" --trials "$TRIALS" > "$OUT/liandan.json"
$PY "$BBO/optuna_baseline.py" --seeds "$SEEDS" --trials "$TRIALS" --out "$OUT/optuna.json" > /dev/null
echo "== regret done, load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# Overhead: tpe at AT, gp at GP_AT (its O(n^3) refit makes 5,000 trials minutes per ask).
# tpe: 200 rounds (TPE_REPS), not REPS: 20 rounds of under half a millisecond make a window of a
# few milliseconds that one hiccup of a shared machine moves by half; the history grows by the
# rounds, which only makes liandan's mean slower (about 10% at N = 1,000).
# Both sides: the median of BLOCKS (default 5) blocks, each from a fresh history.
"$OUT/bbo" overhead --samplers tpe --at "$AT" --reps "${TPE_REPS:-200}" --blocks "${BLOCKS:-5}" \
    > "$OUT/ov_tpe.json"
# gp: 25 asks from N, so that the mean covers one checkpoint's full refit (gp.c: every 1/8 more
# trials); the first ask (a cold fit cache) and the slowest are reported beside the mean.
"$OUT/bbo" overhead --samplers gp --at "$GP_AT" --reps "${GP_REPS:-25}" > "$OUT/ov_gp.json"
$PY -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]));
print(json.dumps({"overhead": a["overhead"] + b["overhead"]}))' "$OUT/ov_tpe.json" "$OUT/ov_gp.json" > "$OUT/ov_liandan.json"
$PY "$HERE/optuna_overhead_at.py" --at "$AT" --reps "$REPS" --blocks "${BLOCKS:-5}" > "$OUT/ov_optuna.json"
echo "== overhead done, load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
$PY "$HERE/report.py" --liandan "$OUT/liandan.json" --optuna "$OUT/optuna.json" \
    --overhead-liandan "$OUT/ov_liandan.json" --overhead-optuna "$OUT/ov_optuna.json" \
    --functions-py "$BBO/functions.py"
