"""FAST additive models: exactness against cvxpy / Lasso, certificates, selection, data handling."""

import itertools
import warnings

import cvxpy as cp
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso

from l0learn import FASTClassifier, FASTClassifierCV, FASTRegressor, FASTRegressorCV
from l0learn.additive._solver import AdditiveProblem, SquaredFit
from l0learn.datasets import make_additive_regression

CLARABEL = dict(solver="CLARABEL", tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11)


def _small(seed, n=80, p=3, decimals=1):
    rng = np.random.default_rng(seed)
    X = np.round(rng.uniform(-1, 1, (n, p)), decimals)
    y = 1.0 * (X[:, 0] > 0.2) + np.sin(2 * X[:, 1]) + 0.3 * rng.normal(size=n)
    return X, y


def _indicators(model, X):
    """Per feature, the n x m_j level indicator matrix of the training encoding."""
    codes = model._codes(X)
    mats = []
    for j, lev in enumerate(model.levels_):
        A = np.zeros((X.shape[0], lev.n_levels))
        A[np.arange(X.shape[0]), codes[:, j]] = 1.0
        mats.append(A)
    return mats


def _tv_objective_cvxpy(model, X, y, lam, loss="squared", w=None, fusion="tv"):
    n = X.shape[0]
    w = np.full(n, 1.0 / n) if w is None else w / w.sum()
    mats = _indicators(model, X)
    betas = [cp.Variable(A.shape[1]) for A in mats]
    b0 = cp.Variable()
    eta = b0 + sum(A @ b for A, b in zip(mats, betas))
    if fusion == "tv":
        tv = sum(cp.norm1(cp.diff(b[:lev.n_chain])) for b, lev in zip(betas, model.levels_)
                 if lev.n_chain > 1)
    else:  # squared jumps, halved (ordered features only here)
        tv = 0.5 * sum(cp.sum_squares(cp.diff(b[:lev.n_chain]))
                       for b, lev in zip(betas, model.levels_) if lev.n_chain > 1)
    if loss == "squared":
        mu = np.sum(w * y)
        sd = np.sqrt(np.sum(w * (y - mu) ** 2))
        data = 0.5 * cp.sum(cp.multiply(w, cp.square((y - mu) / sd - eta)))
    else:
        data = cp.sum(cp.multiply(w, cp.logistic(eta) - cp.multiply(y, eta)))
    prob = cp.Problem(cp.Minimize(data + lam * tv))
    prob.solve(**CLARABEL)
    return prob.value


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("lam", [1e-3, 1e-2])
def test_regression_objective_matches_cvxpy(seed, lam):
    X, y = _small(seed)
    model = FASTRegressor(lambda_fusion=lam, tol=1e-8, max_iter=100000).fit(X, y)
    assert model.converged_
    ref = _tv_objective_cvxpy(model, X, y, lam)
    assert model.objective_ == pytest.approx(ref, abs=1e-6)
    assert model.objective_ >= ref - 1e-7


def test_regression_with_weights_and_missing_matches_cvxpy():
    X, y = _small(5, n=90)
    X[::7, 1] = np.nan
    w = np.random.default_rng(0).uniform(0.2, 3.0, X.shape[0])
    model = FASTRegressor(lambda_fusion=5e-3, tol=1e-8, max_iter=100000).fit(X, y, sample_weight=w)
    ref = _tv_objective_cvxpy(model, X, y, 5e-3, w=w)
    assert model.objective_ == pytest.approx(ref, abs=1e-6)


def test_logistic_objective_matches_cvxpy():
    X, y = _small(2, n=120)
    yc = (y > np.median(y)).astype(float)
    model = FASTClassifier(lambda_fusion=5e-3, tol=1e-7, max_iter=200000).fit(X, yc)
    ref = _tv_objective_cvxpy(model, X, yc, 5e-3, loss="logistic")
    assert model.objective_ == pytest.approx(ref, abs=1e-6)


