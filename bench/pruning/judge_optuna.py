#!/usr/bin/python3
"""judge_optuna.py: the anchor of bench/pruning/judge.sh. Optuna's pruners answer the question
judge.c asks liandan's: should the running trial stop, given N complete trials of 27 epochs
from the crossing family's formula and the running trial's K reports (the same curves as
judge.c). Times `pruner.prune(study, trial)` (the pruner alone, as judge.c times liandan's)
and `trial.should_prune()` (what a training loop calls, the storage read included), in an
in-memory study.

Usage: judge_optuna.py N K REPEAT
"""
import math
import sys
import time

import optuna

EPOCHS = 27


def curve_value(t, e):
    i, j = t % 6, (t // 6) % 8
    r, a = 0.085 * 1.6 ** i, 0.905 - 0.03 * i - 0.002 * (j - 5) ** 2
    return 0.1 + (a - 0.1) * (1 - math.exp(-r * e)) + 0.004 * math.sin(12.9898 * t + 78.233 * e)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    n, k, repeat = (int(a) for a in sys.argv[1:])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    pruners = [
        ("median", optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)),
        ("asha", optuna.pruners.SuccessiveHalvingPruner(min_resource=3, reduction_factor=3)),
        ("hyperband", optuna.pruners.HyperbandPruner(min_resource=3, max_resource=EPOCHS,
                                                     reduction_factor=3)),
    ]
    for name, pruner in pruners:
        study = optuna.create_study(direction="maximize", pruner=pruner)
        for t in range(n):
            trial = study.ask()
            for e in range(1, EPOCHS + 1):
                trial.report(curve_value(t, e), e)
            study.tell(trial, max(curve_value(t, e) for e in range(1, EPOCHS + 1)))
        trial = study.ask()
        for e in range(1, k + 1):
            trial.report(curve_value(1 + 6 * 5, e), e)
        frozen = study.get_trials(deepcopy=False)[-1]
        t0 = time.perf_counter()
        for _ in range(repeat):
            verdict = pruner.prune(study, frozen)
        alone = (time.perf_counter() - t0) / repeat * 1e6
        t0 = time.perf_counter()
        for _ in range(repeat):
            trial.should_prune()
        called = (time.perf_counter() - t0) / repeat * 1e6
        print("optuna %-10s %9.2f us  (should_prune %.2f us)  %s"
              % (name, alone, called, "stop" if verdict else "go on"))


if __name__ == "__main__":
    main()
