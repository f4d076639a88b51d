#!/bin/sh
# train.sh — the no-Python example: a POSIX sh "trainer" that liandan tunes like any other. It
# reads --name=value arguments, runs an epoch loop whose accuracy curve awk computes from the
# hyperparameters (best near lr=0.003, dropout=0.3, width=128), and prints one metric line per
# epoch. Replace the awk line with your real work; keep the `key=value` lines.
#
#   sh examples/shell/train.sh --lr=0.003 --dropout=0.3 --width=128 --epochs=5
set -eu
lr=0.01 dropout=0.2 width=64 activation=relu epochs=10 seed=1 sleep=0
for arg; do
    case $arg in
    --lr=*) lr=${arg#*=} ;;
    --dropout=*) dropout=${arg#*=} ;;
    --width=*) width=${arg#*=} ;;
    --activation=*) activation=${arg#*=} ;;
    --epochs=*) epochs=${arg#*=} ;;
    --seed=*) seed=${arg#*=} ;;
    --sleep=*) sleep=${arg#*=} ;;    # seconds per epoch, to watch a sweep run
    *) echo "train.sh: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done
# A learning rate this large "diverges": report it, and liandan records the trial pruned.
if awk -v lr="$lr" 'BEGIN{exit !(lr > 0.5)}'; then
    echo "epoch=1 train_loss=nan"
    echo "diverged=1"
    exit 1
fi
epoch=1
while [ "$epoch" -le "$epochs" ]; do
    # ceiling: how good these hyperparameters can get; rate: how fast they get there
    awk -v lr="$lr" -v d="$dropout" -v w="$width" -v act="$activation" -v e="$epoch" -v s="$seed" 'BEGIN {
        srand(s * 1000 + e)
        ceiling = 0.95 - 0.08 * (log(lr / 0.003) / log(10)) ^ 2 - 0.4 * (d - 0.3) ^ 2 \
                  - 0.02 * (log(w / 128) / log(2)) ^ 2 - (act == "tanh" ? 0.02 : 0)
        if (ceiling < 0.1) ceiling = 0.1
        rate = 0.15 + 20 * lr; if (rate > 0.9) rate = 0.9
        val = ceiling * (1 - (1 - rate) ^ e) + 0.01 * (rand() - 0.5)
        train = val + 0.1 * (1 - d) * (1 - (1 - rate) ^ e); if (train > 1) train = 1
        printf "epoch=%d train_loss=%.4f train_acc=%.4f val_loss=%.4f val_acc=%.4f\n", \
            e, -log(train > 0.01 ? train : 0.01), train, -log(val > 0.01 ? val : 0.01), val
    }'
    [ "$sleep" = 0 ] || sleep "$sleep"
    epoch=$((epoch + 1))
done
