"""Command line: ``python -m l0learn demo`` fits L0 models on built-in data and prints a summary."""

import argparse
import sys
import time


def demo():
    import numpy as np
    from sklearn.datasets import load_diabetes

    from . import L0Regressor, L0RegressorCV, l0_path
    from .datasets import make_sparse_regression

    print("l0learn demo: L0-regularised least squares by coordinate descent + swap local search,"
          " additive step functions (FAST), rules from a forest (FIRE)\n")
    data = load_diabetes(as_frame=True)
    X, y = data.data, data.target
    t0 = time.perf_counter()
    cv = L0RegressorCV(penalty="L0L2", num_gamma=3, cv=5, random_state=0).fit(X, y)
    t_cv = time.perf_counter() - t0
    print(f"Diabetes data ({X.shape[0]} patients, {X.shape[1]} features), 5-fold CV over "
          f"{len(cv.path_)} (lambda_0, gamma) points in {t_cv:.2f} s")
    table = cv.path_.to_frame().assign(cv_mse=cv.cv_means_, cv_sd=cv.cv_sds_)
    with_cols = ["gamma", "lambda_0", "support_size", "cv_mse", "cv_sd"]
    print(table[with_cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"\nChosen: lambda_0={cv.lambda_0_:.4g}, gamma={cv.gamma_:.4g}, "
          f"{cv.support_.size} features:")
    for j in cv.support_:
        print(f"  {cv.feature_names_in_[j]:>6s}  {cv.coef_[j]:+9.2f}")
    print(f"  intercept {cv.intercept_:+9.2f}")
    exact = L0Regressor("L0L2", lambda_0=cv.lambda_0_, gamma=max(cv.gamma_, 1e-3),
                        algorithm="BnB").fit(X, y)
    print(f"Certified by branch and bound at the chosen (lambda_0, gamma): objective "
          f"{exact.objective_:.6f}, lower bound {exact.lower_bound_:.6f}, gap {exact.gap_:.1e} "
          f"({exact.status_}, {exact.n_nodes_} nodes, support "
          f"{list(exact.feature_names_in_[exact.support_])})")

    Xs, ys, coef = make_sparse_regression(500, 5000, 10, snr=5.0, seed=1)
    t0 = time.perf_counter()
    path = l0_path(Xs, ys, max_support_size=20, algorithm="CDPSI")
    t_path = time.perf_counter() - t0
    k10 = np.flatnonzero(path.support_size == 10)
    print(f"\nSynthetic n=500, p=5000, 10 true features, SNR 5: CDPSI path of {len(path)} "
          f"points in {t_path:.2f} s; support sizes {path.support_size.tolist()}")
    if k10.size:
        found = set(path.coef[:, k10[0]].indices) == set(np.flatnonzero(coef))
        print(f"The 10-feature solution is the true support: {found}")
    t0 = time.perf_counter()
    model = L0Regressor(k=10).fit(Xs, ys)
    print(f"L0Regressor(k=10): support {model.support_.tolist()} in "
          f"{time.perf_counter() - t0:.2f} s, swap-optimal after {model.n_swaps_} swap(s)")
    _demo_additive_and_rules(X, y)
    _demo_graph()
    return 0


def _demo_graph():
    import numpy as np

    from .datasets import make_graphical_model
    from . import GraphL0BnB, GraphL0BnBCV
    from .metrics import edge_mcc

    X, theta = make_graphical_model(200, 100, design="banded", cond=10, seed=0)
    t0 = time.perf_counter()
    cv = GraphL0BnBCV(lambda_2=0.01, cv=5).fit(X)
    print(f"\nGraphL0BnB on a banded Gaussian graphical model (p=100, n=200, "
          f"{np.count_nonzero(np.triu(theta, 1))} true edges), lambda_0 by 5-fold CV "
          f"({time.perf_counter() - t0:.2f} s): {cv.n_edges_} edges, edge MCC "
          f"{edge_mcc(theta, cv.precision_):.3f}")
    t0 = time.perf_counter()
    exact = GraphL0BnB(0.04, lambda_2=1.0, algorithm="BnB", time_limit=30).fit(X)
    print(f"  certified at lambda_2=1: {exact.status_}, objective {exact.objective_:.4f}, lower "
          f"bound {exact.lower_bound_:.4f}, gap {exact.gap_:.2%}, {exact.n_nodes_} nodes "
          f"({time.perf_counter() - t0:.2f} s)")


def _demo_additive_and_rules(X, y):
    from sklearn.ensemble import RandomForestRegressor

    from . import FASTRegressorCV, FIRERegressor

    t0 = time.perf_counter()
    fast = FASTRegressorCV(n_lambdas=15, cv=5, max_features=5).fit(X, y)
    print(f"\nFAST additive step functions, at most 5 features, lambda_fusion chosen by 5-fold CV "
          f"({time.perf_counter() - t0:.2f} s): {list(fast.feature_names_in_[fast.active_features_])}")
    segments = fast.shape_functions_.groupby("feature").size()
    print("  segments per shape: " + ", ".join(f"{k} {v}" for k, v in segments.items()))

    forest = RandomForestRegressor(n_estimators=200, max_depth=3, random_state=0).fit(X, y)
    t0 = time.perf_counter()
    fire = FIRERegressor(forest, lambda_sparse=0.03).fit(X, y)
    print(f"FIRE: {fire.n_rules_} rules kept out of {fire._rules.n_rules} leaves of a 200-tree "
          f"forest ({time.perf_counter() - t0:.2f} s, stationarity {fire.kkt_violation_:.1e}):")
    table = fire.rules_.sort_values("contribution")
    for rule, contribution in zip(table["rule"], table["contribution"]):
        print(f"  {contribution:+8.2f}  if {rule}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m l0learn")
    parser.add_argument("command", choices=["demo"], help="what to run")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    return 1  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
