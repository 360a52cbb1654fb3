"""Command line: ``python -m l0learn demo`` fits every family on built-in data and explains the output."""

import argparse
import sys
import time


def _plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _compile_kernels():
    """Fit every family once on tiny data: on a first run this compiles the numba kernels."""
    import warnings

    from sklearn.ensemble import RandomForestRegressor

    from . import FASTRegressor, FIRERegressor, GraphL0BnB, L0Regressor, L0RegressorCV
    from .datasets import make_graphical_model, make_sparse_regression

    X, y, _ = make_sparse_regression(40, 8, 2, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        L0RegressorCV(penalty="L0L2", num_gamma=2, cv=2, random_state=0).fit(X, y)
        L0Regressor("L0L2", lambda_0=0.01, gamma=0.1, algorithm="BnB").fit(X, y)
        FASTRegressor(max_features=2).fit(X, y)
        forest = RandomForestRegressor(5, max_depth=2, random_state=0).fit(X, y)
        FIRERegressor(forest).fit(X, y)
        Xg, _ = make_graphical_model(60, 6, seed=0)
        GraphL0BnB(0.05, lambda_2=1.0, algorithm="BnB").fit(Xg)



def demo():
    start = time.perf_counter()
    print("l0learn demo -- sparse models by discrete optimisation:\n"
          "  1. L0-penalised least squares (coordinate descent + local search), cross-validated,\n"
          "     and the chosen model certified optimal by branch and bound;\n"
          "  2. the same solver at p = 5000 (p >> n);\n"
          "  3. FAST additive step functions and FIRE rules from a random forest;\n"
          "  4. GraphL0BnB: a sparse Gaussian graphical model, cross-validated and certified.\n")
    t0 = time.perf_counter()
    _compile_kernels()
    warm_up = time.perf_counter() - t0
    if warm_up > 3.0:
        print(f"(First run on this machine: compiling the numba kernels took {warm_up:.0f} s. "
              "They are cached, so later runs skip this; the times below exclude it.)\n")
    _demo_linear()
    _demo_additive_and_rules()
    _demo_graph()
    total = time.perf_counter() - start
    print(f"\nWhole demo: {total:.1f} s ({total - warm_up:.1f} s without the kernel warm-up).")
    return 0


def _diabetes():
    from sklearn.datasets import load_diabetes
    data = load_diabetes(as_frame=True, scaled=False)  # original units (age in years, ...)
    return data.data, data.target


def _demo_linear():
    import numpy as np
    from sklearn.model_selection import KFold

    from . import L0Regressor, L0RegressorCV, l0_path
    from .datasets import make_sparse_regression

    X, y = _diabetes()
    t0 = time.perf_counter()
    cv = L0RegressorCV(penalty="L0L2", num_gamma=3, cv=5, selection="min",
                       random_state=0).fit(X, y)
    t_cv = time.perf_counter() - t0
    print(f"1. Diabetes data ({X.shape[0]} patients, {X.shape[1]} features, original units). "
          f"L0L2 path over {len(cv.path_)} (gamma, lambda_0) points, 5-fold CV in {t_cv:.2f} s.")
    print("   lambda_0 and gamma act on the normalised problem (unit-norm columns and "
          "response);\n   support_size is the full-data fit's; cv_mse is the mean held-out "
          "squared error over the folds.")
    folds = KFold(5, shuffle=True, random_state=0).split(X)
    y_arr = np.asarray(y, dtype=float)
    baseline = np.mean([np.mean((y_arr[te] - y_arr[tr].mean()) ** 2) for tr, te in folds])
    frame = cv.path_.to_frame()
    print(f"   {'gamma':>8} {'lambda_0':>10} {'support_size':>12} {'cv_mse':>8} {'cv_sd':>7}")
    for i, row in frame.iterrows():
        mark = "   <- chosen: smallest mean CV error" if i == cv.best_index_ else ""
        print(f"   {row['gamma']:8.2e} {row['lambda_0']:10.3e} {int(row['support_size']):12d} "
              f"{cv.cv_means_[i]:8.0f} {cv.cv_sds_[i]:7.0f}{mark}")
    print(f"   (intercept-only model, same folds: cv_mse {baseline:.0f}. The folds refit each "
          "lambda_0 on their own rows,\n   so a row whose full-data support is empty can still "
          "have nonzero fold models and a different error.)")
    print(f"\n   Chosen: lambda_0={cv.lambda_0_:.3e}, gamma={cv.gamma_:.2e}, "
          f"{_plural(cv.support_.size, 'feature')} (coefficients per original unit):")
    for j in cv.support_:
        print(f"     {cv.feature_names_in_[j]:>9s} {cv.coef_[j]:+10.3f}")
    print(f"     {'intercept':>9s} {cv.intercept_:+10.3f}")
    gamma = max(cv.gamma_, 1e-3)
    exact = L0Regressor("L0L2", lambda_0=cv.lambda_0_, gamma=gamma, algorithm="BnB",
                        gap_tol=1e-4).fit(X, y)
    rss = float(np.sum((y_arr - exact.predict(X)) ** 2))
    same = set(exact.support_) == set(cv.support_)
    print(f"   Certified by branch and bound at (lambda_0, gamma={gamma:.2e}): objective "
          f"{exact.objective_:.6f}, lower bound {exact.lower_bound_:.6f}, relative gap "
          f"{exact.gap_:.1e}\n   ({exact.status_}: gap below gap_tol=1e-4, "
          f"{_plural(exact.n_nodes_, 'node')}); the optimal support is "
          f"{'the chosen one' if same else list(exact.feature_names_in_[exact.support_])}.")
    print(f"   The objective is on the normalised scale: RSS / (2 TSS) + lambda_0 * "
          f"{exact.support_.size} + gamma * ||b||^2 (normalised b);\n   here RSS/n = "
          f"{rss / len(y_arr):.0f} is the model's training mean squared error.")

    Xs, ys, coef = make_sparse_regression(500, 5000, 10, snr=5.0, seed=1)
    t0 = time.perf_counter()
    path = l0_path(Xs, ys, max_support_size=20, algorithm="CDPSI")
    t_path = time.perf_counter() - t0
    k10 = np.flatnonzero(path.support_size == 10)
    print(f"\n2. Synthetic n=500, p=5000, 10 true features, SNR 5: CDPSI path of "
          f"{len(path)} points in {t_path:.2f} s; support sizes {path.support_size.tolist()}")
    if k10.size:
        found = set(path.coef[:, k10[0]].indices) == set(np.flatnonzero(coef))
        print(f"   The 10-feature solution is the true support: {found}")
    t0 = time.perf_counter()
    model = L0Regressor(k=10).fit(Xs, ys)
    print(f"   L0Regressor(k=10): support {model.support_.tolist()} in "
          f"{time.perf_counter() - t0:.2f} s; no single swap improves it "
          f"({_plural(model.n_swaps_, 'swap')} made).")


def _demo_additive_and_rules():
    from sklearn.ensemble import RandomForestRegressor

    from . import FASTRegressorCV, FIRERegressor

    X, y = _diabetes()
    t0 = time.perf_counter()
    fast = FASTRegressorCV(n_lambdas=15, cv=5, max_features=5).fit(X, y)
    print(f"\n3. FAST additive step functions on the diabetes data, at most 5 features, "
          f"lambda_fusion by 5-fold CV ({time.perf_counter() - t0:.2f} s):\n   "
          f"{list(fast.feature_names_in_[fast.active_features_])}")
    segments = fast.shape_functions_.groupby("feature").size()
    print("   constant segments per shape: "
          + ", ".join(f"{k} {v}" for k, v in segments.items()))

    forest = RandomForestRegressor(n_estimators=200, max_depth=3, random_state=0).fit(X, y)
    t0 = time.perf_counter()
    fire = FIRERegressor(forest, lambda_sparse=0.03).fit(X, y)
    print(f"   FIRE: {_plural(fire.n_rules_, 'rule')} kept out of {fire._rules.n_rules} leaves "
          f"of a 200-tree forest ({time.perf_counter() - t0:.2f} s, certified stationary: "
          f"{fire.kkt_violation_:.1e}).\n   Prediction = {fire.intercept_:.1f} + the "
          "contributions of the rules a patient satisfies (disease progression units;\n"
          "   thresholds in original units: bmi in kg/m2, bp in mm Hg, s1..s6 blood serum "
          "measurements):")
    table = fire.rules_.sort_values("contribution")
    print(f"   {'contribution':>12}  rule")
    for rule, contribution in zip(table["rule"], table["contribution"]):
        print(f"   {contribution:+12.2f}  if {rule}")


def _demo_graph():
    import numpy as np

    from . import GraphL0BnB, GraphL0BnBCV
    from .datasets import make_graphical_model
    from .metrics import edge_mcc

    X, theta = make_graphical_model(200, 100, design="banded", cond=10, seed=0)
    lambda_2 = 1.0
    t0 = time.perf_counter()
    cv = GraphL0BnBCV(lambda_2=lambda_2, cv=5).fit(X)
    print(f"\n4. GraphL0BnB on a banded Gaussian graphical model (p=100 variables, n=200 "
          f"samples, {np.count_nonzero(np.triu(theta, 1))} true edges).\n   Edge price "
          f"lambda_0 by 5-fold CV of the pseudolikelihood, ridge lambda_2={lambda_2:g} "
          f"({time.perf_counter() - t0:.2f} s): lambda_0={cv.lambda_0_:.3g}, "
          f"{_plural(cv.n_edges_, 'edge')}, edge MCC against the truth "
          f"{edge_mcc(theta, cv.precision_):.3f}.")
    t0 = time.perf_counter()
    exact = GraphL0BnB(cv.lambda_0_, lambda_2=lambda_2, algorithm="BnB", gap_tol=1e-2,
                       time_limit=30).fit(X)
    print(f"   The same model certified by branch and bound: objective "
          f"{exact.objective_:.4f}, lower bound {exact.lower_bound_:.4f}, relative gap "
          f"{exact.gap_:.2%}\n   ({'within' if exact.gap_ <= 1e-2 else 'above'} gap_tol=1%, "
          f"{_plural(exact.n_nodes_, 'node')}, {time.perf_counter() - t0:.2f} s). Smaller "
          "lambda_2 shrinks less but certifies more slowly.")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m l0learn")
    parser.add_argument("command", choices=["demo"], help="what to run")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    return 1  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
