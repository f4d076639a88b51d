#!/usr/bin/python3
"""optuna_overhead_at.py -- Optuna's side of the overhead table of bench/bbo: the cost of one
ask+tell of an in-memory study that already holds N finished trials, for the same space as
`bbo overhead` (5 floats in [-5, 5], sum of squares).

A 5,000-trial study grown trial by trial would take Optuna TPE most of an hour here, so the N
finished trials are added with study.add_trials (random points, no sampling cost), then REPS
ask+tell rounds are timed on the growing study, as the C side does; BLOCKS times from a fresh
study, and the median block's mean is the figure (a shared machine's hiccups land in some
blocks, not in the median).

Usage: /usr/bin/python3 optuna_overhead_at.py [--at 100,1000,5000] [--reps 20] [--blocks 1]
"""
import argparse
import json
import random
import time
import warnings


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--at", default="100,1000,5000")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--blocks", type=int, default=1)
    a = ap.parse_args()
    warnings.filterwarnings("ignore")
    import optuna
    from optuna.distributions import FloatDistribution
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = {"x%d" % i: FloatDistribution(-5.0, 5.0) for i in range(1, 6)}
    out = []
    for n in [int(x) for x in a.at.split(",")]:
        block_ms = []
        for _ in range(a.blocks):
            rng = random.Random(1)
            study = optuna.create_study(direction="minimize",
                                        sampler=optuna.samplers.TPESampler(seed=0))
            trials = []
            for _ in range(n):
                p = {k: rng.uniform(-5, 5) for k in space}
                trials.append(optuna.trial.create_trial(params=p, distributions=space,
                                                        value=sum(v * v for v in p.values())))
            study.add_trials(trials)
            t0 = time.perf_counter()
            for _ in range(a.reps):
                t = study.ask(fixed_distributions=space)
                study.tell(t, sum(v * v for v in t.params.values()))
            block_ms.append(1e3 * (time.perf_counter() - t0) / a.reps)
        ms = sorted(block_ms)[len(block_ms) // 2]
        out.append({"sampler": "tpe", "finished": n, "reps": a.reps, "blocks": a.blocks,
                    "ms": ms, "block_ms": block_ms})
        print("optuna overhead tpe at %d: %.3f ms (median of %d blocks)" % (n, ms, a.blocks),
              file=__import__("sys").stderr)
    print(json.dumps({"overhead": out}))


if __name__ == "__main__":
    main()