def test_logistic_newton_phase_reaches_cvxpy_with_default_limits(monkeypatch):
    """Well-separated classes: p (1 - p) is far below the majoriser's 1/4, where the
    majorised sweeps alone crawl.  With the proximal Newton phase the default
    ``max_iter`` reaches the cvxpy optimum; without it the same budget does not."""
    from sklearn.datasets import load_breast_cancer

    from l0learn.additive import _solver

    X, y = load_breast_cancer(return_X_y=True)
    X = np.round(X[:150, :4], 1)
    y = y[:150].astype(float)
    lam = 2e-3
    model = FASTClassifier(lambda_fusion=lam, tol=1e-5).fit(X, y)
    ref = _tv_objective_cvxpy(model, X, y, lam, loss="logistic")
    assert model.converged_
    assert model.objective_ == pytest.approx(ref, abs=1e-6)
    monkeypatch.setattr(_solver, "_NEWTON_STEPS", 0)
    with pytest.warns(ConvergenceWarning):
        crawl = FASTClassifier(lambda_fusion=lam, tol=1e-5, max_iter=200).fit(X, y)
    assert crawl.objective_ > ref + 1e-6


@pytest.mark.parametrize("lam", [1e-4, 1e-2, 1.0])
def test_l2_fusion_objective_matches_cvxpy(lam):
    X, y = _small(7, n=90)
    X[::9, 2] = np.nan
    w = np.random.default_rng(1).uniform(0.2, 3.0, X.shape[0])
    model = FASTRegressor(lambda_fusion=lam, fusion="l2", tol=1e-9, max_iter=100000).fit(
        X, y, sample_weight=w)
    assert model.converged_ and model.kkt_violation_ <= 1e-9
    ref = _tv_objective_cvxpy(model, X, y, lam, w=w, fusion="l2")
    assert model.objective_ == pytest.approx(ref, abs=1e-7)
    yc = (y > np.median(y)).astype(float)
    clf = FASTClassifier(lambda_fusion=lam, fusion="l2", tol=1e-7, max_iter=100000).fit(
        X, yc, sample_weight=w)
    assert clf.converged_
    ref = _tv_objective_cvxpy(clf, X, yc, lam, loss="logistic", w=w, fusion="l2")
    assert clf.objective_ == pytest.approx(ref, abs=1e-6)


def test_l2_fusion_equals_ridge_on_jump_indicators():
    """Squared jumps on the levels are a ridge on the step-function columns 1[x >= u_l]:
    ½ mean r² + ½ lam ‖θ‖² is sklearn's ‖r‖² + alpha ‖θ‖² with alpha = n lam."""
    from sklearn.linear_model import Ridge

    X, y = _small(4, n=100, p=2)
    lam = 3e-2
    model = FASTRegressor(lambda_fusion=lam, fusion="l2", tol=1e-9, max_iter=100000).fit(X, y)
    ys = (y - y.mean()) / y.std()
    cols = np.hstack([(X[:, j:j + 1] >= lev.thresholds[None, 1:]).astype(float)
                      for j, lev in enumerate(model.levels_)])
    ridge = Ridge(alpha=lam * X.shape[0]).fit(cols, ys)
    ours = (model.predict(X) - y.mean()) / y.std()
    np.testing.assert_allclose(ours, ridge.predict(cols), atol=1e-7)
    # many small steps, not a few large ones: every level change is a jump
    assert all(np.count_nonzero(np.diff(v)) == v.size - 1 for v in model.shape_values_)


def test_l2_fusion_on_categories_shrinks_to_a_common_centre():
    rng = np.random.default_rng(0)
    colour = pd.Categorical(rng.choice(["red", "green", "blue", "grey"], 300))
    effect = {"red": 1.0, "green": -0.5, "blue": 0.2, "grey": 0.0}
    y = np.array([effect[c] for c in colour]) + 0.1 * rng.normal(size=300)
    df = pd.DataFrame({"colour": colour})
    loose = FASTRegressor(lambda_fusion=1e-6, fusion="l2").fit(df, y)
    tight = FASTRegressor(lambda_fusion=10.0, fusion="l2").fit(df, y)
    assert np.ptp(tight.shape_values_[0]) < 0.2 * np.ptp(loose.shape_values_[0])
    # category means, recovered when the penalty vanishes
    means = pd.Series(y).groupby(np.asarray(colour)).mean()
    fitted = pd.Series(loose.predict(df)).groupby(np.asarray(colour)).mean()
    np.testing.assert_allclose(fitted[means.index], means, atol=1e-4)


