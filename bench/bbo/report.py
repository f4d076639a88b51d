#!/usr/bin/python3
"""report.py -- prints the black-box benchmark's tables: liandan's samplers (from `bbo regret`)
next to Optuna's (from the shared optuna_baseline.py, run in the same benchmark run), with the
ratios the targets are stated in, and the overhead table (`bbo overhead` next to
optuna_overhead_at.py).

Usage: report.py --liandan L.json --optuna O.json [--overhead-liandan A.json --overhead-optuna B.json]
       [--functions-py ../shared/bbo/functions.py]
"""
import argparse
import importlib.util
import json
import math
import statistics

CHECKPOINTS = (25, 50, 100)


def load_functions(path):
    spec = importlib.util.spec_from_file_location("bbo_functions", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def regrets(values, opt):
    out, best = [], math.inf
    for v in values:
        best = min(best, v)
        out.append(best - opt)
    return out


def stat(runs, opt, at):
    xs = [regrets(r["values"], opt)[at - 1] for r in runs if len(r["values"]) >= at]
    n = len(xs)
    mean = sum(xs) / n
    se = statistics.stdev(xs) / math.sqrt(n) if n > 1 else float("nan")
    return mean, se, statistics.median(xs), n


def fmt(x):
    return "0" if x == 0 else "%.4g" % x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--liandan", required=True)
    ap.add_argument("--optuna", required=True)
    ap.add_argument("--overhead-liandan")
    ap.add_argument("--overhead-optuna")
    ap.add_argument("--functions-py", required=True)
    a = ap.parse_args()
    F = load_functions(a.functions_py)
    ld = json.load(open(a.liandan))["runs"]
    op = json.load(open(a.optuna))["runs"]

    ld_names = [s for s in ("random", "sobol", "tpe", "gp", "bayes") if any(s in ld[f] for f in ld)]
    op_names = [s for s in ("tpe", "tpe_mv", "random", "cmaes", "qmc_sobol") if any(s in op.get(f, {}) for f in ld)]
    cols = ["liandan " + s for s in ld_names] + ["optuna " + s for s in op_names]

    def runs_of(f, col):
        side, s = col.split(" ", 1)
        return (ld if side == "liandan" else op).get(f, {}).get(s)

    for at in CHECKPOINTS:
        print("\n### Mean simple regret ± s.e. after %d trials (seeds per cell in the config)\n" % at)
        print("| function | " + " | ".join(cols) + " |")
        print("|---|" + "---|" * len(cols))
        for f in ld:
            cells = []
            for c in cols:
                r = runs_of(f, c)
                if not r:
                    cells.append("n/a")
                    continue
                m, se, _, _ = stat(r, F.OPTIMA[f], at)
                cells.append("%s ± %.2g" % (fmt(m), se))
            print("| %s | %s |" % (f, " | ".join(cells)))

    print("\n### Targets at 100 trials: ratio of mean regrets (lower is better)\n")
    print("| function | best Optuna sampler (mean) | bayes / best Optuna | bayes / Optuna tpe | "
          "tpe / Optuna tpe | gp / Optuna tpe |")
    print("|---|---|---|---|---|---|")
    for f in ld:
        best_name, best_mean = None, math.inf
        for s in op_names:
            r = op.get(f, {}).get(s)
            if r:
                m = stat(r, F.OPTIMA[f], 100)[0]
                if m < best_mean:
                    best_name, best_mean = s, m
        tpe_mean = stat(op[f]["tpe"], F.OPTIMA[f], 100)[0]

        def ratio(name, base):
            r = ld[f].get(name)
            if not r or not base:
                return "n/a"
            return "%.3g" % (stat(r, F.OPTIMA[f], 100)[0] / base)

        print("| %s | %s (%s) | %s | %s | %s | %s |" % (
            f, best_name, fmt(best_mean), ratio("bayes", best_mean), ratio("bayes", tpe_mean),
            ratio("tpe", tpe_mean), ratio("gp", tpe_mean)))

    print("\n### Mean wall time per 100-trial study (s; sampler + objective)\n")
    print("| function | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for f in ld:
        cells = []
        for c in cols:
            r = runs_of(f, c)
            cells.append("%.3f" % (sum(x["wall_s"] for x in r) / len(r)) if r else "n/a")
        print("| %s | %s |" % (f, " | ".join(cells)))

    if a.overhead_liandan and a.overhead_optuna:
        lo = json.load(open(a.overhead_liandan))["overhead"]
        oo = json.load(open(a.overhead_optuna))["overhead"]
        ns = sorted({r["finished"] for r in lo} | {r["finished"] for r in oo})
        print("\n### Overhead: ms per ask+tell with N finished trials, 5 float parameters\n")
        print("| sampler | " + " | ".join("N = %d" % n for n in ns) + " |")
        print("|---|" + "---|" * len(ns))
        rows = {}
        for r in lo:
            rows.setdefault("liandan " + r["sampler"], {})[r["finished"]] = r["ms"]
        for r in lo:
            if r["sampler"] == "gp" and "first_ms" in r:  # the fit cache is cold on a first ask
                rows.setdefault("liandan gp, first ask of a process", {})[r["finished"]] = r["first_ms"]
                rows.setdefault("liandan gp, slowest ask", {})[r["finished"]] = r["max_ms"]
        for r in oo:
            rows.setdefault("optuna " + r["sampler"], {})[r["finished"]] = r["ms"]
        for name, per in rows.items():
            print("| %s | %s |" % (name, " | ".join("%.4g" % per[n] if n in per else "–" for n in ns)))
        base = rows.get("optuna tpe", {})
        for name in rows:
            if name.startswith("liandan"):
                print("| Optuna tpe / %s | %s |" % (name, " | ".join(
                    "%.3gx" % (base[n] / rows[name][n]) if n in base and n in rows[name] else "–"
                    for n in ns)))


if __name__ == "__main__":
    main()
