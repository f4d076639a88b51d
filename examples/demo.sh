#!/bin/sh
# demo.sh — `make demo`: a real study, offline, in a few minutes. Builds a text-classification
# corpus from this machine's Debian package index, samples it, tunes the C TextCNN on it with
# Bayesian search and ASHA early stopping, two trials at a time, and shows what liandan recorded.
# Usage: examples/demo.sh [BUILD_DIR]
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
db="$build/demo.db"
data="$build/demo-data"
rm -f "$db" "$db-wal" "$db-shm"
rm -rf "$build/demo.runs"
export LIANDAN_STORAGE="sqlite:///$db"
ld() { "$build/liandan" "$@"; }

echo "== liandan data debian -o $data        (the corpus: Debian package descriptions by section)"
ld data debian -o "$data"
echo "== liandan data sample --n 20000 --stratify    (iterate on a sample)"
ld data sample "$data/train.tsv" -o "$data/train20k.tsv" --n 20000 --stratify --seed 1
ld data stats "$data/train20k.tsv" "$data/dev.tsv" | head -n 12
echo
echo "== liandan run examples/textcnn/demo.yaml   (journal: $db)"
ld run examples/textcnn/demo.yaml
echo
ld status textcnn-debian
best=$(ld best textcnn-debian --json)
trial=$(echo "$best" | sed -n 's/.*"trial": \([0-9]*\).*/\1/p')
echo
echo "== the best trial: liandan show textcnn-debian $trial"
ld show textcnn-debian "$trial" | head -n 40
test_acc=$(ld show textcnn-debian "$trial" --json | sed -n 's/.*"test_acc": \[\[[^,]*, \([^]]*\)\]\].*/\1/p')
# the note first, so that the report holds the conclusion
ld note textcnn-debian --conclusion "best val_acc $(echo "$best" | sed -n 's/.*"value": \([^,]*\),.*/\1/p') (trial $trial)" \
    --next "liandan refine textcnn-debian -o next.yaml, then train on the full corpus" >/dev/null
ld report textcnn-debian -o "$build/demo-report.html" >/dev/null
echo
echo "best trial: $trial   val_acc: $(echo "$best" | sed -n 's/.*"value": \([^,]*\),.*/\1/p')   test_acc: ${test_acc:-?}"
echo "report: $build/demo-report.html   (liandan report textcnn-debian -o FILE)"
echo "journal: LIANDAN_STORAGE=sqlite:///$db $build/liandan status"