def test_equals_lasso_on_jump_indicators():
    """TV on one feature's levels is a lasso on the step-function columns 1[x >= u_l]."""
    X, y = _small(4, n=100, p=2)
    lam = 3e-3
    model = FASTRegressor(lambda_fusion=lam, tol=1e-9, max_iter=100000).fit(X, y)
    ys = (y - y.mean()) / y.std()
    cols = [(X[:, j:j + 1] >= lev.thresholds[None, 1:]).astype(float)
            for j, lev in enumerate(model.levels_)]
    lasso = Lasso(alpha=lam, tol=1e-12, max_iter=200000).fit(np.hstack(cols), ys)
    ours = (model.predict(X) - y.mean()) / y.std()
    np.testing.assert_allclose(ours, lasso.predict(np.hstack(cols)), atol=1e-5)


def test_block_update_is_exact_and_objective_never_increases():
    X, y = _small(3, n=200, p=4, decimals=2)
    model = FASTRegressor().fit(X, y)  # for the encoding
    problem = AdditiveProblem(model._codes(X), model.levels_, np.ones(200), "tv")
    resid = (y - y.mean()) / y.std()
    beta = problem.zero_beta()
    lam = 2e-3
    values = [problem.objective(beta, resid, lam, 0.0)]
    for sweep in range(6):
        for j in range(4):
            problem.block(j, beta, resid, lam, 0.0)
            _, kkt = problem.block(j, beta, resid, lam, 0.0, True, False)
            assert kkt <= 1e-10  # the block just updated is stationary
            values.append(problem.objective(beta, resid, lam, 0.0))
    assert np.all(np.diff(values) <= 1e-14)
    # residual bookkeeping is exact
    fitted = np.zeros(200)
    from l0learn.additive._kernels import add_shapes
    add_shapes(problem.codes, problem.offsets, beta, fitted)
    np.testing.assert_allclose(resid, (y - y.mean()) / y.std() - fitted, atol=1e-12)


def test_stationarity_certificate_at_convergence():
    X, y, _, _ = make_additive_regression(3000, random_state=0)
    model = FASTRegressor(lambda_fusion=1e-3, tol=1e-6).fit(X, y)
    assert model.converged_ and model.kkt_violation_ <= 1e-6
    # recompute the min-norm subgradient independently from the residual
    resid = (y - model.predict(X)) / model.y_scale_ / X.shape[0]
    codes = model._codes(X)
    for j, lev in enumerate(model.levels_):
        sums = np.bincount(codes[:, j], weights=resid, minlength=lev.n_levels)
        grad = -np.cumsum(sums[::-1])[::-1][1:]  # jumps 1..m-1
        jumps = np.diff(model.shape_values_[j] / model.y_scale_)
        d = np.where(jumps > 0, np.abs(grad + 1e-3), np.where(jumps < 0, np.abs(grad - 1e-3),
                                                              np.abs(grad) - 1e-3))
        assert d.max() <= 2e-6


def test_binning_reproduces_unbinned_fit_and_step_convention():
    X, y = _small(6, n=150, decimals=2)
    unbinned = FASTRegressor(lambda_fusion=1e-3, max_bins=10000, tol=1e-9).fit(X, y)
    m = max(lev.n_chain for lev in unbinned.levels_)
    binned = FASTRegressor(lambda_fusion=1e-3, max_bins=m, tol=1e-9).fit(X, y)
    np.testing.assert_allclose(binned.predict(X), unbinned.predict(X), atol=1e-10)
    coarse = FASTRegressor(lambda_fusion=1e-3, max_bins=8, tol=1e-9).fit(X, y)
    assert all(lev.n_chain <= 8 for lev in coarse.levels_)
    # right-continuous steps: a threshold belongs to the level it starts
    lev, vals = coarse.levels_[0], coarse.shape_values_[0]
    t = lev.thresholds
    np.testing.assert_array_equal(coarse.shape_function(0, t), vals[:lev.n_chain])
    np.testing.assert_array_equal(coarse.shape_function(0, t[1:] - 1e-9), vals[:lev.n_chain - 1])
    assert coarse.shape_function(0, [t[0] - 5.0])[0] == vals[0]


