"""FIREClassifier: logistic rule selection against cvxpy, stationarity, probabilities, labels."""

import cvxpy as cp
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import (ExtraTreesClassifier, GradientBoostingClassifier,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from l0learn import FIREClassifier, fire_path
from l0learn.rules import _kernels as K
from l0learn.rules._ensemble import extract_rules

CLARABEL = dict(solver="CLARABEL", tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11)


def _data(n=300, seed=0, noise=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 6))
    logit = 1.5 * X[:, 0] - (X[:, 1] > 0.3) + 0.8 * X[:, 2] * (X[:, 3] > 0)
    y = (rng.random(n) < expit(logit / noise)).astype(int)
    return X, y


@pytest.fixture(scope="module")
def small_forest():
    X, y = _data()
    return X, y, RandomForestClassifier(15, max_depth=3, random_state=0).fit(X, y)


def _fusion_matrix(rules):
    pairs = [j for t in range(rules.n_trees) for j in range(rules.offsets[t],
                                                            rules.offsets[t + 1] - 1)]
    k = len(pairs)
    return sp.csr_matrix((np.r_[-np.ones(k), np.ones(k)],
                          (np.r_[np.arange(k), np.arange(k)], np.r_[pairs, np.array(pairs) + 1])),
                         shape=(k, rules.n_rules))


def _cvxpy_logistic_fire(ensemble, X, y01, lam_s, lam_f, lam_2, fit_intercept, weights=None):
    rules = extract_rules(ensemble, centre=np.average(y01, weights=weights))
    M = rules.rule_matrix(X)
    wt = np.ones(len(y01)) if weights is None else np.asarray(weights, float)
    wt = wt / wt.sum()
    w = cp.Variable(rules.n_rules)
    b0 = cp.Variable() if fit_intercept else rules.offset
    u = b0 + M @ w
    obj = (cp.sum(cp.multiply(wt, cp.logistic(u) - cp.multiply(y01, u)))
           + lam_s * cp.norm1(w) + lam_f * cp.norm1(_fusion_matrix(rules) @ w)
           + 0.5 * lam_2 * cp.sum_squares(w))
    prob = cp.Problem(cp.Minimize(obj))
    prob.solve(**CLARABEL)
    return prob.value


# -- the rule matrix of classification ensembles --------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: RandomForestClassifier(20, max_depth=4, random_state=0),
    lambda: ExtraTreesClassifier(20, max_depth=4, random_state=0),
    lambda: DecisionTreeClassifier(max_depth=4, random_state=0),
])
def test_averaging_classifier_rules_reproduce_predict_proba(make):
    X, y = _data(250)
    model = make().fit(X, y)
    Xt, _ = _data(150, seed=3)
    for centre in (0.5, y.mean()):
        rules = extract_rules(model, centre=centre)
        M = rules.rule_matrix(Xt)
        full = expit(rules.offset) + M @ np.full(rules.n_rules, rules.tree_weight)
        np.testing.assert_allclose(full, model.predict_proba(Xt)[:, 1], atol=1e-12)


def test_boosting_classifier_rules_reproduce_the_decision_function():
    X, y = _data(250)
    model = GradientBoostingClassifier(n_estimators=30, max_depth=2, learning_rate=0.3,
                                       random_state=0).fit(X, y)
    rules = extract_rules(model)
    M = rules.rule_matrix(X)
    np.testing.assert_allclose(rules.offset + M @ np.ones(rules.n_rules),
                               model.decision_function(X), atol=1e-10)


# -- the optimisation problem ---------------------------------------------------------------
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("lam_f,lam_2", [(0.0, 0.0), (3e-3, 0.0), (0.0, 1e-3), (2e-3, 1e-2)])
def test_l1_objective_matches_cvxpy(small_forest, fit_intercept, lam_f, lam_2):
    X, y, forest = small_forest
    lam_s = 3e-3
    model = FIREClassifier(forest, lambda_sparse=lam_s, lambda_fusion=lam_f, lambda_2=lam_2,
                           penalty="l1", fit_intercept=fit_intercept, tol=1e-9,
                           max_iter=2000).fit(X, y)
    assert model.converged_
    ref = _cvxpy_logistic_fire(forest, X, y.astype(float), lam_s, lam_f, lam_2, fit_intercept)
    assert model.objective_ == pytest.approx(ref, rel=1e-6, abs=1e-9)
    assert model.objective_ >= ref - 1e-8  # never below the optimum (objective is honest)


