"""Multinomial best subset: ours vs the L1 multinomial path and abess, accuracy per support size.

Usage:
    python benchmarks/bench_multinomial.py [--peer-python benchmarks/.venv-peer/bin/python]
    python benchmarks/bench_multinomial.py --datasets digits --ours CDPSI:0.01 CD:0.001 --no-peers

``--ours`` picks which of our paths run (``ALGORITHM:GAMMA``; ``CDPSI-k`` / ``CD-k``: the
grid's sizes fitted one after the other with the estimator and ``warm_start``, as abess
fits them); ``--no-peers`` skips the L1 path and abess (for A/B timings of our own
versions).

Data: scikit-learn's digits (1797 x 64, 10 classes) and wine (178 x 13, 3 classes).
Stratified 5-fold CV (shuffled, seed 0), the same folds for everyone, columns
standardised on each training fold (constant ones left at zero).  For each support
size ``k`` of the grid, each method's model with the most features among those with
at most ``k`` (chosen on the training fold by the size alone, never by test accuracy):

* ours: the multinomial L0L2 path with ``CD`` and with ``CDPSI`` (exact adds and
  group swaps), one path per fold up to the largest ``k``, at gamma = 1e-2 and 1e-3
  (both fixed in advance and both reported; gamma is not tuned here); and ``CDPSI-k``,
  the best subset of each grid size (``L0Classifier(loss="multinomial", lambda_0=0,
  max_support_size=k, warm_start=True)`` fitted for each ``k`` in turn);
* ``LogisticRegression(l1_ratio=1, solver="saga")`` (scikit-learn's name for
  ``penalty="l1"``) over 40 values of ``C`` from ``l1_min_c`` up, warm-started;
* abess ``MultinomialRegression(support_size=[k])``, one fit per size (its API fits one
  size at a time), in the peer environment (``benchmarks/setup_peer.sh``).

Accuracy is the mean over folds; a method's time is its whole run over the grid per
fold (ours and L1: one path; abess: the sum of its fits), measured warm (the numba
compile is excluded and reported by ``bench_compile.py``).
"""

import argparse
import json
import os
import subprocess
import tempfile
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import l1_min_c

from l0learn.linear_model._multinomial import MultinomialProblem, multinomial_path

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PEER = os.path.join(HERE, ".venv-peer", "bin", "python")
DATASETS = {"digits": (load_digits, (5, 10, 15, 20, 30)), "wine": (load_wine, (2, 3, 4, 5, 8))}
GAMMAS = (1e-2, 1e-3)  # fixed in advance; both reported


def standardised_folds(X, y):
    """Per row: its test fold; per fold: X standardised on the training rows."""
    fold = np.empty(len(y), dtype=int)
    for k, (_, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)):
        fold[test] = k
    scaled = []
    for k in range(5):
        train = fold != k
        mu, sd = X[train].mean(axis=0), X[train].std(axis=0)
        scaled.append(np.where(sd > 0, (X - mu) / np.where(sd > 0, sd, 1.0), 0.0))
    return fold, scaled


def best_per_size(sizes, supports, accuracies):
    """For each k: the accuracy of the model with the largest support <= k (last such one)."""
    out = []
    for k in sizes:
        ok = [i for i, s in enumerate(supports) if s <= k]
        best = max(ok, key=lambda i: (supports[i], i)) if ok else None
        out.append(np.nan if best is None else accuracies[best])
    return out


def run_ours(Xs, y, fold, sizes, algorithm, gamma):
    n_classes = y.max() + 1
    acc, secs = [], []
    for k in range(5):
        X, train, test = Xs[k], fold != k, fold == k
        t = time.perf_counter()
        problem = MultinomialProblem(X[train], y[train], n_classes, np.ones(train.sum()), True)
        points = multinomial_path(problem, "L0L2", gamma, algorithm=algorithm,
                                  max_support_size=max(sizes), num_lambda=200, max_iter=200,
                                  tol=1e-6, max_swaps=100)
        secs.append(time.perf_counter() - t)
        supports, accuracies = [], []
        for pt in points:
            coef, intercept = problem.to_original(pt)
            pred = (X[test] @ coef.T + intercept).argmax(axis=1)
            supports.append(pt.support.size)
            accuracies.append(np.mean(pred == y[test]))
        acc.append(best_per_size(sizes, supports, accuracies))
    return np.mean(acc, axis=0), np.mean(secs)


