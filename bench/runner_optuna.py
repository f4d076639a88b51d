#!/usr/bin/python3
"""runner_optuna.py - the anchor of bench/runner.sh: what a practitioner writes in Python for the
same job liandan does, so the two can be compared in one run on one machine.

Optuna (3.1, Debian's python3-optuna) with its RDB storage on SQLite, or in memory, runs the same
trivial trial program once per trial with subprocess.run, parses its `loss=...` line and returns
it. The sampler is RandomSampler, as liandan's `method: random`; n_jobs threads run trials in
parallel, as Optuna does it.

    /usr/bin/python3 bench/runner_optuna.py PROGRAM N JOBS STORAGE
    STORAGE: sqlite:///path.db or memory
    prints: optuna <storage> jobs=<JOBS> trials=<N> seconds=<S> per_s=<R> complete=<C>

The time counts study creation and optimize(), not the interpreter's start nor `import optuna`
(about a second, which would only make Optuna look slower).
"""
import sys
import subprocess
import time

import optuna


def main():
    program, n, jobs, storage = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        x = trial.suggest_float("x", -5.0, 5.0)
        y = trial.suggest_float("y", -5.0, 5.0)
        out = subprocess.run([program, f"--x={x!r}", f"--y={y!r}"], capture_output=True,
                             text=True, check=True).stdout
        for token in out.split():
            key, _, value = token.partition("=")
            if key == "loss":
                return float(value)
        raise RuntimeError("no loss= line")

    t0 = time.perf_counter()
    study = optuna.create_study(
        study_name="trivial",
        storage=None if storage == "memory" else storage,
        sampler=optuna.samplers.RandomSampler(seed=1),
        direction="minimize")
    study.optimize(objective, n_trials=n, n_jobs=jobs)
    seconds = time.perf_counter() - t0
    complete = sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    label = "memory" if storage == "memory" else "sqlite"
    print(f"optuna {label} jobs={jobs} trials={n} seconds={seconds:.3f} "
          f"per_s={n / seconds:.1f} complete={complete}")


if __name__ == "__main__":
    main()