def test_boosting_and_weighted_objective_matches_cvxpy():
    X, y = _data(200, seed=1)
    gbc = GradientBoostingClassifier(n_estimators=15, max_depth=2, random_state=0).fit(X, y)
    weights = np.random.default_rng(0).uniform(0.2, 2.0, len(y))
    model = FIREClassifier(gbc, lambda_sparse=2e-3, lambda_2=1e-3, penalty="l1", tol=1e-9,
                           max_iter=2000).fit(X, y, sample_weight=weights)
    ref = _cvxpy_logistic_fire(gbc, X, y.astype(float), 2e-3, 0.0, 1e-3, True, weights)
    assert model.objective_ == pytest.approx(ref, rel=1e-6)


def _prox_gradient_mapping(model, X, y01):
    """max_t Q_t |w_t − prox_t(w_t − ∇_t / Q_t)|, from the dense rule matrix."""
    rules = model._rules
    M = rules.rule_matrix(X).toarray()
    wt = np.full(len(y01), 1.0 / len(y01))
    u = model.intercept_ + M @ model.coef_
    grad = -M.T @ (wt * (y01 - expit(u))) + model.lambda_2 * model.coef_
    c = (M != 0).T.astype(float) @ wt  # each leaf's weight share
    penalty = K.PENALTIES if hasattr(K, "PENALTIES") else {"l1": K.PENALTY_L1,
                                                             "mcp": K.PENALTY_MCP}
    worst = 0.0
    for t in range(rules.n_trees):
        lo, hi = rules.offsets[t], rules.offsets[t + 1]
        Q = np.max(0.25 * c[lo:hi] * rules.values[lo:hi] ** 2 + model.lambda_2)
        w = model.coef_[lo:hi]
        z = w - grad[lo:hi] / Q
        new, tmp = np.empty(hi - lo), np.empty(hi - lo)
        K._prox(z, model.lambda_sparse / Q, model.lambda_fusion / Q, model.gamma,
                penalty[model.penalty], new, tmp)
        worst = max(worst, Q * np.abs(w - new).max())
    intercept_grad = np.sum(wt * (y01 - expit(u)))
    return worst, intercept_grad


@pytest.mark.parametrize("penalty", ["mcp", "l1"])
@pytest.mark.parametrize("lam_f", [0.0, 2e-3])
def test_fit_is_stationary_for_the_proximal_gradient_mapping(small_forest, penalty, lam_f):
    X, y, forest = small_forest
    model = FIREClassifier(forest, lambda_sparse=2e-3, lambda_fusion=lam_f, lambda_2=1e-4,
                           penalty=penalty, tol=1e-7, max_iter=2000).fit(X, y)
    assert model.converged_ and model.n_rules_ > 0
    worst, intercept_grad = _prox_gradient_mapping(model, X, y.astype(float))
    assert worst <= 1e-7 * 1.0001
    assert abs(intercept_grad) <= 1e-10
    assert model.kkt_violation_ == pytest.approx(worst, abs=1e-9)


def test_objective_decreases_along_the_solver_and_beats_the_empty_model(small_forest):
    X, y, forest = small_forest
    y01 = y.astype(float)
    model = FIREClassifier(forest, lambda_sparse=2e-3).fit(X, y)
    p = y01.mean()
    empty = -(p * np.log(p) + (1 - p) * np.log(1 - p))  # intercept-only log loss
    assert model.objective_ < empty
    u = model.decision_function(X)
    loss = np.mean(np.logaddexp(0, u) - y01 * u)
    assert loss <= model.objective_  # the penalties are non-negative


def test_separable_data_terminates_with_finite_weights():
    X, y = _data(200, noise=1e-3)  # labels are a deterministic function of X
    forest = RandomForestClassifier(20, max_depth=4, random_state=0).fit(X, y)
    for l2 in (0.0, 1e-4):
        model = FIREClassifier(forest, lambda_sparse=5e-4, lambda_2=l2, penalty="l1",
                               max_iter=500).fit(X, y)
        assert np.all(np.isfinite(model.coef_)) and np.isfinite(model.objective_)


