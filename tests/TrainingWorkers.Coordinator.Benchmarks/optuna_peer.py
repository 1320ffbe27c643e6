"""The peer of the tuning benchmark: Optuna (Debian's python3-optuna 3.1) driving the same `tw run` training jobs.

Reads the benchmark's tune request (the same base spec and search space our tuner gets), runs `trials` trials,
`parallel` at a time (n_jobs threads), each a `tw run` child whose metrics.jsonl (flushed every epoch) it follows,
reporting the objective per epoch to the pruner and killing the child when the pruner says so. Prints one JSON
line per finished trial: its number, state, value and the process's CPU seconds so far (itself and its children).

Usage: /usr/bin/python3 optuna_peer.py REQUEST.json TW WORKDIR SEED PRUNER(median|sha) [TRIALS] [PARALLEL]
"""
import copy
import json
import math
import os
import re
import resource
import subprocess
import sys
import threading
import time

import optuna

request_path, tw, workdir, seed, pruner_name = sys.argv[1:6]
request = json.load(open(request_path))
trials = int(sys.argv[6]) if len(sys.argv) > 6 else request["trials"]
parallel = int(sys.argv[7]) if len(sys.argv) > 7 else request["parallel"]
metric = request["objective"]["metric"]
stopping = request["stopping"]
search = request["search"]
lock = threading.Lock()


def cpu_seconds():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def suggest(trial, name, dist):
    if "choice" in dist:
        # Optuna's categorical takes scalars: choices are passed by index and mapped back.
        index = trial.suggest_categorical(name, list(range(len(dist["choice"]))))
        return dist["choice"][index]
    if "log_uniform" in dist:
        return trial.suggest_float(name, dist["log_uniform"][0], dist["log_uniform"][1], log=True)
    if "uniform" in dist:
        return trial.suggest_float(name, dist["uniform"][0], dist["uniform"][1])
    low, high = dist["int"]
    return trial.suggest_int(name, low, high, step=dist.get("step", 1), log=dist.get("log", False))


def set_path(spec, path, value):
    node = spec
    parts = path.split(".")
    for i, part in enumerate(parts):
        name, *indices = re.split(r"\[|\]\[?", part.rstrip("]"))
        last = i == len(parts) - 1
        if last and not indices:
            node[name] = value
            return
        node = node.setdefault(name, {})
        for k, index in enumerate(indices):
            if last and k == len(indices) - 1:
                node[int(index)] = value
                return
            node = node[int(index)]


def objective(trial):
    spec = copy.deepcopy(request["spec"])
    for name, dist in request["search_space"].items():
        set_path(spec, name, suggest(trial, name, dist))
    run = os.path.join(workdir, f"t{trial.number:03d}")
    os.makedirs(run, exist_ok=True)
    spec_file = os.path.join(run, "spec.json")
    json.dump(spec, open(spec_file, "w"))
    child = subprocess.Popen([tw, "run", spec_file, "--run-dir", os.path.join(run, "run"), "--output", "json"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    metrics = os.path.join(run, "run", "metrics.jsonl")
    values, offset = {}, 0
    while True:
        done = child.poll() is not None
        if os.path.exists(metrics):
            with open(metrics) as f:
                f.seek(offset)
                for line in f:
                    if not line.endswith("\n"):
                        break
                    offset += len(line.encode())
                    point = json.loads(line)
                    if point["name"] == metric and point["value"] is not None:
                        values[point["epoch"]] = point["value"]
                        trial.report(point["value"], step=point["epoch"])
                        if trial.should_prune():
                            child.kill()
                            child.wait()
                            raise optuna.TrialPruned()
        if done:
            break
        time.sleep(0.1)
    if child.returncode != 0 or not values:
        raise RuntimeError(f"tw run exited {child.returncode}")
    return max(values.values()) if request["objective"].get("mode", "max") == "max" else min(values.values())


def finished(study, trial):
    with lock:
        print(json.dumps({"number": trial.number, "state": trial.state.name.lower(), "value": trial.value if trial.value is not None
                          else (list(trial.intermediate_values.values()) or [None])[-1], "cpu_seconds": cpu_seconds()}), flush=True)


optuna.logging.set_verbosity(optuna.logging.WARNING)
sampler = optuna.samplers.TPESampler(seed=int(seed), n_startup_trials=search["startup_trials"], n_ei_candidates=search.get("candidates", 24))
if pruner_name == "median":
    # Optuna prunes at steps >= n_warmup_steps; our warmup_epochs W lets a trial be stopped from epoch W + 1.
    pruner = optuna.pruners.MedianPruner(n_startup_trials=stopping.get("min_trials", 5), n_warmup_steps=stopping.get("warmup_epochs", 0) + 1)
else:
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=stopping.get("min_epochs", 1), reduction_factor=stopping.get("reduction_factor", 3))
direction = "maximize" if request["objective"].get("mode", "max") == "max" else "minimize"
study = optuna.create_study(direction=direction, sampler=sampler, pruner=pruner)
study.optimize(objective, n_trials=trials, n_jobs=parallel, callbacks=[finished], catch=(RuntimeError,))
