"""Peers on scikit-learn's breast-cancer folds from an .npz file (run in the peer venv).

Usage: python peer_breast_cancer.py DATA.npz {rulefit,rulefit_forest,ebm_mains} [MAX_RULES]

Prints one JSON line per fold: test AUC and log loss, terms used, wall and CPU seconds.
``rulefit``: imodels' RuleFitClassifier with its own tree generator; ``rulefit_forest``:
the same random forest as FIRE (500 trees, depth 3) as its rule generator.
"""
import json
import sys
import time

import numpy as np
from sklearn.metrics import log_loss, roc_auc_score


def make(which, max_rules):
    if which == "rulefit":
        from imodels import RuleFitClassifier
        return RuleFitClassifier(max_rules=max_rules, random_state=0)
    if which == "rulefit_forest":
        from imodels import RuleFitClassifier
        from sklearn.ensemble import RandomForestClassifier
        forest = RandomForestClassifier(500, max_depth=3, random_state=0)
        return RuleFitClassifier(max_rules=max_rules, tree_generator=forest, random_state=0)
    if which == "ebm_mains":
        from interpret.glassbox import ExplainableBoostingClassifier
        return ExplainableBoostingClassifier(interactions=0, random_state=0, n_jobs=1)
    raise SystemExit(f"unknown peer {which}")


def terms(model, which):
    if which.startswith("rulefit"):
        rules = model._get_rules()
        return int((rules.coef != 0).sum())
    return len(model.term_features_)


def main(path, which, max_rules=None):
    data = np.load(path)
    X, y, fold = data["X"], data["y"], data["fold"]
    max_rules = None if max_rules is None else int(max_rules)
    for k in np.unique(fold):
        train, test = fold != k, fold == k
        model = make(which, max_rules)
        wall, cpu = time.perf_counter(), time.process_time()
        model.fit(X[train], y[train])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        proba = model.predict_proba(X[test])[:, 1]
        print(json.dumps({"peer": which, "fold": int(k), "max_rules": max_rules, "wall": wall,
                          "cpu": cpu, "auc": roc_auc_score(y[test], proba),
                          "log_loss": log_loss(y[test], proba), "terms": terms(model, which)}),
              flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
