#!/bin/sh
# bench/pruning/record_textcnn.sh — record the learning curves that bench/pruning/replay.sh
# replays: a 48-point grid of liandan-textcnn (6 learning rates x 4 dropouts x 2 widths, adam,
# 27 epochs, embedding 128) run to the end on one of the shared data sets by liandan itself (a
# grid study without early stopping, parallel 2), exported, and written as one TSV line per
# configuration and epoch. The recorded files are kept in bench/pruning/curves/ so that every
# rule can be measured on the same real curves in seconds instead of re-training each time.
#
#   bench/pruning/record_textcnn.sh BUILD_DIR trec|mr [DATASETS_DIR]
#   -> bench/pruning/curves/textcnn-SET.tsv:
#      lr dropout maps epoch train_loss train_acc val_loss val_acc secs
set -eu
build=$1 set=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${3:-$root/../shared/datasets}/$set
case $build in /*) ;; *) build="$root/$build" ;; esac
command -v jq >/dev/null || { echo "record_textcnn: needs jq (scripts/deps.sh --test)"; exit 77; }
[ -r "$data/train.tsv" ] || { echo "record_textcnn: no $data/train.tsv"; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/liandan-record.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LIANDAN_STORAGE="sqlite:///$work/record.db"
cat > "$work/sweep.yaml" <<Y
name: record-$set
command: ["$build/liandan-textcnn", --train, "$data/train.tsv", --dev, "$data/dev.tsv",
          --emb, "128", --epochs, "27", "\${args}"]
method: grid
order: sequential
metric: {name: val_acc, goal: maximize, summary: best}
parameters:
  lr: {values: [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03]}
  dropout: {values: [0.0, 0.25, 0.5, 0.75]}
  maps: {values: [32, 128]}
parallel: 2
Y
"$build/liandan" run "$work/sweep.yaml" -q
"$build/liandan" export "record-$set" --format json > "$work/record.json"
out="$root/bench/pruning/curves/textcnn-$set.tsv"
{
    printf 'lr\tdropout\tmaps\tepoch\ttrain_loss\ttrain_acc\tval_loss\tval_acc\tsecs\n'
    jq -r '.trials[] | select(.state == "complete") | .params as $p | .metrics as $m |
        range(0; $m.val_acc | length) as $i |
        [$p.lr, $p.dropout, $p.maps, $m.val_acc[$i][0],
         ($m.train_loss, $m.train_acc, $m.val_loss, $m.val_acc, $m.secs | .[$i][1])] | @tsv' \
        "$work/record.json"
} > "$out"
echo "record_textcnn: $(($(wc -l < "$out") - 1)) epochs of $(jq '[.trials[] |
    select(.state == "complete")] | length' "$work/record.json") configurations in $out"