def test_l0_fusion_recovers_jumps_on_noiseless_steps():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (2000, 5))
    y = 1.5 * (X[:, 0] > 0) + ((X[:, 3] > 0.5).astype(float) - (X[:, 3] < -0.3))
    model = FASTRegressor(lambda_fusion=1e-4, fusion="l0", max_bins=4096).fit(X, y)
    table = model.shape_functions_
    assert set(table["feature"]) == {"x0", "x3"}
    x0 = table[table.feature == "x0"]
    x3 = table[table.feature == "x3"]
    assert len(x0) == 2 and len(x3) == 3
    sorted0 = np.sort(X[:, 0])
    first_above = sorted0[np.searchsorted(sorted0, 0.0, side="right")]
    assert x0["upper"].iloc[0] == first_above  # the jump sits at the first value above 0
    assert abs(x3["upper"].iloc[0] - (-0.3)) < 0.01 and abs(x3["upper"].iloc[1] - 0.5) < 0.01
    np.testing.assert_allclose(model.predict(X), y, atol=1e-10)
    # with 64 quantile bins each jump lies inside (or at the edge of) one bin
    binned = FASTRegressor(lambda_fusion=1e-4, fusion="l0", max_bins=64).fit(X, y)
    table = binned.shape_functions_
    for name, jumps in (("x0", [0.0]), ("x3", [-0.3, 0.5])):
        thresholds = binned.levels_[int(name[1])].thresholds
        found = table[table.feature == name]["upper"].to_numpy()[:-1]
        assert len(found) <= 2 * len(jumps)
        for jump in jumps:
            k = np.searchsorted(thresholds, jump)
            bin_edges = thresholds[max(k - 1, 0):k + 1]
            assert np.any(np.isin(found, bin_edges))


def test_tv_recovers_steps_with_small_penalty():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (3000, 3))
    y = 2.0 * (X[:, 1] > 0.25)
    model = FASTRegressor(lambda_fusion=1e-5, max_bins=4096).fit(X, y)
    assert np.mean((model.predict(X) - y) ** 2) < 1e-4
    assert max(np.abs(model.shape_values_[j]).max() for j in (0, 2)) < 0.01
    values = model.shape_values_[1]
    assert np.ptp(values) == pytest.approx(2.0, abs=0.01)
    thresholds = model.levels_[1].thresholds
    assert np.all(np.diff(values)[np.abs(thresholds[1:] - 0.25) > 0.01] == 0)


@pytest.mark.parametrize("fusion, lam", [("tv", 1e-3), ("l2", 1e-2)])
def test_greedy_selection_finds_the_five_active_shapes_first(fusion, lam):
    X, y, _, _ = make_additive_regression(5000, random_state=2)
    model = FASTRegressor(lambda_fusion=lam, fusion=fusion, max_features=5,
                          feature_selection="greedy").fit(X, y)
    assert set(model.selection_path_["feature"]) == {"x0", "x1", "x2", "x3", "x4"}
    assert np.all(np.diff(model.selection_path_["objective"]) < 0)
    np.testing.assert_array_equal(model.active_features_, [0, 1, 2, 3, 4])


@pytest.mark.parametrize("fusion, lam", [("tv", 1e-3), ("l2", 1e-2)])
def test_group_l0_price_zeroes_noise_features(fusion, lam):
    X, y, _, _ = make_additive_regression(5000, random_state=3)
    model = FASTRegressor(lambda_fusion=lam, fusion=fusion, lambda_group=2e-3).fit(X, y)
    np.testing.assert_array_equal(model.active_features_, [0, 1, 2, 3, 4])
    dense = FASTRegressor(lambda_fusion=lam, fusion=fusion).fit(X, y)
    assert len(dense.active_features_) > 5


def _restricted_objective(X, y, features, lam):
    """Best objective with only ``features`` allowed (convex: exact up to tol)."""
    model = FASTRegressor(lambda_fusion=lam, tol=1e-8).fit(X, y)
    problem = AdditiveProblem(model._codes(X), model.levels_, np.ones(len(y)), "tv")
    fit = SquaredFit(problem, problem.zero_beta(), (y - y.mean()) / y.std(), lam, 0.0, tol=1e-8)
    allowed = np.zeros(X.shape[1], dtype=bool)
    allowed[list(features)] = True
    fit.solve(allowed)
    return fit.objective()


