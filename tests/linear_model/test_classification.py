"""L0Classifier: enumeration, local optimality, labels, separable data, layouts."""

from itertools import combinations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize, minimize_scalar

from l0learn import L0Classifier
from l0learn.utils._testing import normalise


def data(seed, n=80, p=8, k=3, overlap=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    b = np.zeros(p)
    b[:k] = rng.choice([-2.0, 2.0], k)
    y = np.where(X @ b + overlap * rng.standard_normal(n) > 0, "yes", "no")
    return X, y


def loss(m, kind):
    return np.logaddexp(0.0, -m) if kind == "logistic" else np.maximum(0.0, 1.0 - m) ** 2


def objective(Xn, ypm, b0, b, lam0, lam2, kind):
    return (loss(ypm * (b0 + Xn @ b), kind).sum() + lam0 * np.count_nonzero(b) + lam2 * b @ b)


def refit(Xn, ypm, S, lam2, kind):
    """min over (b0, b_S) of the smooth objective, by L-BFGS."""
    S = list(S)

    def f(v):
        b = np.zeros(Xn.shape[1])
        b[S] = v[1:]
        return objective(Xn, ypm, v[0], b, 0.0, lam2, kind)

    res = minimize(f, np.zeros(len(S) + 1), method="L-BFGS-B", options={"ftol": 1e-14,
                                                                         "gtol": 1e-10})
    return res.fun


def best_along_coordinate(Xn, ypm, b0, b, j, lam0, lam2, kind):
    """min over t of the objective with b_j = t (t = 0 included), the rest fixed."""
    def f(t):
        bj = b.copy()
        bj[j] = t
        return objective(Xn, ypm, b0, bj, lam0, lam2, kind)

    return min(f(0.0), minimize_scalar(f, bounds=(-50, 50), method="bounded",
                                       options={"xatol": 1e-10}).fun)


def normalised(X, y, model):
    Xn, _, norm, _ = normalise(X, np.zeros(len(y)))
    ypm = np.where(y == model.classes_[1], 1.0, -1.0)
    b = model.coef_[0] * norm
    b0 = model.intercept_[0] + X.mean(0) @ model.coef_[0]
    return Xn, ypm, b0, b


@pytest.mark.parametrize("kind", ["logistic", "squared_hinge"])
@pytest.mark.parametrize("seed,overlap", [(0, 0.5), (1, 1.0), (2, 2.0), (3, 1.0)])
def test_cdpsi_reaches_the_enumerated_optimum(kind, seed, overlap):
    X, y = data(seed, overlap=overlap)
    lam2 = 0.1
    for lam0 in (2.0, 0.5):
        m = L0Classifier(kind, "L0L2", lam0, lam2, tol=1e-12, max_iter=5000).fit(X, y)
        Xn, ypm, b0, b = normalised(X, y, m)
        f_model = objective(Xn, ypm, b0, b, lam0, lam2, kind)
        assert f_model == pytest.approx(m.objective_, rel=1e-8)
        best = min(refit(Xn, ypm, S, lam2, kind) + lam0 * len(S)
                   for size in range(X.shape[1] + 1) for S in combinations(range(8), size))
        assert f_model <= best * (1 + 1e-6) + 1e-9


@pytest.mark.parametrize("kind", ["logistic", "squared_hinge"])
def test_solution_is_swap_optimal_with_exact_objective(kind):
    X, y = data(5, p=10, k=4, overlap=1.5)
    lam0, lam2 = 1.0, 0.05
    m = L0Classifier(kind, "L0L2", lam0, lam2, tol=1e-12, max_iter=5000).fit(X, y)
    Xn, ypm, b0, b = normalised(X, y, m)
    f0 = objective(Xn, ypm, b0, b, lam0, lam2, kind)
    for i in np.flatnonzero(b):
        for j in np.flatnonzero(b == 0):
            bi = b.copy()
            bi[i] = 0.0
            best = best_along_coordinate(Xn, ypm, b0, bi, j, lam0, lam2, kind)
            assert best >= f0 - 1e-7 * max(1.0, f0)


def test_labels_probabilities_and_errors():
    X, y = data(6)
    m = L0Classifier().fit(X, y)
    assert list(m.classes_) == ["no", "yes"]
    assert set(m.predict(X)) <= {"no", "yes"} and (m.predict(X) == y).mean() > 0.8
    proba = m.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(m.classes_[proba.argmax(axis=1)], m.predict(X))
    assert not hasattr(L0Classifier("squared_hinge").fit(X, y), "predict_proba")
    with pytest.raises(ValueError, match="Only binary classification"):
        L0Classifier().fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="2 classes|binary"):
        L0Classifier().fit(X, np.full(len(y), "yes"))
    with pytest.raises(ValueError, match="NaN|Input y contains"):
        L0Classifier().fit(X, np.where(y == "yes", 1.0, np.nan))


