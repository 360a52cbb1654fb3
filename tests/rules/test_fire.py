"""FIRE rule extraction: rule matrix, prox maps, block solver and full objective vs references."""

import re

import cvxpy as cp
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.ensemble import (ExtraTreesRegressor, GradientBoostingRegressor,
                              RandomForestRegressor)
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from l0learn import FIRERegressor, fire_path
from l0learn.rules import _kernels as K
from l0learn.rules._ensemble import extract_rules
from l0learn.datasets import make_additive_regression

CLARABEL = dict(solver="CLARABEL", tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11)


def _data(n=400, seed=0):
    X, y, _, _ = make_additive_regression(n, random_state=seed)
    return X, y


@pytest.fixture(scope="module")
def small_forest():
    X, y = _data()
    return X, y, RandomForestRegressor(20, max_depth=3, random_state=0).fit(X, y)


# -- the rule matrix -----------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: RandomForestRegressor(30, max_depth=4, random_state=0),
    lambda: ExtraTreesRegressor(30, max_depth=4, random_state=0),
    lambda: RandomForestRegressor(10, max_depth=None, min_samples_leaf=3, random_state=0),
    lambda: GradientBoostingRegressor(n_estimators=40, max_depth=3, learning_rate=0.2,
                                      random_state=0),
    lambda: DecisionTreeRegressor(max_depth=5, random_state=0),
])
def test_rule_matrix_reproduces_the_ensemble(make):
    X, y = _data(300)
    model = make().fit(X, y)
    Xt, _ = _data(200, seed=9)
    for centre in (0.0, y.mean()):  # centred leaves reproduce it too
        rules = extract_rules(model, centre=centre)
        M = rules.rule_matrix(Xt)
        assert sp.issparse(M) and M.shape == (200, rules.n_rules)
        full = rules.offset + M @ np.full(rules.n_rules, rules.tree_weight)
        np.testing.assert_allclose(full, model.predict(Xt), atol=1e-12)


def test_rule_columns_are_leaves_in_node_order_including_empty_ones():
    X, y = _data(300)
    forest = RandomForestRegressor(5, max_depth=4, random_state=0).fit(X, y)
    rules = extract_rules(forest)
    for t, est in enumerate(forest.estimators_):
        leaves = np.flatnonzero(est.tree_.children_left < 0)
        np.testing.assert_array_equal(rules.leaves[t], leaves)
        assert rules.offsets[t + 1] - rules.offsets[t] == leaves.size
    # bootstrap: some leaves receive no row of a new sample, their columns stay (zero)
    M = rules.rule_matrix(X[:20])
    assert M.shape[1] == rules.n_rules and np.any(np.asarray(M.getnnz(axis=0)) == 0)


# -- prox maps and the block solver --------------------------------------------------------
@pytest.mark.parametrize("penalty", [K.PENALTY_L1, K.PENALTY_MCP])
def test_thresholds_match_brute_force_minimisation(penalty):
    rng = np.random.default_rng(0)
    grid = np.linspace(-6, 6, 240001)
    for _ in range(60):
        z, lam, Q, gamma = rng.normal(scale=2), rng.uniform(0.1, 1.5), rng.uniform(0.5, 3), 1.1
        gamma_t = gamma / Q
        if penalty == K.PENALTY_L1:
            pen = lam * np.abs(grid) / Q
        else:
            absg = np.abs(grid)
            pen = np.where(absg <= lam * gamma_t, lam * absg - absg ** 2 / (2 * gamma_t),
                           0.5 * gamma_t * lam ** 2) / Q
        f = 0.5 * (grid - z) ** 2 + pen
        ours = K.threshold(z, lam / Q, gamma, penalty)
        f_ours = 0.5 * (ours - z) ** 2 + np.interp(ours, grid, pen)
        assert f_ours <= f.min() + 1e-8


@pytest.mark.parametrize("seed", range(8))
def test_threshold_of_flsa_is_the_joint_prox(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 7))
    z, lam_s, lam_f = rng.normal(size=m), rng.uniform(0, 1), rng.uniform(0, 1)
    out, tmp = np.empty(m), np.empty(m)
    K._prox(z, lam_s, lam_f, 1.1, K.PENALTY_L1, out, tmp)
    w = cp.Variable(m)
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(w - z) + lam_s * cp.norm1(w)
                                  + lam_f * cp.norm1(cp.diff(w))))
    prob.solve(**CLARABEL)
    np.testing.assert_allclose(out, w.value, atol=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_block_solver_matches_qp(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 17))
    q, a = rng.uniform(0.01, 1.0, m), rng.normal(size=m)
    lam_s, lam_f = rng.uniform(0, 0.3), rng.uniform(0, 0.3)
    w = np.zeros(m)
    K.solve_block(q, a, w, lam_s, lam_f, 1.1, K.PENALTY_L1, q.max(), 100000, 1e-13)
    x = cp.Variable(m)
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum(cp.multiply(q, cp.square(x - a)))
                                  + lam_s * cp.norm1(x) + lam_f * cp.norm1(cp.diff(x))))
    prob.solve(**CLARABEL)
    value = 0.5 * np.sum(q * (w - a) ** 2) + lam_s * np.abs(w).sum() + lam_f * np.abs(
        np.diff(w)).sum()
    assert value <= prob.value + 1e-9


