"""FIRE: rule extraction on the additive design, vs the reference solver's figures, cvxpy and RuleFit.

Usage:
    python benchmarks/bench_fire.py [--peer-python /path/to/venv/bin/python] [--skip-cvxpy]

1. Methods note §6 data (n = 5000 train seed 4 / test seed 5, standardised;
   RandomForestRegressor(500, max_features='sqrt', max_depth=4, random_state=0),
   7916 rules): MCP (gamma 1.1) at the reference's lambda values, cold starts,
   against the reference GBCD's recorded objective (it cannot run here: it needs
   Julia and pandas < 2); a warm-started 20-value path; fusion.
2. Convex case (l1 + fusion, lambda_s = 55/n, lambda_f = 20/n) against cvxpy/Clarabel
   on the same 7916 rules: time and objective.
3. RuleFit (imodels, in its own environment) on the note's RuleFit data (n = 5000,
   seeds 2 / 3, raw y): rules and test MSE against our path.
"""

import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
import scipy.sparse as sp
from sklearn.ensemble import RandomForestRegressor

from l0learn import FIRERegressor, fire_path
from l0learn.rules._ensemble import extract_rules
from l0learn.datasets import make_additive_regression

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = {200: (6, 4, 0.19022, 0.355, 0.34), 100: (11, 4, 0.14005, 0.264, 0.28),
             55: (17, 6, 0.12034, 0.237, 0.35), 30: (32, 8, 0.11077, 0.224, 0.29),
             15: (56, 9, 0.10660, 0.221, 0.30)}  # rules, trees, F/n, test MSE, s (cold)


def standardised_data():
    X, y, _, _ = make_additive_regression(5000, random_state=4)
    Xt, yt, _, _ = make_additive_regression(5000, random_state=5)
    mx, sx, my, sy = X.mean(0), X.std(0), y.mean(), y.std()
    return (X - mx) / sx, (y - my) / sy, (Xt - mx) / sx, (yt - my) / sy


def mse(model, X, y):
    return float(np.mean((model.predict(X) - y) ** 2))


def section_reference(X, y, Xt, yt, forest):
    n = X.shape[0]
    FIRERegressor(forest, lambda_sparse=0.05, fit_intercept=False).fit(X[:300], y[:300])  # compile
    print("\n1. MCP (gamma=1.1), cold starts, fit_intercept=False (the reference's problem)")
    print(f"{'lambda':>6s} | {'ours: rules':>11s} {'trees':>5s} {'F/n':>8s} {'test MSE':>8s} "
          f"{'s':>5s} {'kkt':>7s} | {'ref: rules':>10s} {'trees':>5s} {'F/n':>8s} {'MSE':>6s} "
          f"{'s':>5s}")
    for lam, (r_rules, r_trees, r_obj, r_mse, r_time) in REFERENCE.items():
        t = time.perf_counter()
        m = FIRERegressor(forest, lambda_sparse=lam / n, fit_intercept=False).fit(X, y)
        dt = time.perf_counter() - t
        print(f"{lam:6d} | {m.n_rules_:11d} {m.n_trees_used_:5d} {m.objective_:8.5f} "
              f"{mse(m, Xt, yt):8.3f} {dt:5.2f} {m.kkt_violation_:7.1e} | {r_rules:10d} "
              f"{r_trees:5d} {r_obj:8.5f} {r_mse:6.3f} {r_time:5.2f}")

    print("\n   warm-started path, 20 values (MCP, with intercept)")
    t = time.perf_counter()
    models, summary = fire_path(X, y, ensemble=forest, n_lambdas=20, lambda_min_ratio=0.01)
    dt = time.perf_counter() - t
    summary["test_mse"] = [mse(m, Xt, yt) for m in models]
    summary["lambda_x_n"] = summary["lambda_sparse"] * n
    print(summary[["lambda_x_n", "n_rules", "n_trees", "n_nodes", "objective", "test_mse",
                   "converged"]].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"   path: {dt:.2f} s for 20 values (reference: one cold fit per lambda, "
          f"0.22-0.35 s each, stopped at tol 1e-3)")

    print("\n   fusion at lambda_s = 55/n (MCP)")
    print(f"{'lambda_f*n':>10s} {'rules':>5s} {'trees':>5s} {'nodes kept':>10s} {'test MSE':>8s}")
    for lf in (0, 10, 20, 50):
        m = FIRERegressor(forest, lambda_sparse=55 / n, lambda_fusion=lf / n,
                          fit_intercept=False).fit(X, y)
        print(f"{lf:10d} {m.n_rules_:5d} {m.n_trees_used_:5d} {m.n_nodes_kept_:10d} "
              f"{mse(m, Xt, yt):8.3f}")


