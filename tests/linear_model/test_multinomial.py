"""L0Classifier(loss="multinomial"): enumeration, local optimality, labels, CV, pickling."""

import pickle
from itertools import combinations

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from l0learn import L0Classifier, L0ClassifierCV


def multinomial_data(seed, n=120, p=6, K=3, correlated=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + rng.normal(0, 2, p)
    if correlated:
        X[:, 1] = X[:, 0] + 0.5 * rng.standard_normal(n) * X[:, 0].std()
    B = np.zeros((p, K))
    B[:2] = rng.standard_normal((2, K)) * 1.5 / X[:, :2].std(axis=0)[:, None]
    eta = (X - X.mean(axis=0)) @ B
    P = np.exp(eta - eta.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    y = np.array([rng.choice(K, p=row) for row in P])
    return X, y


def normalised(X, w):
    """The solver's scale: weighted-centred columns of unit weighted norm."""
    mu = w @ X / w.sum()
    scale = np.sqrt(w @ (X - mu) ** 2)
    return (X - mu) / scale, mu, scale


def cross_entropy(eta, Y, w):
    top = eta.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(eta - top).sum(axis=1))
    return w @ (lse - (eta * Y).sum(axis=1))


def objective_of(clf, X, y, w, lam0, lam1, lam2):
    """The objective of a fitted estimator, from its public attributes only."""
    _, _, scale = normalised(X, w)
    Y = (y[:, None] == clf.classes_[None, :]).astype(float)
    eta = X @ clf.coef_.T + clf.intercept_
    Bn = clf.coef_.T * scale[:, None]  # features x classes, normalised scale
    rows = np.sum(Bn ** 2, axis=1)
    return (cross_entropy(eta, Y, w) + lam0 * np.count_nonzero(rows)
            + lam1 * np.sqrt(rows).sum() + lam2 * rows.sum())


def support_minimum(Xn, Y, w, S, lam2):
    """min over (b0, B_S) of cross-entropy + lam2 |B|^2 by L-BFGS (smooth, convex)."""
    n, K = Y.shape
    XS = Xn[:, list(S)]

    def f(theta):
        b0, B = theta[:K], theta[K:].reshape(len(S), K)
        eta = b0 + XS @ B
        P = np.exp(eta - eta.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        G = w[:, None] * (P - Y)
        grad = np.concatenate([G.sum(axis=0), (XS.T @ G + 2 * lam2 * B).ravel()])
        return cross_entropy(eta, Y, w) + lam2 * np.sum(B ** 2), grad

    res = minimize(f, np.zeros(K * (len(S) + 1)), jac=True, method="L-BFGS-B",
                   options=dict(gtol=1e-10, ftol=1e-15, maxiter=5000))
    return res.fun


def enumerated_optimum(X, y, w, lam0, lam2):
    Xn, _, _ = normalised(X, w)
    Y = (y[:, None] == np.unique(y)[None, :]).astype(float)
    p = X.shape[1]
    return min(support_minimum(Xn, Y, w, S, lam2) + lam0 * len(S)
               for r in range(p + 1) for S in combinations(range(p), r))


@pytest.mark.parametrize("seed", range(24))
def test_cdpsi_reaches_the_enumerated_optimum(seed):
    rng = np.random.default_rng(1000 + seed)
    X, y = multinomial_data(seed, correlated=seed % 2 == 1)
    w = rng.uniform(0.5, 2.0, X.shape[0]) if seed % 3 == 0 else np.ones(X.shape[0])
    lam2 = 10 ** rng.uniform(-3, 0)
    lam0 = 10 ** rng.uniform(-0.5, 1)
    clf = L0Classifier(loss="multinomial", penalty="L0L2", gamma=lam2, lambda_0=lam0,
                       algorithm="CDPSI", tol=1e-10, max_iter=2000).fit(X, y, sample_weight=w)
    best = enumerated_optimum(X, y, w, lam0, lam2)
    reported = objective_of(clf, X, y, w, lam0, 0.0, lam2)
    assert clf.objective_ == pytest.approx(reported, rel=1e-9)
    assert reported == pytest.approx(best, rel=1e-7, abs=1e-7)


@pytest.mark.parametrize("seed", range(3))
def test_group_norm_matches_cvxpy_enumeration(seed):
    cp = pytest.importorskip("cvxpy")
    X, y = multinomial_data(50 + seed, n=80, p=4)
    w = np.ones(X.shape[0])
    lam0, lam1, lam2 = 2.0, 3.0, 0.05
    clf = L0Classifier(loss="multinomial", penalty="L0L1", gamma=lam1, lambda_0=lam0,
                       algorithm="CDPSI", tol=1e-12, max_iter=5000).fit(X, y)
    Xn, _, _ = normalised(X, w)
    Y = (y[:, None] == np.unique(y)[None, :]).astype(float)
    values = []
    for r in range(X.shape[1] + 1):
        for S in combinations(range(X.shape[1]), r):
            b0 = cp.Variable(3)
            B = cp.Variable((len(S), 3)) if S else None
            ones = np.ones((X.shape[0], 1))
            eta = ones @ cp.reshape(b0, (1, 3), order="C")
            if S:
                eta = eta + Xn[:, list(S)] @ B
            loss = cp.sum(cp.log_sum_exp(eta, axis=1)) - cp.sum(cp.multiply(Y, eta))
            pen = 0 if not S else (lam1 * cp.sum(cp.norm(B, 2, axis=1))
                                   + lam2 * cp.sum_squares(B))
            prob = cp.Problem(cp.Minimize(loss + pen))
            prob.solve()
            values.append(prob.value + lam0 * len(S))
    reported = objective_of(clf, X, y, w, lam0, lam1, lam2)
    assert clf.objective_ == pytest.approx(reported, rel=1e-9)
    assert reported >= min(values) - 1e-5 * abs(min(values))
    assert reported == pytest.approx(min(values), rel=1e-5)


def row_refit(Xn, Y, w, eta_out, j, lam2):
    """min over row b of cross-entropy(eta_out + x_j b') + lam2 |b|^2 (others fixed)."""
    K = Y.shape[1]

    def f(b):
        eta = eta_out + np.outer(Xn[:, j], b)
        P = np.exp(eta - eta.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        return (cross_entropy(eta, Y, w) + lam2 * b @ b,
                Xn[:, j] @ (w[:, None] * (P - Y)) + 2 * lam2 * b)

    return minimize(f, np.zeros(K), jac=True, method="L-BFGS-B",
                    options=dict(gtol=1e-10, ftol=1e-15)).fun


@pytest.mark.parametrize("seed", range(4))
def test_cdpsi_solution_is_drop_add_and_swap_optimal(seed):
    """No single drop, add or swap (others and intercepts fixed, the new row refitted
    exactly) lowers the objective of a CDPSI solution."""
    X, y = multinomial_data(200 + seed, n=150, p=8, K=4)
    w = np.ones(X.shape[0])
    lam0, lam2 = 3.0, 0.01
    clf = L0Classifier(loss="multinomial", penalty="L0L2", gamma=lam2, lambda_0=lam0,
                       algorithm="CDPSI", tol=1e-10, max_iter=2000).fit(X, y)
    Xn, mu, scale = normalised(X, w)
    Y = (y[:, None] == clf.classes_[None, :]).astype(float)
    Bn = clf.coef_.T * scale[:, None]
    eta = Xn @ Bn + (clf.intercept_ + clf.coef_ @ mu)
    f_now = objective_of(clf, X, y, w, lam0, 0.0, lam2)
    support = np.flatnonzero(np.any(Bn != 0, axis=1))
    outside = np.setdiff1d(np.arange(X.shape[1]), support)
    rows = np.sum(Bn ** 2, axis=1)
    slack = 1e-7 * abs(f_now)
    for j in outside:  # add
        others = lam0 * support.size + lam2 * rows.sum()
        assert row_refit(Xn, Y, w, eta, j, lam2) + others + lam0 >= f_now - slack
    for i in support:
        eta_out = eta - np.outer(Xn[:, i], Bn[i])
        others = lam0 * (support.size - 1) + lam2 * (rows.sum() - rows[i])
        assert cross_entropy(eta_out, Y, w) + others >= f_now - slack  # drop
        for j in outside:  # swap
            assert row_refit(Xn, Y, w, eta_out, j, lam2) + others + lam0 >= f_now - slack


def test_probabilities_and_labels_of_any_type():
    X, y = multinomial_data(7, n=150, p=6, K=3)
    for labels in (np.array(["a", "b", "c"])[y], y + 10, y.astype(float) * 2.0):
        clf = L0Classifier(loss="multinomial", lambda_0=0.5, penalty="L0L2", gamma=0.01)
        clf.fit(X, labels)
        proba = clf.predict_proba(X)
        assert proba.shape == (X.shape[0], 3)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
        assert np.all((proba >= 0) & (proba <= 1))
        np.testing.assert_array_equal(clf.classes_, np.unique(labels))
        np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
        assert clf.coef_.shape == (3, 6) and clf.intercept_.shape == (3,)
        assert clf.decision_function(X).shape == (X.shape[0], 3)
        reference = LogisticRegression().fit(X, labels).score(X, labels)
        assert np.mean(clf.predict(X) == labels) >= reference - 0.05
    # booleans: two classes, scikit-learn's binary shapes for decision_function
    clf = L0Classifier(loss="multinomial", lambda_0=0.5).fit(X, y == 1)
    assert clf.classes_.tolist() == [False, True]
    assert clf.decision_function(X).shape == (X.shape[0],)
    np.testing.assert_array_equal(clf.predict(X), clf.decision_function(X) > 0)


def test_features_enter_for_all_classes_at_once():
    X, y = load_wine(return_X_y=True)
    clf = L0Classifier(loss="multinomial", lambda_0=5.0, penalty="L0L2", gamma=0.01).fit(X, y)
    used = np.any(clf.coef_ != 0, axis=0)
    assert 0 < used.sum() < X.shape[1]
    assert np.all(clf.coef_[:, used] != 0)  # a selected feature has a whole row
    np.testing.assert_array_equal(clf.support_, np.flatnonzero(used))


def test_clear_errors():
    X, y = multinomial_data(3, n=60, p=4)
    with pytest.raises(ValueError, match="at least 2 classes"):
        L0Classifier(loss="multinomial").fit(X, np.zeros(60))
    with pytest.raises(ValueError, match="lower_bounds"):
        L0Classifier(loss="multinomial", lower_bounds=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="exclude_first_k"):
        L0Classifier(loss="multinomial", exclude_first_k=1).fit(X, y)
    with pytest.raises(ValueError, match="scoring"):
        L0ClassifierCV(loss="multinomial", scoring="auc", cv=3, num_lambda=3).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        X_nan = X.copy()
        X_nan[0, 0] = np.nan
        L0Classifier(loss="multinomial").fit(X_nan, y)


def test_extreme_scales_give_the_same_model():
    X, y = load_wine(return_X_y=True)
    ref = L0Classifier(loss="multinomial", lambda_0=5.0, penalty="L0L2", gamma=0.01).fit(X, y)
    for factor in (1e-100, 1e100):
        clf = L0Classifier(loss="multinomial", lambda_0=5.0, penalty="L0L2",
                           gamma=0.01).fit(X * factor, y)
        np.testing.assert_array_equal(clf.support_, ref.support_)
        np.testing.assert_allclose(clf.predict_proba(X * factor), ref.predict_proba(X),
                                   rtol=1e-6, atol=1e-12)


def test_cv_path_pickle_pipeline():
    X, y = load_wine(return_X_y=True)
    cv = L0ClassifierCV(loss="multinomial", penalty="L0L2", gamma=0.01, cv=3, num_lambda=15,
                        max_support_size=6, random_state=0).fit(X, y)
    assert len(cv.path_) == cv.cv_means_.size
    assert cv.path_.support_size.max() <= 6
    assert np.all(np.diff(cv.path_.lambda_0) < 0)
    assert cv.support_.size == cv.path_.support_size[cv.best_index_]
    assert np.mean(cv.predict(X) == y) > 0.9
    parallel = L0ClassifierCV(loss="multinomial", penalty="L0L2", gamma=0.01, cv=3,
                              num_lambda=15, max_support_size=6, random_state=0,
                              n_jobs=2).fit(X, y)
    np.testing.assert_allclose(parallel.cv_means_, cv.cv_means_, rtol=1e-10)
    copy = pickle.loads(pickle.dumps(cv))
    np.testing.assert_array_equal(copy.predict_proba(X), cv.predict_proba(X))
    search = GridSearchCV(make_pipeline(StandardScaler(), L0Classifier(loss="multinomial")),
                          {"l0classifier__lambda_0": [1.0, 10.0]}, cv=3).fit(X, y)
    assert search.best_score_ > 0.85


def best_subset_of_size(X, y, w, size, lam2):
    Xn, _, _ = normalised(X, w)
    Y = (y[:, None] == np.unique(y)[None, :]).astype(float)
    return min(support_minimum(Xn, Y, w, S, lam2)
               for S in combinations(range(X.shape[1]), size))


def dense_multinomial_data(seed, n=150, p=7, K=3):
    """Four informative features of seven, two of them correlated: the best subsets of
    sizes 2 and 3 are not nested in the greedy order."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p)
    X[:, 1] = X[:, 0] + rng.uniform(0.3, 1.0) * rng.standard_normal(n) * X[:, 0].std()
    B = rng.standard_normal((p, K)) / X.std(axis=0)[:, None]
    B[4:] = 0.0
    eta = X @ B
    P = np.exp(eta - eta.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    return X, np.array([rng.choice(K, p=row) for row in P])


@pytest.mark.parametrize("seed", range(12))
def test_cap_constrained_cdpsi_reaches_the_best_subset(seed):
    """lambda_0 = 0 with max_support_size = k is best-subset selection of size k: CDPSI
    (swaps, joint swaps) reaches the enumerated optimum, from zero and warm-started from
    the size below."""
    X, y = dense_multinomial_data(seed)
    w = np.ones(X.shape[0])
    lam2 = 10 ** np.random.default_rng(seed).uniform(-3, -1)
    warm = L0Classifier(loss="multinomial", penalty="L0L2", gamma=lam2, lambda_0=0.0,
                        tol=1e-10, max_iter=2000, warm_start=True)
    for size in (1, 2, 3):
        best = best_subset_of_size(X, y, w, size, lam2)
        cold = L0Classifier(loss="multinomial", penalty="L0L2", gamma=lam2, lambda_0=0.0,
                            max_support_size=size, tol=1e-10, max_iter=2000).fit(X, y)
        warm.set_params(max_support_size=size).fit(X, y)
        for clf in (cold, warm):
            assert clf.support_.size == size
            assert objective_of(clf, X, y, w, 0.0, 0.0, lam2) == pytest.approx(
                best, rel=1e-7, abs=1e-7)


def test_warm_start_starts_from_the_previous_fit():
    X, y = load_wine(return_X_y=True)
    kw = dict(loss="multinomial", penalty="L0L2", lambda_0=2.0, gamma=0.01)
    cold = L0Classifier(**kw).fit(X, y)
    warm = L0Classifier(**kw, warm_start=True).fit(X, y)
    assert warm.n_iter_ == cold.n_iter_  # the first fit has nothing to start from
    warm.fit(X, y)  # again from its own solution: a sweep or two confirm it
    assert warm.n_iter_ < cold.n_iter_
    assert warm.objective_ <= cold.objective_ * (1 + 1e-6)  # CD's tolerance
    # a start with more features than the new cap is cut to the cap's largest rows
    warm.set_params(max_support_size=2).fit(X, y)
    assert warm.support_.size == 2
    # other classes: no start (nothing to reuse), the fit is a cold one
    y2 = np.where(y == 2, 1, y)
    again = L0Classifier(**kw, max_support_size=2).fit(X, y2)
    warm.fit(X, y2)
    assert warm.n_iter_ == again.n_iter_
    np.testing.assert_allclose(warm.coef_, again.coef_)