# -- the whole problem ---------------------------------------------------------------------
def _cvxpy_fire(forest, X, y, lam_s, lam_f, fit_intercept):
    rules = extract_rules(forest, centre=y.mean())  # leaves as deviations from the mean
    M = rules.rule_matrix(X)
    n = X.shape[0]
    target = y - rules.offset
    mu = target.mean() if fit_intercept else 0.0
    scale = np.sqrt(np.mean((target - mu) ** 2))
    ys, Ms = (target - mu) / scale, M / scale
    w = cp.Variable(rules.n_rules)
    b0 = cp.Variable() if fit_intercept else 0.0
    pairs = [j for t in range(rules.n_trees) for j in range(rules.offsets[t],
                                                            rules.offsets[t + 1] - 1)]
    D = sp.csr_matrix((np.r_[-np.ones(len(pairs)), np.ones(len(pairs))],
                       (np.r_[np.arange(len(pairs)), np.arange(len(pairs))],
                        np.r_[pairs, np.array(pairs) + 1])), shape=(len(pairs), rules.n_rules))
    obj = (0.5 / n * cp.sum_squares(ys - b0 - Ms @ w) + lam_s * cp.norm1(w)
           + lam_f * cp.norm1(D @ w))
    prob = cp.Problem(cp.Minimize(obj))
    prob.solve(**CLARABEL)
    return prob.value


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("lam_f", [0.0, 2e-3])
def test_l1_fusion_objective_matches_cvxpy(small_forest, fit_intercept, lam_f):
    X, y, forest = small_forest
    lam_s = 2e-3
    model = FIRERegressor(forest, lambda_sparse=lam_s, lambda_fusion=lam_f, penalty="l1",
                          fit_intercept=fit_intercept, tol=1e-8).fit(X, y)
    assert model.converged_
    ref = _cvxpy_fire(forest, X, y, lam_s, lam_f, fit_intercept)
    assert model.objective_ == pytest.approx(ref, rel=1e-6)


def test_l1_kkt_conditions_hold_at_convergence(small_forest):
    X, y, forest = small_forest
    lam = 3e-3
    model = FIRERegressor(forest, lambda_sparse=lam, penalty="l1", tol=1e-8).fit(X, y)
    rules = extract_rules(forest, centre=y.mean())
    scale = np.std(y)
    M = rules.rule_matrix(X).toarray() / scale
    resid = (y - model.predict(X)) / scale
    grad = -M.T @ resid / X.shape[0]
    w = model.coef_
    nz = w != 0
    assert np.abs(grad[nz] + lam * np.sign(w[nz])).max() <= 1e-7
    assert np.abs(grad[~nz]).max() <= lam + 1e-7
    assert abs(np.mean(resid)) <= 1e-12  # the intercept is optimal


def test_mcp_objective_beats_the_reference_implementation():
    """Methods note §6: our F/n at each lambda is below the reference solver's (tol 1e-3)."""
    X, y, _, _ = make_additive_regression(5000, random_state=4)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    forest = RandomForestRegressor(500, max_features="sqrt", max_depth=4, random_state=0).fit(X, y)
    assert extract_rules(forest).n_rules == 7916  # the same ensemble as the reference run
    reference = {200: 0.19022, 100: 0.14005, 55: 0.12034, 30: 0.11077, 15: 0.10660}
    for lam, ref in reference.items():
        model = FIRERegressor(forest, lambda_sparse=lam / 5000, fit_intercept=False).fit(X, y)
        assert model.converged_ and model.kkt_violation_ <= 1e-5
        assert model.objective_ < ref


def test_rules_text_matches_the_leaf_indicators(small_forest):
    X, y, forest = small_forest
    model = FIRERegressor(forest, lambda_sparse=1e-3).fit(X, y)
    table = model.rules_
    assert len(table) == model.n_rules_ > 0
    indicators = model.transform(X)
    thresholds = np.concatenate([est.tree_.threshold[est.tree_.feature >= 0]
                                 for est in forest.estimators_])
    near = np.zeros(X.shape[0], dtype=bool)
    for thr in thresholds:  # rows within the printed precision of a split are ambiguous
        near |= np.any(np.abs(X - thr) < 1e-5 * max(1.0, abs(thr)), axis=1)
    for q, text in enumerate(table["rule"]):
        mask = np.ones(X.shape[0], dtype=bool)
        for part in text.split(" and "):
            if m := re.fullmatch(r"(\S+) < x(\d+) <= (\S+)", part):
                col = X[:, int(m[2])]
                mask &= (col > float(m[1])) & (col <= float(m[3]))
            elif m := re.fullmatch(r"x(\d+) <= (\S+)", part):
                mask &= X[:, int(m[1])] <= float(m[2])
            elif m := re.fullmatch(r"x(\d+) > (\S+)", part):
                mask &= X[:, int(m[1])] > float(m[2])
            else:
                raise AssertionError(f"unparsed condition {part!r}")
        np.testing.assert_array_equal(mask[~near], indicators[~near, q].astype(bool))
    # prediction = intercept + indicators @ contributions
    np.testing.assert_allclose(model.predict(X),
                               model.intercept_ + indicators @ table["contribution"].to_numpy(),
                               atol=1e-12)
    assert set(table.columns) >= {"rule", "tree", "leaf", "weight", "leaf_value",
                                  "contribution", "support"}