# -- probabilities, labels, rules ------------------------------------------------------------
def test_probabilities_are_calibrated_shapes(small_forest):
    X, y, forest = small_forest
    model = FIREClassifier(forest).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), 2)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-15)
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), proba, atol=1e-12)
    np.testing.assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    # the mean predicted probability matches the training share (intercept optimality)
    assert proba[:, 1].mean() == pytest.approx(y.mean(), abs=1e-8)
    # decision function = intercept + rule indicators @ contributions
    table = model.rules_
    np.testing.assert_allclose(model.decision_function(X),
                               model.intercept_ + model.transform(X)
                               @ table["contribution"].to_numpy(), atol=1e-12)


@pytest.mark.parametrize("labels", [np.array(["no", "yes"]), np.array([-3, 7]),
                                    np.array([False, True]),
                                    np.array([10, 20], dtype=np.uint8)])
def test_labels_of_any_type(labels):
    X, y = _data(200)
    yl = labels[y]
    a = FIREClassifier(RandomForestClassifier(10, max_depth=3, random_state=0)).fit(X, yl)
    b = FIREClassifier(RandomForestClassifier(10, max_depth=3, random_state=0)).fit(X, y)
    np.testing.assert_array_equal(a.classes_, labels)
    np.testing.assert_allclose(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.predict(X), labels[b.predict(X)])


def test_bad_targets_and_ensembles_give_clear_errors(small_forest):
    X, y, forest = small_forest
    with pytest.raises(ValueError, match="2 classes|binary"):
        FIREClassifier(random_state=0).fit(X, np.zeros(len(y), int))
    with pytest.raises(ValueError, match="binary"):
        FIREClassifier(random_state=0).fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="Unknown label type|continuous"):
        FIREClassifier(random_state=0).fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(ValueError, match="positive sample_weight"):
        FIREClassifier(forest).fit(X, y, sample_weight=(y == 1).astype(float))
    with pytest.raises(TypeError, match="classification ensemble"):
        FIREClassifier(RandomForestRegressor(5, max_depth=2).fit(X, y)).fit(X, y)
    with pytest.raises(ValueError, match="classes"):
        FIREClassifier(forest).fit(X, np.where(y == 1, "a", "b"))
    with pytest.raises(ValueError, match="log_loss"):
        FIREClassifier(GradientBoostingClassifier(loss="exponential", n_estimators=3)).fit(X, y)
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity|inf"):
        FIREClassifier(forest).fit(X_inf, y)


def test_sample_weight_equals_repetition_for_a_fixed_ensemble(small_forest):
    X, y, forest = small_forest
    counts = np.random.default_rng(1).integers(0, 3, len(y))
    counts[:2] = 1
    kw = dict(lambda_sparse=3e-3, lambda_2=1e-3, penalty="l1", tol=1e-9, max_iter=2000)
    a = FIREClassifier(forest, **kw).fit(X, y, sample_weight=counts)
    b = FIREClassifier(forest, **kw).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    assert a.objective_ == pytest.approx(b.objective_, abs=1e-9)
    np.testing.assert_allclose(a.decision_function(X), b.decision_function(X), atol=1e-4)


def test_path_with_log_loss_warm_starts_match_cold_fits(small_forest):
    X, y, forest = small_forest
    models, summary = fire_path(X, y, loss="log_loss", ensemble=forest, n_lambdas=6,
                                penalty="l1", lambda_2=1e-3, tol=1e-9, max_iter=2000)
    assert all(isinstance(m, FIREClassifier) for m in models)
    assert summary["n_rules"].iloc[0] == 0 and summary["converged"].all()
    for model in models[1::2]:
        cold = FIREClassifier(forest, lambda_sparse=model.lambda_sparse, penalty="l1",
                              lambda_2=1e-3, tol=1e-9, n_path=1, max_iter=2000).fit(X, y)
        assert model.objective_ == pytest.approx(cold.objective_, rel=1e-7)
        np.testing.assert_array_equal(model.classes_, cold.classes_)
    with pytest.raises(ValueError, match="loss"):
        fire_path(X, y, loss="hinge", ensemble=forest)


def test_pipeline_and_grid_search():
    X, y = load_breast_cancer(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), FIREClassifier(
        RandomForestClassifier(30, max_depth=3, random_state=0)))
    search = GridSearchCV(pipe, {"fireclassifier__lambda_sparse": [0.01, 0.002]}, cv=3,
                          scoring="roc_auc").fit(X, y)
    assert search.best_score_ > 0.95
    assert search.best_estimator_[-1].n_rules_ <= 30