@pytest.mark.parametrize("seed", range(3))
def test_swap_search_is_swap_local_optimal_and_matches_enumeration(seed):
    rng = np.random.default_rng(seed)
    X = np.round(rng.uniform(-1, 1, (150, 5)), 2)
    X[:, 4] = X[:, 0] + 0.3 * np.round(rng.uniform(-1, 1, 150), 2)  # a correlated decoy
    y = (X[:, 0] > 0) + 0.8 * np.abs(X[:, 1]) + 0.5 * X[:, 2] + 0.3 * rng.normal(size=150)
    lam, k = 2e-3, 2
    model = FASTRegressor(lambda_fusion=lam, max_features=k, tol=1e-8).fit(X, y)
    active = set(model.active_features_.tolist())
    assert len(active) <= k
    ours = model.objective_
    for a in active:
        for b in set(range(5)) - active:
            assert _restricted_objective(X, y, (active - {a}) | {b}, lam) >= ours - 1e-7
    best = min(_restricted_objective(X, y, s, lam) for s in itertools.combinations(range(5), k))
    assert ours == pytest.approx(best, abs=1e-7)


def test_sample_weight_equals_repetition():
    X, y = _small(8, n=60)
    counts = np.random.default_rng(0).integers(0, 4, 60)
    counts[:2] = 1
    weighted = FASTRegressor(lambda_fusion=2e-3, tol=1e-9).fit(X, y, sample_weight=counts)
    repeated = FASTRegressor(lambda_fusion=2e-3, tol=1e-9).fit(np.repeat(X, counts, axis=0),
                                                               np.repeat(y, counts))
    Xt, _ = _small(9, n=40)
    np.testing.assert_allclose(weighted.predict(Xt), repeated.predict(Xt), atol=1e-7)
    assert weighted.objective_ == pytest.approx(repeated.objective_, abs=1e-9)


def test_missing_values_get_their_own_level():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (1000, 2))
    y = X[:, 0] + 0.05 * rng.normal(size=1000)
    missing = rng.random(1000) < 0.1
    y[missing] += 2.0
    X[missing, 0] = np.nan
    model = FASTRegressor(lambda_fusion=1e-4).fit(X, y)
    table = model.shape_functions_
    row = table[(table.feature == "x0") & (table.category == "missing")]
    assert len(row) == 1
    others = model.shape_function(0, [0.0])[0]
    assert row["value"].iloc[0] - others == pytest.approx(2.0, abs=0.25)
    assert np.isfinite(model.predict(np.array([[np.nan, np.nan]]))).all()
    # a NaN in a column that had none in training contributes 0
    assert model.shape_function(1, [np.nan])[0] == 0.0


def test_categorical_columns_from_a_dataframe():
    rng = np.random.default_rng(0)
    n = 1200
    colour = rng.choice(["red", "green", "blue"], n)
    size = rng.uniform(0, 10, n)
    effect = {"red": 1.0, "green": -1.0, "blue": 0.0}
    y = np.array([effect[c] for c in colour]) + 0.2 * size + 0.1 * rng.normal(size=n)
    df = pd.DataFrame({"colour": pd.Categorical(colour), "size": size})
    model = FASTRegressor(lambda_fusion=1e-4).fit(df, y)
    assert list(model.feature_names_in_) == ["colour", "size"]
    table = model.shape_functions_
    cats = table[table.feature == "colour"].set_index("category")["value"]
    assert cats["red"] - cats["green"] == pytest.approx(2.0, abs=0.05)
    assert cats["red"] - cats["blue"] == pytest.approx(1.0, abs=0.05)
    new = pd.DataFrame({"colour": ["red", "purple"], "size": [5.0, 5.0]})
    pred = model.predict(new)
    assert pred[0] - pred[1] == pytest.approx(cats["red"], abs=1e-12)  # unseen: contributes 0
    # object columns are categorical too, and indices work for numpy input
    obj = FASTRegressor(lambda_fusion=1e-4).fit(df.astype({"colour": object}), y)
    np.testing.assert_allclose(obj.predict(df), model.predict(df), atol=1e-10)
    codes = df["colour"].cat.codes.to_numpy(float)
    arr = FASTRegressor(lambda_fusion=1e-4, categorical_features=[0]).fit(
        np.column_stack([codes, size]), y)
    np.testing.assert_allclose(arr.predict(np.column_stack([codes, size])), model.predict(df),
                               atol=1e-10)


