#!/usr/bin/python3
"""optuna_replay.py: the anchor of the pruning benchmarks. Optuna's own pruners decide on the
learning curves of a study that liandan ran to the end (`liandan export STUDY --format json`).

Each trial of the exported study is replayed in trial-number order, one at a time: its recorded
metric values are reported to Optuna step by step (`trial.report`, then `trial.should_prune`),
and the replay of a trial stops at the first step the pruner prunes. The trainers are
deterministic per configuration, so a replayed curve is what the trainer would have printed.
Prints one line per pruner: epochs run (values reported), the share saved against running every
trial to the end, the best complete value, and whether it reaches the full study's best.

Usage: optuna_replay.py FULL.json MAX_STEP [MIN_STEP]   (MIN_STEP: the first rung, default 1)
"""
import json
import math
import sys

import optuna


def pruners(max_step, min_step):
    return [
        ("optuna median (5 startup trials, 2 warm-up steps)",
         optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2)),
        ("optuna successive halving (min %d, eta 3; ASHA)" % min_step,
         optuna.pruners.SuccessiveHalvingPruner(min_resource=min_step, reduction_factor=3)),
        ("optuna hyperband (min %d, max %d, eta 3)" % (min_step, max_step),
         optuna.pruners.HyperbandPruner(min_resource=min_step, max_resource=max_step,
                                        reduction_factor=3)),
    ]


def replay(study_json, pruner):
    metric = study_json["metric"]["name"]
    goal = study_json["metric"]["goal"]
    study = optuna.create_study(study_name="replay", direction=goal, pruner=pruner,
                                sampler=optuna.samplers.RandomSampler(seed=0))
    epochs, outcome = 0, {}
    for t in sorted(study_json["trials"], key=lambda t: t["number"]):
        curve = t["metrics"].get(metric, [])
        trial = study.ask()
        pruned, last = False, None
        for step, value in curve:
            v = float("nan") if value is None else float(value)
            trial.report(v, int(step))
            epochs += 1
            last = v
            if trial.should_prune():
                pruned = True
                break
        if pruned or t["state"] != "complete" or last is None or math.isnan(last):
            # pruned here, or stopped in the full run too (a diverged trial): pruned either way
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            outcome[t["number"]] = ("pruned", last)
        else:
            study.tell(trial, t["value"])
            outcome[t["number"]] = ("complete", t["value"])
    return epochs, outcome


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    full = json.load(open(sys.argv[1]))
    max_step = int(sys.argv[2])
    min_step = int(sys.argv[3]) if len(sys.argv) == 4 else 1
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sign = 1 if full["metric"]["goal"] == "maximize" else -1
    done = [t for t in full["trials"] if t["state"] == "complete" and t["value"] is not None]
    best = max(done, key=lambda t: sign * t["value"])
    full_epochs = sum(len(t["metrics"].get(full["metric"]["name"], [])) for t in full["trials"])
    for name, pruner in pruners(max_step, min_step):
        epochs, outcome = replay(full, pruner)
        completes = {n: v for n, (s, v) in outcome.items() if s == "complete"}
        top = max(completes, key=lambda n: sign * completes[n]) if completes else None
        # kept: the best complete value reaches the full study's best (a tie counts)
        if top is not None and sign * completes[top] >= sign * best["value"]:
            kept = "yes (trial %d)" % top
        else:
            kept = "no: the full best (%.4g, trial %d) is %s" % (
                best["value"], best["number"], outcome[best["number"]][0])
        print("%-52s %8d %7.0f%% %10s %s" % (name, epochs, 100 * (1 - epochs / full_epochs),
                                             "%.4g" % completes[top] if top is not None else "-",
                                             kept))


if __name__ == "__main__":
    main()
