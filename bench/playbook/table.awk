# bench/playbook/table.awk — the table of bench/playbook/run.sh, computed from its results file
# alone (so that the results of several invocations can be tabled together):
#   awk -f bench/playbook/table.awk results.tsv [more.tsv ...]
# Input rows: set method run status test_acc wall_s detail (tab-separated; test_acc a fraction,
# status ok or failed). Output: one row per (set, method) in order of first appearance: runs that
# worked out of those tried, test accuracy in percent as mean ± sample sd over those runs, mean
# wall seconds, and Kim (2014)'s CNN-rand figure for the set.
BEGIN {
    FS = "\t"
    kim["trec"] = "91.2"; kim["mr"] = "76.1"; kim["sst2"] = "83.7"
    printf "%-6s %-22s %6s %16s %9s %9s\n", "set", "method", "runs", "test acc %", "wall s", "Kim CNN-rand"
}
$1 == "set" { next }                       # a header line
{
    k = $1 SUBSEP $2
    if (!(k in tried)) { order[++nk] = k; setof[k] = $1; methodof[k] = $2 }
    tried[k]++
    if ($4 == "ok") { ok[k]++; s[k] += $5; ss[k] += $5 * $5; w[k] += $6 }
}
END {
    for (i = 1; i <= nk; i++) {
        k = order[i]; n = ok[k] + 0
        if (n == 0) { acc = "failed"; wall = "-" }
        else {
            m = s[k] / n
            # sample sd (n - 1); one run has none to give
            sd = n > 1 ? sqrt(((ss[k] - n * m * m) > 0 ? ss[k] - n * m * m : 0) / (n - 1)) : -1
            acc = sd < 0 ? sprintf("%.2f", 100 * m) : sprintf("%.2f ± %.2f", 100 * m, 100 * sd)
            wall = sprintf("%.1f", w[k] / n)
        }
        printf "%-6s %-22s %6s %16s %9s %9s\n", setof[k], methodof[k], n "/" tried[k], acc, wall, \
            (setof[k] in kim ? kim[setof[k]] : "-")
    }
}
