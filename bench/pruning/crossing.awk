# bench/pruning/crossing.awk — writes a family of learning curves that cross, for the pruning
# benchmark (bench/pruning/replay.sh): 6 learning rates x 8 widths, 27 epochs. A larger
# learning rate learns faster and saturates lower, so the curves that lead at epochs 3 and 9
# (the rungs of min_iter 3, eta 3) are beaten by epoch 27 by one that was near the bottom there:
#   val_acc(t) = 0.1 + (A - 0.1) (1 - exp(-r t)) + noise,   r = 0.085 * 1.6^i,
#   A = 0.905 - 0.03 i - 0.002 (j - 5)^2          (i: learning-rate index, j: width index)
# The noise (sd about 0.004) comes from a fixed Lehmer generator, so every awk writes the same
# file. The best configuration is lr 0.001 (i = 1), a middle width.
#
#   awk -f bench/pruning/crossing.awk > crossing.tsv
BEGIN {
    split("0.0003 0.001 0.003 0.01 0.03 0.1", lrs, " ")
    split("8 16 32 64 128 256 512 1024", widths, " ")
    state = 20261207
    print "lr\twidth\tepoch\tval_acc"
    for (i = 0; i < 6; i++)
        for (j = 0; j < 8; j++) {
            r = 0.085 * 1.6 ^ i
            a = 0.905 - 0.03 * i - 0.002 * (j - 5) ^ 2
            for (t = 1; t <= 27; t++) {
                noise = 0
                for (k = 0; k < 4; k++) {   # sum of 4 uniforms: sd 0.577, scaled to 0.004
                    state = (state * 16807) % 2147483647
                    noise += state / 2147483647 - 0.5
                }
                printf "%s\t%s\t%d\t%.4f\n", lrs[i + 1], widths[j + 1], t,
                       0.1 + (a - 0.1) * (1 - exp(-r * t)) + noise * 0.007
            }
        }
}