def test_cv_selects_a_grid_value_and_refits():
    X, y, _, _ = make_additive_regression(4000, random_state=0)
    Xt, yt, _, _ = make_additive_regression(4000, random_state=1)
    cv = FASTRegressorCV(n_lambdas=12, cv=4).fit(X, y)
    assert cv.cv_mse_.shape == (12, 4)
    assert cv.lambda_fusion_ in cv.lambdas_
    assert np.all(np.diff(cv.lambdas_) < 0)
    mean = cv.cv_mse_.mean(axis=1)
    best = int(np.nanargmin(mean))
    assert 0 < best < 11  # an interior optimum on this design
    assert cv.lambda_fusion_ == cv.lambdas_[best]
    # patience: a fold stops once that many values in a row score worse than its best
    short = FASTRegressorCV(n_lambdas=12, cv=4, patience=2).fit(X, y)
    stopped = 0
    for f in range(4):
        col = short.cv_mse_[:, f]
        fitted = np.flatnonzero(~np.isnan(col))
        assert fitted[0] == 0 and np.all(np.diff(fitted) == 1)
        last = fitted[-1]
        if last < 11:
            stopped += 1
            assert np.all(col[last - 1:last + 1] > np.min(col[:last - 1]))
    assert stopped > 0
    np.testing.assert_allclose(short.cv_mse_[~np.isnan(short.cv_mse_)],
                               cv.cv_mse_[~np.isnan(short.cv_mse_)], rtol=1e-10)
    assert short.lambda_fusion_ == cv.lambda_fusion_
    direct = FASTRegressor(lambda_fusion=cv.lambda_fusion_).fit(X, y)
    np.testing.assert_allclose(cv.predict(Xt), direct.predict(Xt), atol=1e-3)


def test_classifier_probabilities_and_labels():
    X, y, _, _ = make_additive_regression(3000, random_state=4)
    labels = np.where(y > np.median(y), "high", "low")
    model = FASTClassifier(lambda_fusion=1e-3).fit(X, labels)
    assert list(model.classes_) == ["high", "low"]
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.score(X, labels) > 0.85
    assert set(model.predict(X)) <= {"high", "low"}


def test_classifier_warns_when_unpriced_jumps_run_off():
    # x0 > 0.5 holds positives only: with l0 fusion that segment's value is free and
    # the loss keeps falling as it grows, so no optimum exists.
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(300, 3))
    y = np.where(X[:, 0] > 0.5, 1, rng.integers(0, 2, 300))
    with pytest.warns(UserWarning, match="feature 'x0' has a segment whose rows are all of "
                                         "one class.*fusion='tv'"):
        FASTClassifier(0.01, fusion="l0", max_bins=8, max_iter=50).fit(X, y)
    with pytest.warns(UserWarning, match="no finite optimum.*positive lambda_fusion"):
        FASTClassifier(0.0, max_bins=8, max_iter=50).fit(X, X[:, 1] > 0.5)
    with pytest.warns(UserWarning, match="every training row is on its own side"):
        FASTClassifier(0.0, max_bins=2, max_iter=50).fit(X, X[:, 1] > np.median(X[:, 1]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the size of a TV jump is priced: a finite optimum
        model = FASTClassifier(0.01, fusion="tv", max_bins=8).fit(X, y)
        # and on noise the l0 fit keeps every segment mixed
        FASTClassifier(0.03, fusion="l0", max_bins=8).fit(X, rng.integers(0, 2, 300))
    assert np.abs(model.decision_function(X)).max() < 10


@pytest.mark.parametrize("bad, message", [
    (dict(X=np.array([[1.0, np.inf], [2.0, 1.0], [3.0, 0.0]])), "infinity"),
    (dict(y=np.array([1.0, np.nan, 2.0])), "NaN"),
    (dict(X=np.ones((3, 2)), y=np.ones(4)), "inconsistent"),
    (dict(X=np.empty((0, 2)), y=np.empty(0)), "0 sample"),
])
def test_bad_input_gives_clear_errors(bad, message):
    X = bad.get("X", np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]]))
    y = bad.get("y", np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match=message):
        FASTRegressor().fit(X, y)


def test_bad_parameters_and_labels():
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(ValueError, match="max_features"):
        FASTRegressor(max_features=0).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="not a column"):
        FASTRegressor(categorical_features=["nope"]).fit(pd.DataFrame(X, columns=["a", "b"]),
                                                         X[:, 0])
    with pytest.raises(ValueError, match="indices"):
        FASTRegressor(categorical_features=[5]).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="Only binary"):
        FASTClassifier().fit(X, np.arange(30) % 3)
    with pytest.raises(ValueError, match="feature index"):
        FASTRegressor().fit(X, X[:, 0]).shape_function(7, [0.0])


