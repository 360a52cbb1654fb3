"""Multi-task best subset (Zbar) vs separate L0 fits, scikit-learn MultiTaskLasso and abess.

Usage:
    python benchmarks/bench_multitask.py [--peer-python /path/to/peer/venv/bin/python]
        [--replicates 5]

Designs (Behdin et al. 2022, one X shared by the K = 4 tasks, Σ_ij = 0.5^|i−j|, 10
common features + 5 candidates each used with probability 0.5, coefficient values
μ_j + N(0, bVar) so they differ strongly between tasks; 50 training and 50 test rows
per task):
  A. p = 1000, noise variance U(0.05, 0.2), bVar 50  (the paper: Zbar+L2 RMSE 0.86, L0L2 18.95)
  B. p = 250,  noise variance U(0.5, 2),   bVar 10  (the paper: Zbar+L2 RMSE 1.45, L0L2 6.13)
Every method is tuned by 5-fold CV.  Support F1 is counted over all (task, feature)
pairs: 2 TP / (2 TP + FP + FN).  Also: the time of a warm-started 20-point path
(4 values of s x 5 of lambda_z) at p = 1000.
"""

import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
from sklearn.linear_model import MultiTaskLassoCV

from l0learn import L0RegressorCV, MultiTaskL0RegressorCV
from l0learn.datasets import make_multitask_regression

HERE = os.path.dirname(os.path.abspath(__file__))
DESIGNS = {"A: p=1000, noise U(.05,.2), bVar 50": dict(n_features=1000, beta_var=50.0,
                                                      noise_var_range=(0.05, 0.2)),
           "B: p=250, noise U(.5,2), bVar 10": dict(n_features=250, beta_var=10.0,
                                                   noise_var_range=(0.5, 2.0))}
GRID = dict(s_values=(8, 10, 12, 14, 16), lambda_z_values=(0.0, 1e-3, 1e-2, 0.1, 1.0),
            lambda_1_values=(1e-3,))


def f1(coef, truth):
    tp = np.sum((coef != 0) & (truth != 0))
    return 2 * tp / (np.count_nonzero(coef) + np.count_nonzero(truth))


def rmse(pred, Yt):
    return float(np.mean(np.sqrt(np.mean((pred - Yt) ** 2, axis=0))))


def run_replicate(design, seed, peer_python):
    X, Y, _, truth, (Xt, Yt, _) = make_multitask_regression(50, n_tasks=4, n_test=50,
                                                             random_state=seed, **design)
    out = {}
    t = time.perf_counter()
    m = MultiTaskL0RegressorCV(cv=10, random_state=seed, **GRID).fit(X, Y)
    out["ours Zbar+L2 (CV over s, lambda_z)"] = (time.perf_counter() - t, f1(m.coef_, truth),
                                                 rmse(m.predict(Xt), Yt))
    t = time.perf_counter()
    m = MultiTaskL0RegressorCV(cv=5, random_state=seed, common_support=True,
                               s_values=(10, 12, 14, 16, 18, 20), lambda_z_values=(0.0,),
                               lambda_1_values=(1e-3,)).fit(X, Y)
    out["ours common support + L2 (CV over s)"] = (time.perf_counter() - t, f1(m.coef_, truth),
                                                   rmse(m.predict(Xt), Yt))
    t = time.perf_counter()
    fits = [L0RegressorCV(penalty="L0L2", cv=5, max_support_size=30, random_state=seed).fit(
        X, Y[:, k]) for k in range(4)]
    coef = np.vstack([f.coef_ for f in fits])
    pred = np.column_stack([f.predict(Xt) for f in fits])
    out["ours separate L0L2 per task (L0RegressorCV)"] = (time.perf_counter() - t,
                                                          f1(coef, truth), rmse(pred, Yt))
    t = time.perf_counter()
    lasso = MultiTaskLassoCV(cv=5, n_jobs=1).fit(X, Y)
    out["scikit-learn MultiTaskLassoCV"] = (time.perf_counter() - t, f1(lasso.coef_, truth),
                                            rmse(lasso.predict(Xt), Yt))
    if peer_python:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "d.npz")
            np.savez(path, X=X, Y=Y, Xt=Xt, Yt=Yt)
            res = subprocess.run([peer_python, os.path.join(HERE, "compare",
                                                            "peer_abess_multitask.py"), path],
                                 capture_output=True, text=True)
            if res.returncode == 0:
                r = json.loads(res.stdout.strip().splitlines()[-1])
                out["abess MultiTaskRegression (CV)"] = (r["time"], f1(np.array(r["coef"]), truth),
                                                         r["rmse"])
            else:
                print("abess failed:", res.stderr[-800:])
    return out


def path_time():
    X, Y, _, _, _ = make_multitask_regression(50, 1000, 4, beta_var=50.0, random_state=0)
    cv = MultiTaskL0RegressorCV()
    data, _ = cv._scaled_tasks([X] * 4, [Y[:, k] for k in range(4)])
    t = time.perf_counter()
    n = sum(1 for _ in cv._path(data, [10, 13, 16, 20], [0.0, 1e-3, 1e-2, 0.1, 1.0], [1e-3],
                                [0.0]))
    return n, time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python", default=None)
    ap.add_argument("--replicates", type=int, default=5)
    args = ap.parse_args()
    make_multitask_regression(50, 30, 2, random_state=0)
    n, t = path_time()
    print(f"warm-started path at p=1000, K=4, n=50/task: {n} points in {t:.2f} s")
    for name, design in DESIGNS.items():
        results = {}
        for seed in range(args.replicates):
            for method, vals in run_replicate(design, seed, args.peer_python).items():
                results.setdefault(method, []).append(vals)
        print(f"\n{name} ({args.replicates} replicates; mean, with min-max of F1)")
        print(f"{'method':45s} {'time s':>7s} {'F1':>6s} {'F1 range':>13s} {'test RMSE':>9s}")
        for method, vals in results.items():
            arr = np.array(vals)
            print(f"{method:45s} {arr[:, 0].mean():7.2f} {arr[:, 1].mean():6.3f} "
                  f"{arr[:, 1].min():6.3f}-{arr[:, 1].max():5.3f} {arr[:, 2].mean():9.3f}")


if __name__ == "__main__":
    main()