def run_ours_sizes(Xs, y, fold, sizes, algorithm, gamma):
    """The grid's sizes as a user fits them one after the other with the estimator:
    ``L0Classifier(loss="multinomial", lambda_0=0, max_support_size=k, warm_start=True)``
    (the best subset of each size by CD or CDPSI, each fit starting from the one before)."""
    from l0learn import L0Classifier

    acc, secs = [], []
    for k in range(5):
        X, train, test = Xs[k], fold != k, fold == k
        clf = L0Classifier(loss="multinomial", penalty="L0L2", lambda_0=0.0, gamma=gamma,
                           algorithm=algorithm, warm_start=True)
        row = []
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the fold's constant columns
            for size in sizes:
                clf.set_params(max_support_size=size).fit(X[train], y[train])
                row.append(clf.score(X[test], y[test]))
        secs.append(time.perf_counter() - t)
        acc.append(row)
    return np.mean(acc, axis=0), np.mean(secs)


def run_l1(Xs, y, fold, sizes):
    acc, secs = [], []
    for k in range(5):
        X, train, test = Xs[k], fold != k, fold == k
        t = time.perf_counter()
        Cs = l1_min_c(X[train], y[train], loss="log") * np.geomspace(1, 1e4, 40)
        model = LogisticRegression(l1_ratio=1.0, solver="saga", tol=1e-4, max_iter=5000,
                                   warm_start=True)
        supports, accuracies = [], []
        for C in Cs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.set_params(C=C).fit(X[train], y[train])
            supports.append(int(np.count_nonzero(np.any(model.coef_ != 0, axis=0))))
            accuracies.append(np.mean(model.predict(X[test]) == y[test]))
            if supports[-1] > max(sizes):
                break
        secs.append(time.perf_counter() - t)
        acc.append(best_per_size(sizes, supports, accuracies))
    return np.mean(acc, axis=0), np.mean(secs)


def run_abess(peer_python, Xs, y, fold, sizes):
    with tempfile.TemporaryDirectory() as tmp:
        acc, secs = [], []
        for k in range(5):
            path = os.path.join(tmp, f"fold{k}.npz")
            # one fold at a time: each fold has its own scaling
            only = np.where(fold == k, 0, -1)
            np.savez(path, X=Xs[k], y=y, fold=only)
            out = subprocess.run([peer_python, os.path.join(HERE, "compare",
                                                            "peer_abess_multinomial.py"),
                                  path, json.dumps(list(sizes))],
                                 capture_output=True, text=True, check=True).stdout
            res = json.loads(out)
            acc.append(res["accuracy"][0])
            secs.append(sum(res["time"][0]))
    return np.mean(acc, axis=0), np.mean(secs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python", default=DEFAULT_PEER)
    ap.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    ap.add_argument("--ours", nargs="+", default=[f"{a}:{g:g}" for g in GAMMAS
                                                  for a in ("CD", "CDPSI", "CDPSI-k")])
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args()
    ours = [(a, float(g)) for a, g in (item.split(":") for item in args.ours)]
    for name in args.datasets:
        loader, sizes = DATASETS[name]
        X, y = loader(return_X_y=True)
        fold, Xs = standardised_folds(X.astype(float), y)
        run_ours(Xs, y, fold, sizes[:1], "CDPSI", GAMMAS[0])  # warm-up (compile / cache load)
        rows = {}
        for algorithm, gamma in ours:
            if algorithm.endswith("-k"):
                rows[f"ours {algorithm} g={gamma:g}"] = run_ours_sizes(
                    Xs, y, fold, sizes, algorithm[:-2], gamma)
            else:
                rows[f"ours {algorithm} g={gamma:g}"] = run_ours(Xs, y, fold, sizes, algorithm,
                                                               gamma)
        if not args.no_peers:
            rows["L1 saga"] = run_l1(Xs, y, fold, sizes)
        if not args.no_peers and os.path.exists(args.peer_python):
            rows["abess"] = run_abess(args.peer_python, Xs, y, fold, sizes)
        print(f"\n{name} ({X.shape[0]} x {X.shape[1]}, {y.max() + 1} classes): mean test "
              "accuracy at <= k features, seconds per fold (whole grid)")
        print(f"{'method':<22}" + "".join(f"{'k=' + str(k):>8}" for k in sizes) + f"{'s/fold':>9}")
        for method, (acc, secs) in rows.items():
            print(f"{method:<22}" + "".join(f"{a:8.3f}" for a in acc) + f"{secs:9.3f}")


if __name__ == "__main__":
    main()