def section_cvxpy(X, y, forest):
    import cvxpy as cp
    n = X.shape[0]
    lam, lf = 55 / n, 20 / n
    rules = extract_rules(forest)
    M = rules.rule_matrix(X)
    pairs = [j for t in range(rules.n_trees) for j in range(rules.offsets[t],
                                                            rules.offsets[t + 1] - 1)]
    k = len(pairs)
    D = sp.csr_matrix((np.r_[-np.ones(k), np.ones(k)], (np.r_[np.arange(k), np.arange(k)],
                                                        np.r_[pairs, np.array(pairs) + 1])),
                      shape=(k, rules.n_rules))
    w = cp.Variable(rules.n_rules)
    prob = cp.Problem(cp.Minimize(0.5 / n * cp.sum_squares(y - M @ w) + lam * cp.norm1(w)
                                  + lf * cp.norm1(D @ w)))
    t = time.perf_counter()
    prob.solve(solver="CLARABEL")
    t_cvx = time.perf_counter() - t
    print(f"\n2. l1 + fusion (lambda_s = 55/n, lambda_f = 20/n), {rules.n_rules} rules, n = {n}")
    print(f"   cvxpy + Clarabel: {t_cvx:.1f} s, objective {prob.value:.10f} ({prob.status})")
    for tol in (1e-5, 1e-6):
        t = time.perf_counter()
        m = FIRERegressor(forest, lambda_sparse=lam, lambda_fusion=lf, penalty="l1",
                          fit_intercept=False, tol=tol, n_path=1).fit(X, y)
        dt = time.perf_counter() - t
        rel = (m.objective_ - prob.value) / prob.value
        print(f"   ours tol={tol:g}: {dt:.2f} s, objective {m.objective_:.10f} (relative "
              f"difference {rel:+.1e}), {m.n_rules_} rules; speed-up {t_cvx / dt:.0f}x")


def section_rulefit(peer_python):
    X, y, _, _ = make_additive_regression(5000, random_state=2)
    Xt, yt, _, _ = make_additive_regression(5000, random_state=3)
    print("\n3. RuleFit data (n = 5000, seeds 2/3, raw y; best test MSE 0.3618)")
    peer = None
    if peer_python:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "data.npz")
            np.savez(path, X=X, y=y, Xt=Xt, yt=yt)
            res = subprocess.run([peer_python, os.path.join(HERE, "compare", "peer_additive.py"),
                                  path, "rulefit"], capture_output=True, text=True)
            if res.returncode == 0:
                peer = json.loads(res.stdout.strip().splitlines()[-1])
                print(f"   RuleFit (imodels, random_state=0): {peer['wall']:.1f} s wall, "
                      f"{peer['rules']} terms, test MSE {peer['test_mse']:.3f}")
            else:
                print(f"   RuleFit failed: {res.stderr[-1500:]}")
    t = time.perf_counter()
    forest = RandomForestRegressor(500, max_features="sqrt", max_depth=4, random_state=0)
    models, summary = fire_path(X, y, ensemble=forest, n_lambdas=20, lambda_min_ratio=0.01,
                                random_state=0)
    dt = time.perf_counter() - t
    summary["test_mse"] = [mse(m, Xt, yt) for m in models]
    print(f"   ours: forest + 20-value MCP path {dt:.1f} s")
    for column, fmt in (("n_rules", "{:5d}"), ("n_trees", "{:5d}"), ("test_mse", "{:5.3f}")):
        print(f"   {column:9s}" + " ".join(fmt.format(v) for v in summary[column]))
    if peer is not None:
        ok = summary[summary.test_mse <= peer["test_mse"]]
        if len(ok):
            row = ok.iloc[0]
            print(f"   fewest rules at test MSE <= RuleFit's: {int(row.n_rules)} rules "
                  f"(MSE {row.test_mse:.3f}) vs RuleFit's {peer['rules']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python", default=None)
    ap.add_argument("--skip-cvxpy", action="store_true")
    args = ap.parse_args()
    X, y, Xt, yt = standardised_data()
    t = time.perf_counter()
    forest = RandomForestRegressor(500, max_features="sqrt", max_depth=4, random_state=0).fit(X, y)
    print(f"forest: {time.perf_counter() - t:.1f} s, {extract_rules(forest).n_rules} rules, "
          f"test MSE {mse(forest, Xt, yt):.3f}")
    section_reference(X, y, Xt, yt, forest)
    if not args.skip_cvxpy:
        section_cvxpy(X, y, forest)
    section_rulefit(args.peer_python)


if __name__ == "__main__":
    main()
