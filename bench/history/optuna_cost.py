#!/usr/bin/python3
"""optuna_cost.py - the anchor of bench/history/run.sh: Optuna's cost of TPE over random, in
process, on the same six-parameter space as the liandan sweep (two uniform floats, a log-uniform
float, an integer in 1..100, a categorical of three, a float in [0, 1]), the objective the sum
of squares of the numbers, as bench/trivial_trial computes it.

    /usr/bin/python3 bench/history/optuna_cost.py N SAMPLER SEED    SAMPLER: random or tpe
    prints: optuna sampler=<S> trials=<N> seconds=<T>

In memory, one thread, TPESampler's defaults (as a user writes it). The time counts
optimize() only, not the interpreter's start nor `import optuna`.
"""
import sys
import time

import optuna


def main():
    n, sampler_name, seed = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if sampler_name == "tpe":
        sampler = optuna.samplers.TPESampler(seed=seed)
    else:
        sampler = optuna.samplers.RandomSampler(seed=seed)

    def objective(trial):
        a = trial.suggest_float("a", -5.0, 5.0)
        b = trial.suggest_float("b", -5.0, 5.0)
        c = trial.suggest_float("c", 0.001, 1.0, log=True)
        d = trial.suggest_int("d", 1, 100)
        trial.suggest_categorical("e", ["x", "y", "z"])
        f = trial.suggest_float("f", 0.0, 1.0)
        return a * a + b * b + c * c + d * d + f * f

    study = optuna.create_study(sampler=sampler, direction="minimize")
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=n)
    seconds = time.perf_counter() - t0
    print(f"optuna sampler={sampler_name} trials={n} seconds={seconds:.3f}")


if __name__ == "__main__":
    main()