def test_separable_data_stays_finite_and_warns():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((60, 5))
    y = (X[:, 0] > 0).astype(int)
    with pytest.warns(UserWarning, match="perfectly separated"):
        m = L0Classifier(lambda_0=0.5).fit(X, y)
    assert np.all(np.isfinite(m.coef_)) and m.coef_[0, 0] > 0
    bounded = L0Classifier(lambda_0=0.5, lower_bounds=-3.0, upper_bounds=3.0).fit(X, y)
    assert np.abs(bounded.coef_).max() <= 3.0 + 1e-9


@pytest.mark.parametrize("kind", ["logistic", "squared_hinge"])
def test_dense_and_sparse_agree(kind):
    X, y = data(8, n=100, p=12)
    X[np.abs(X) < 0.6] = 0.0
    a = L0Classifier(kind, "L0L2", 0.5, 0.1, tol=1e-12, max_iter=5000).fit(X, y)
    b = L0Classifier(kind, "L0L2", 0.5, 0.1, tol=1e-12, max_iter=5000).fit(sp.csc_matrix(X), y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-6, atol=1e-9)


def test_classifier_cv_equals_a_hand_computed_fold_loop():
    from sklearn.model_selection import StratifiedKFold
    import l0learn
    from l0learn import L0ClassifierCV
    X, y = data(9, n=150, p=20, k=3, overlap=1.0)
    cv = L0ClassifierCV(max_support_size=6, random_state=0, cv=4).fit(X, y)
    ypm = np.where(y == cv.classes_[1], 1.0, -1.0)
    folds = StratifiedKFold(4, shuffle=True, random_state=0).split(X, ypm)
    manual = []
    grid = [list(cv.path_.lambda_0)]
    for train, test in folds:  # the same path machinery on the training rows alone
        fold = l0learn.fit(X[train], y[train], loss="Logistic", algorithm="CDPSI",
                           lambda_grid=grid, num_lambda=None, num_gamma=None,
                           max_support_size=X.shape[1] + 1)
        prob = fold.predict(X[test])
        manual.append(-np.mean(np.log(np.where(ypm[test][:, None] > 0, prob, 1 - prob)),
                               axis=0))
    manual = np.array(manual)
    np.testing.assert_allclose(cv.cv_means_, manual.mean(axis=0), rtol=1e-6)
    assert cv.best_index_ == int(np.argmin(cv.cv_means_))
    assert (cv.predict(X) == y).mean() > 0.8
    one_se = L0ClassifierCV(max_support_size=6, random_state=0, cv=4, selection="1se",
                            scoring="misclassification").fit(X, y)
    assert one_se.support_.size <= cv.path_.support_size.max()


def test_compat_classification_reports_the_minimised_objective():
    import l0learn
    X, y = data(10, n=120, p=15)
    fit = l0learn.fit(X, y, loss="Logistic", penalty="L0L2", num_gamma=2, max_support_size=6)
    Xn, _, norm, _ = normalise(X, np.zeros(len(y)))
    ypm = np.where(y == "yes", 1.0, -1.0)  # the smaller label ("no") is -1
    for gi, g in enumerate(fit.gamma):
        for k, lam0 in enumerate(fit.lambda_0[gi]):
            coef = fit.coeffs[gi][:, k].toarray().ravel()
            b = coef * norm
            b0 = fit.intercepts[gi][k] + X.mean(0) @ coef
            f = objective(Xn, ypm, b0, b, lam0, g, "logistic")
            assert fit.objective[gi][k] == pytest.approx(f, rel=1e-9)
    prob = fit.predict(X, lambda_0=fit.lambda_0[0][-1], gamma=fit.gamma[0])
    assert prob.min() >= 0 and prob.max() <= 1
    cv = l0learn.cvfit(X, y, loss="SquaredHinge", num_folds=3, max_support_size=5)
    assert np.all(np.isfinite(cv.cv_means[0]))
    with pytest.raises(ValueError, match="exactly two labels"):
        l0learn.fit(X, np.arange(len(y)) % 3, loss="Logistic")


@pytest.mark.parametrize("kind", ["logistic", "squared_hinge"])
def test_solution_is_coordinatewise_optimal_with_exact_objective(kind):
    X, y = data(11, p=10, k=4, overlap=1.5)
    lam0, lam2 = 1.0, 0.05
    m = L0Classifier(kind, "L0L2", lam0, lam2, tol=1e-12, max_iter=5000).fit(X, y)
    Xn, ypm, b0, b = normalised(X, y, m)
    f0 = objective(Xn, ypm, b0, b, lam0, lam2, kind)
    for j in range(b.size):
        best = best_along_coordinate(Xn, ypm, b0, b, j, lam0, lam2, kind)
        assert best >= f0 - 1e-7 * max(1.0, f0)
