"""Interpretable classifiers on scikit-learn's breast-cancer data, ours and peers in one run.

Usage:
    python benchmarks/bench_breast_cancer.py --peer-python benchmarks/.venv-additive/bin/python

Stratified 5-fold CV (shuffled, seed 0), the same folds for everyone:

* FIREClassifier on a ``RandomForestClassifier(500, max_depth=3)`` per fold: along
  ``fire_path(loss="log_loss")`` (30 values), the largest model with at most 5, 10 and
  15 rules (chosen on the training fold by the rule budget alone); the forest itself;
  imodels' ``RuleFitClassifier(max_rules=k)`` with its own rule generator and with the
  same forest as generator.  Test AUC, rules (RuleFit: nonzero terms, linear ones
  included), seconds.
* FASTClassifierCV (lambda_fusion by 5-fold CV on the training fold), with total
  variation (the default) and with squared jumps (``fusion="l2"``), against EBM's
  main-effects model (``interactions=0``): test log loss, CPU seconds; also one
  FASTClassifier fit at the value CV chose (what a user pays once lambda is known).
  ``--only-fast`` skips FIRE and RuleFit.

Peers run in their own environment (``benchmarks/setup_additive_peers.sh``), one
subprocess per peer, with their CPU time; ours in this process after a warm-up fit
(the numba compile is excluded and reported by ``bench_compile.py``).
"""

import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from l0learn import FASTClassifier, FASTClassifierCV, FIREClassifier, fire_path

HERE = os.path.dirname(os.path.abspath(__file__))
BUDGETS = (5, 10, 15)


def folds(y):
    fold = np.empty(len(y), dtype=int)
    for k, (_, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(y, y)):
        fold[test] = k
    return fold


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def run_fire(X, y, fold):
    rows = []
    for k in range(5):
        train, test = fold != k, fold == k
        forest, f_wall, _ = timed(lambda: RandomForestClassifier(500, max_depth=3, random_state=0)
                                  .fit(X[train], y[train]))
        (models, summary), p_wall, p_cpu = timed(lambda: fire_path(
            X[train], y[train], loss="log_loss", ensemble=forest, n_lambdas=30))
        default, d_wall, _ = timed(lambda: FIREClassifier(forest).fit(X[train], y[train]))
        auc = lambda m: roc_auc_score(y[test], m.predict_proba(X[test])[:, 1])
        row = {"fold": k, "forest_auc": auc(forest), "forest_wall": f_wall, "path_wall": p_wall,
               "path_cpu": p_cpu, "default_rules": default.n_rules_, "default_auc": auc(default),
               "default_wall": d_wall}
        for budget in BUDGETS:
            pick = [m for m in models if m.n_rules_ <= budget][-1]
            row[f"auc_{budget}"], row[f"rules_{budget}"] = auc(pick), pick.n_rules_
        rows.append(row)
    return rows


def run_fast(X, y, fold, fusion):
    rows = []
    for k in range(5):
        train, test = fold != k, fold == k
        model, wall, cpu = timed(lambda: FASTClassifierCV(cv=5, fusion=fusion).fit(
            X[train], y[train]))
        _, _, single_cpu = timed(lambda: FASTClassifier(model.lambda_fusion_, fusion=fusion).fit(
            X[train], y[train]))
        proba = model.predict_proba(X[test])[:, 1]
        rows.append({"fold": k, "wall": wall, "cpu": cpu, "log_loss": log_loss(y[test], proba),
                     "auc": roc_auc_score(y[test], proba), "single_cpu": single_cpu,
                     "features": int(np.sum(model.feature_importances_ > 0))})
    return rows


def run_peer(python, data, which, max_rules=None):
    cmd = [python, os.path.join(HERE, "compare", "peer_breast_cancer.py"), data, which]
    if max_rules is not None:
        cmd.append(str(max_rules))
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def mean(rows, key):
    return float(np.mean([r[key] for r in rows]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer-python", required=True)
    ap.add_argument("--only-fast", action="store_true")
    args = ap.parse_args()
    X, y = load_breast_cancer(return_X_y=True)
    fold = folds(y)
    # warm-up: compile / load the numba cache outside the timings
    FIREClassifier(RandomForestClassifier(5, max_depth=2, random_state=0)).fit(X[:100], y[:100])
    for fusion in ("tv", "l2"):
        FASTClassifierCV(cv=2, n_lambdas=3, fusion=fusion).fit(X[:100], y[:100])
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "bc.npz")
        np.savez(data, X=X, y=y, fold=fold)
        if not args.only_fast:
            report_fire(args, X, y, fold, data)
        ebm = run_peer(args.peer_python, data, "ebm_mains")
        print(f"\nEBM mains:        log loss {mean(ebm, 'log_loss'):.4f}, AUC "
              f"{mean(ebm, 'auc'):.4f}, {mean(ebm, 'terms'):.1f} terms, "
              f"{mean(ebm, 'cpu'):.2f} CPU-s per fold")
        for fusion in ("tv", "l2"):
            fast = run_fast(X, y, fold, fusion)
            ratio = mean(fast, "log_loss") / mean(ebm, "log_loss")
            print(f"FASTClassifierCV(fusion={fusion!r}): log loss "
                  f"{mean(fast, 'log_loss'):.4f}, AUC {mean(fast, 'auc'):.4f}, "
                  f"{mean(fast, 'features'):.1f} features, {mean(fast, 'cpu'):.2f} CPU-s per "
                  f"fold (one fit at the chosen value {mean(fast, 'single_cpu'):.3f} CPU-s)")
            print(f"  log loss ratio FAST/EBM {ratio:.3f}; CPU ratio EBM/FAST CV "
                  f"{mean(ebm, 'cpu') / mean(fast, 'cpu'):.1f}x, EBM/one fit "
                  f"{mean(ebm, 'cpu') / mean(fast, 'single_cpu'):.0f}x")


def report_fire(args, X, y, fold, data):
    fire = run_fire(X, y, fold)
    print(f"forest (500 trees, depth 3): AUC {mean(fire, 'forest_auc'):.4f}, "
          f"fit {mean(fire, 'forest_wall'):.2f} s per fold")
    print(f"FIREClassifier path (30 values): {mean(fire, 'path_wall'):.2f} s wall, "
          f"{mean(fire, 'path_cpu'):.2f} s CPU per fold; default model: "
          f"{mean(fire, 'default_rules'):.1f} rules, AUC {mean(fire, 'default_auc'):.4f}, "
          f"{mean(fire, 'default_wall'):.2f} s")
    print("\nrule budget | FIRE rules  AUC     | RuleFit terms AUC     s    | "
          "RuleFit(same forest) terms AUC     s")
    for budget in BUDGETS:
        own = run_peer(args.peer_python, data, "rulefit", budget)
        same = run_peer(args.peer_python, data, "rulefit_forest", budget)
        print(f"{budget:11d} | {mean(fire, f'rules_{budget}'):10.1f} "
              f"{mean(fire, f'auc_{budget}'):.4f} | {mean(own, 'terms'):13.1f} "
              f"{mean(own, 'auc'):.4f} {mean(own, 'wall'):5.2f} | "
              f"{mean(same, 'terms'):26.1f} {mean(same, 'auc'):.4f} {mean(same, 'wall'):5.2f}")


if __name__ == "__main__":
    main()