def test_feature_names_appear_in_rules(small_forest):
    pd = pytest.importorskip("pandas")
    X, y, _ = small_forest
    df = pd.DataFrame(X, columns=[f"f_{j}" for j in range(X.shape[1])])
    model = FIRERegressor(RandomForestRegressor(10, max_depth=3, random_state=0),
                          lambda_sparse=2e-3).fit(df, y)
    assert all("f_" in rule for rule in model.rules_["rule"])


def test_sample_weight_equals_repetition(small_forest):
    X, y, forest = small_forest
    counts = np.random.default_rng(0).integers(0, 3, X.shape[0])
    counts[:2] = 1
    a = FIRERegressor(forest, lambda_sparse=2e-3, penalty="l1", tol=1e-8).fit(
        X, y, sample_weight=counts)
    b = FIRERegressor(forest, lambda_sparse=2e-3, penalty="l1", tol=1e-8).fit(
        np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-5)
    assert a.objective_ == pytest.approx(b.objective_, abs=1e-9)


def test_path_warm_starts_match_cold_fits_for_l1(small_forest):
    X, y, forest = small_forest
    models, summary = fire_path(X, y, ensemble=forest, n_lambdas=8, penalty="l1", tol=1e-8)
    assert len(models) == 8 and summary["n_rules"].iloc[0] == 0
    assert summary["converged"].all()
    for model in models[2::3]:
        cold = FIRERegressor(forest, lambda_sparse=model.lambda_sparse, penalty="l1",
                             tol=1e-8, n_path=1).fit(X, y)
        assert model.objective_ == pytest.approx(cold.objective_, rel=1e-7)
        np.testing.assert_allclose(model.predict(X), cold.predict(X), atol=1e-5)


def test_fusion_concentrates_rules_in_fewer_trees(small_forest):
    X, y, forest = small_forest
    plain = FIRERegressor(forest, lambda_sparse=2e-3).fit(X, y)
    fused = FIRERegressor(forest, lambda_sparse=2e-3, lambda_fusion=5e-3).fit(X, y)
    for model in (plain, fused):
        assert model.n_trees_used_ <= model.n_rules_
    # fused neighbours share one weight
    w = fused.coef_
    same = [(w[j] == w[j + 1]) and w[j] != 0 for t in range(20)
            for j in range(fused._rules.offsets[t], fused._rules.offsets[t + 1] - 1)]
    assert any(same)


def test_default_forest_and_unfitted_ensembles_are_fitted_here():
    X, y = _data(300)
    model = FIRERegressor(random_state=0, lambda_sparse=5e-3).fit(X, y)
    assert len(model.ensemble_.estimators_) == 200
    template = GradientBoostingRegressor(n_estimators=10, random_state=0)
    model = FIRERegressor(template, lambda_sparse=5e-3).fit(X, y)
    assert not hasattr(template, "estimators_")  # the parameter is not modified
    assert model.ensemble_ is not template


def test_bad_input_gives_clear_errors(small_forest):
    X, y, forest = small_forest
    with pytest.raises(TypeError, match="RandomForestRegressor"):
        FIRERegressor(LinearRegression()).fit(X, y)
    with pytest.raises(ValueError, match="expects 10 features"):
        FIRERegressor(forest).fit(X[:, :5], y)
    with pytest.raises(ValueError, match="squared_error"):
        FIRERegressor(GradientBoostingRegressor(loss="huber", n_estimators=5)).fit(X, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FIRERegressor(forest).fit(X_nan, y)
    with pytest.raises(ValueError, match="gamma"):
        FIRERegressor(forest, gamma=1.0).fit(X, y)


def test_zero_sparsity_weight_fits():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 4))
    y = X[:, 0] + 0.1 * rng.standard_normal(100)
    forest = RandomForestRegressor(20, max_depth=2, random_state=0)
    m = FIRERegressor(forest, lambda_sparse=0.0, max_iter=2000).fit(X, y)
    assert m.lambda_sparse == 0.0 and np.all(np.isfinite(m.coef_))
    assert m.score(X, y) > 0.5


def test_path_on_a_constant_response_is_one_point():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    with pytest.warns(UserWarning, match="y is constant"):
        models, summary = fire_path(X, np.full(60, 2.5), n_lambdas=5, random_state=0)
    assert summary["lambda_sparse"].tolist() == [0.0]
    assert np.isfinite(summary["objective"]).all()
    np.testing.assert_allclose(models[0].predict(X), 2.5)


@pytest.mark.parametrize("scale", [1e-150, 1e150])
def test_values_float32_trees_cannot_hold_are_refused(scale):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    with pytest.raises(ValueError, match="float32"):
        FIRERegressor(random_state=0).fit(X * scale, X[:, 0])