def test_constant_and_duplicate_columns_and_p_greater_than_n():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 50))
    X[:, 3] = 1.0
    X[:, 4] = X[:, 5]
    y = X[:, 5] + 0.1 * rng.normal(size=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model = FASTRegressor(lambda_fusion=1e-2, max_features=3).fit(X, y)
    assert 3 not in model.active_features_  # a constant column has no shape
    assert np.isfinite(model.predict(X)).all()
    const_y = FASTRegressor().fit(X, np.full(20, 4.0))
    np.testing.assert_allclose(const_y.predict(X), 4.0)
    assert len(const_y.active_features_) == 0


def test_plot_shape_functions():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from l0learn.plotting import plot_shape_functions
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.uniform(size=300), "b": pd.Categorical(rng.choice(["u", "v"], 300))})
    df.loc[::10, "a"] = np.nan
    y = (df["a"].fillna(0.5) > 0.5) + (df["b"] == "u")
    model = FASTRegressor(lambda_fusion=1e-4).fit(df, y)
    axes = plot_shape_functions(model)
    assert {ax.get_title() for ax in axes if ax.get_visible()} == {"a", "b"}


def test_max_iter_reached_warns():
    X, y, _, _ = make_additive_regression(2000, random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        model = FASTRegressor(lambda_fusion=1e-4, max_iter=1, tol=1e-10).fit(X, y)
    assert not model.converged_


def test_classifier_cv_equals_a_hand_computed_fold_loop():
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import StratifiedKFold
    from l0learn import FASTClassifier, FASTClassifierCV

    X, y = load_breast_cancer(return_X_y=True)
    X, y = X[:200, :6], y[:200]
    # a grid where every fit converges (tiny fusion weights leave near-separable folds
    # to run into max_iter, where cold and warm starts stop at different points)
    cv = FASTClassifierCV(lambdas=[0.05, 0.02, 0.01, 0.005], cv=3, tol=1e-6,
                          max_iter=3000).fit(X, y)
    manual = np.empty((4, 3))
    for f, (train, test) in enumerate(StratifiedKFold(3).split(X, y)):
        for q, lam in enumerate(cv.lambdas_):
            m = FASTClassifier(lambda_fusion=lam, tol=1e-6, max_iter=3000).fit(X[train], y[train])
            p1 = np.clip(m.predict_proba(X[test])[:, 1], 1e-300, 1 - 1e-16)
            manual[q, f] = -np.mean(np.where(y[test] == 1, np.log(p1), np.log1p(-p1)))
    # warm-started fold paths vs cold fits: the same convex problems, solved to tol
    np.testing.assert_allclose(cv.cv_scores_, manual, rtol=2e-3, atol=2e-4)
    assert cv.lambda_fusion_ == cv.lambdas_[int(np.argmin(cv.cv_scores_.mean(axis=1)))]
    refit = FASTClassifier(lambda_fusion=cv.lambda_fusion_, tol=1e-6, max_iter=3000).fit(X, y)
    np.testing.assert_allclose(cv.decision_function(X), refit.decision_function(X),
                               rtol=1e-3, atol=1e-3)
    mis = FASTClassifierCV(n_lambdas=4, cv=3, scoring="misclassification").fit(X, y)
    assert np.all((mis.cv_scores_ >= 0) & (mis.cv_scores_ <= 1))


def test_l2_fusion_cv_grid_brackets_the_optimum():
    """The squared-jump grid (from the longest chain's levels times the curvature 1/4,
    five decades down) has its held-out optimum inside, not at an end, on the
    breast-cancer data."""
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    cv = FASTClassifierCV(fusion="l2", cv=3, n_lambdas=10).fit(X[:300], y[:300])
    assert cv.lambdas_[0] == pytest.approx(0.25 * max(lev.n_chain for lev in cv.levels_))
    assert cv.lambdas_[-1] == pytest.approx(1e-5 * cv.lambdas_[0])
    best = int(np.nanargmin(cv.cv_scores_.mean(axis=1)))
    fitted = int(np.flatnonzero(~np.isnan(cv.cv_scores_).any(axis=1))[-1])
    assert 0 < best < fitted
    assert cv.lambda_fusion_ == cv.lambdas_[best]
