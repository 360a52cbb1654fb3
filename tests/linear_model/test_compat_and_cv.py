"""The L0Learn-compatible layer, cross-validation, and one regression test per L0Learn defect."""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import l0learn
from l0learn import L0Regressor, L0RegressorCV, l0_path
from l0learn.datasets import make_sparse_regression


def manual_cv(X, y, lambdas, folds):
    """Held-out MSE by an explicit loop: refit each fold on its rows, predict the rest."""
    out = []
    for train, test in folds:
        path = l0_path(X[train], y[train], lambda_grid=lambdas, max_support_size=X.shape[1])
        pred = path.predict(X[test])
        out.append(((y[test, None] - pred) ** 2).mean(axis=0))
    return np.array(out)


@pytest.mark.parametrize("b0", [0.0, 50.0])
def test_cv_error_equals_a_hand_computed_fold_loop(b0):
    # L0Learn defect 1: its CV residual used y - Xb + b0 (errors ~ (2 b0)^2).
    X, y, _ = make_sparse_regression(300, 1000, 5, snr=10.0, intercept=b0, seed=3)
    model = l0learn.cvfit(X, y, num_folds=5, max_support_size=10, seed=3)
    folds = list(KFold(5, shuffle=True, random_state=3).split(X))
    expected = manual_cv(X, y, model.lambda_0[0], folds)
    np.testing.assert_allclose(model.cv_means[0], expected.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(model.cv_sds[0], expected.std(axis=0, ddof=1), rtol=1e-5)
    assert model.cv_means[0].min() < 2.0  # noise variance is about 0.5


def test_sparse_cv_path_equals_dense_cv_path():
    # L0Learn defect 2: sparse cvfit ignored the automatic grid (one solution, support p).
    X, y, _ = make_sparse_regression(200, 300, 5, snr=10.0, seed=4)
    dense = l0learn.cvfit(X, y, num_folds=4, max_support_size=10)
    sparse = l0learn.cvfit(sp.csc_matrix(X), y, num_folds=4, max_support_size=10)
    np.testing.assert_allclose(dense.lambda_0[0], sparse.lambda_0[0], rtol=1e-8)
    assert dense.support_size == sparse.support_size
    np.testing.assert_allclose(dense.cv_means[0], sparse.cv_means[0], rtol=1e-6)


@pytest.mark.parametrize("mss", [10, 20, 100])
def test_path_never_exceeds_max_support_size(mss):
    # L0Learn defect 3: 103 for 100, 30 for 20, 14 for 10.
    X, y, _ = make_sparse_regression(200, 400, 30, snr=5.0, seed=5)
    for algo in ("CD", "CDPSI"):
        model = l0learn.fit(X, y, algorithm=algo, max_support_size=mss, penalty="L0L2",
                            num_gamma=2)
        assert max(max(s) for s in model.support_size) <= mss


def test_single_solution_accessors():
    # L0Learn defect 4: coeff/predict with lambda_0 crashed with scipy >= 1.15.
    X, y, _ = make_sparse_regression(100, 50, 3, seed=6)
    model = l0learn.fit(X, y, max_support_size=1)
    assert len(model.lambda_0[0]) >= 1
    lam = model.lambda_0[0][-1]
    c = model.coeff(lambda_0=lam)
    assert c.shape == (51, 1)
    assert c[0, 0] == pytest.approx(model.intercepts[0][-1])
    pred = model.predict(X[:5], lambda_0=lam)
    np.testing.assert_allclose(pred[:, 0], X[:5] @ c[1:].toarray().ravel() + c[0, 0])
    assert model.coeff(lambda_0=lam, include_intercept=False).shape == (50, 1)


def test_reported_objective_is_what_the_solver_minimises():
    # L0Learn defect 5: its Python loss functions disagreed with the core.
    X, y, _ = make_sparse_regression(100, 40, 4, seed=7)
    model = l0learn.fit(X, y, penalty="L0L2", num_gamma=2, max_support_size=8)
    Xc = X - X.mean(0)
    norm = np.linalg.norm(Xc, axis=0)
    yc = y - y.mean()
    scale = np.linalg.norm(yc)
    chars = model.characteristics(gamma=model.gamma[1])
    for i, row in chars.iterrows():
        b = model.coeffs[1][:, i].toarray().ravel() * norm / scale
        r = yc / scale - (Xc / norm) @ b
        f = 0.5 * r @ r + row["l0"] * np.count_nonzero(b) + row["l2"] * b @ b
        assert model.objective[1][i] == pytest.approx(f, rel=1e-9)


def test_fit_does_not_touch_the_callers_array():
    # L0Learn defect 6: a C-ordered X came back Fortran-ordered with a new buffer.
    X, y, _ = make_sparse_regression(100, 60, 4, seed=8)
    X = np.ascontiguousarray(X)
    copy, ptr = X.copy(), X.__array_interface__["data"][0]
    l0learn.fit(X, y)
    l0learn.cvfit(X, y, num_folds=3)
    assert X.flags.c_contiguous and X.__array_interface__["data"][0] == ptr
    np.testing.assert_array_equal(X, copy)


def test_views_read_only_and_float32_are_accepted():
    # L0Learn defect 7: views, slices, read-only arrays and float32 were rejected.
    X, y, _ = make_sparse_regression(100, 150, 4, seed=9)
    ref = l0learn.fit(X[:, :100], y, max_support_size=8)
    ro = np.array(X[:, :100])
    ro.setflags(write=False)
    for Xv in (X[:, :100], ro, np.asfortranarray(X[:, :100])):
        got = l0learn.fit(Xv, y, max_support_size=8)
        np.testing.assert_allclose(got.lambda_0[0], ref.lambda_0[0], rtol=1e-10)
    assert l0learn.fit(X[:50], y[:50], max_support_size=8).support_size[0][-1] <= 8
    f32 = l0learn.fit(X[:, :100].astype(np.float32), y, max_support_size=8)
    assert f32.support_size == ref.support_size


def test_cdpsi_with_bounds():
    # L0Learn defect 9: CDPSI + bounds raised "Caught an unknown exception!".
    X, y, _ = make_sparse_regression(100, 60, 4, seed=10)
    model = l0learn.fit(X, y, algorithm="CDPSI", lows=-0.5, highs=0.8, max_support_size=10)
    coefs = model.coeffs[0].toarray()
    assert coefs.min() >= -0.5 - 1e-12 and coefs.max() <= 0.8 + 1e-12


def test_documented_gamma_grids():
    # L0Learn defect 10: num_gamma=1 means gamma_max (10) for L0L2; the L0L1 grid
    # must not contain a gamma that gives only empty models.
    X, y, _ = make_sparse_regression(300, 500, 10, seed=11)
    assert l0learn.fit(X, y, penalty="L0L2", max_support_size=5).gamma == [10.0]
    l1 = l0learn.fit(X, y, penalty="L0L1", num_gamma=5, max_support_size=20)
    for sizes in l1.support_size:
        assert max(sizes) > 0


def test_generator_snr_is_as_requested():
    # L0Learn defect 11: R's GenSynthetic had the noise branch inverted.
    X, y, coef = make_sparse_regression(20000, 20, 5, snr=4.0, seed=12)
    signal = X @ coef
    assert np.var(signal) / np.var(y - signal) == pytest.approx(4.0, rel=0.05)
    X, y, coef = make_sparse_regression(100, 20, 5, snr=np.inf, seed=12)
    np.testing.assert_allclose(y, X @ coef)


def test_fitmodel_layout_and_characteristics():
    X, y, _ = make_sparse_regression(200, 100, 5, seed=13)
    model = l0learn.fit(X, y, penalty="L0L2", num_gamma=3, max_support_size=10,
                        algorithm="CDPSI")
    assert len(model.gamma) == 3 and len(model.coeffs) == 3
    assert model.coeffs[0].shape == (100, len(model.lambda_0[0]))
    chars = model.characteristics()
    assert list(chars.columns) == ["l0", "support_size", "intercept", "converged", "l2"]
    assert len(chars) == sum(len(l) for l in model.lambda_0)
    assert model.coeff().shape[1] == len(chars)
    assert model.coeff(gamma=model.gamma[1]).shape[1] == len(model.lambda_0[1])
    scores = model.score(X, y, gamma=model.gamma[2])
    assert scores.shape == (len(model.lambda_0[2]),)
    pred = model.predict(X, gamma=model.gamma[2])
    np.testing.assert_allclose(scores, 0.5 * ((y[:, None] - pred) ** 2).sum(axis=0))


def test_lambda_grid_user_input():
    X, y, _ = make_sparse_regression(100, 50, 4, seed=14)
    grid = [[0.05, 0.01, 0.001], [0.04, 0.004]]
    model = l0learn.fit(X, y, penalty="L0L2", lambda_grid=grid, num_lambda=None, num_gamma=None)
    assert model.lambda_0 == grid


def test_l0regressor_cv_selection_and_attributes():
    X, y, coef = make_sparse_regression(200, 300, 6, snr=8.0, seed=15)
    cv = L0RegressorCV(max_support_size=15, random_state=0).fit(X, y)
    assert cv.cv_means_.shape == (len(cv.path_),) == cv.cv_sds_.shape
    assert cv.best_index_ == int(np.argmin(cv.cv_means_))
    assert set(np.flatnonzero(coef)) <= set(cv.support_)
    one_se = L0RegressorCV(max_support_size=15, random_state=0, selection="1se").fit(X, y)
    i, b = one_se.best_index_, cv.best_index_
    assert one_se.path_.support_size[i] <= cv.path_.support_size[b]
    se = cv.cv_sds_[b] / np.sqrt(5)
    assert one_se.cv_means_[i] <= cv.cv_means_[b] + se
    np.testing.assert_allclose(one_se.predict(X), X @ one_se.coef_ + one_se.intercept_)


def test_cv_folds_in_parallel_match_serial():
    X, y, _ = make_sparse_regression(150, 200, 5, seed=16)
    a = L0RegressorCV(max_support_size=10, random_state=1, n_jobs=1).fit(X, y)
    b = L0RegressorCV(max_support_size=10, random_state=1, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(a.cv_means_, b.cv_means_, rtol=1e-12)


def test_pipeline_gridsearch_feature_names_and_pickle():
    X, y, coef = make_sparse_regression(200, 30, 4, snr=10.0, seed=17)
    frame = pd.DataFrame(X, columns=[f"gene_{j}" for j in range(30)])
    pipe = make_pipeline(StandardScaler(), L0Regressor())
    search = GridSearchCV(pipe, {"l0regressor__lambda_0": [0.1, 0.01, 0.001],
                                 "l0regressor__penalty": ["L0", "L0L2"]}, cv=3).fit(frame, y)
    assert search.best_score_ > 0.8
    model = L0Regressor(k=4).fit(frame, y)
    assert list(model.feature_names_in_[model.support_]) == [f"gene_{j}" for j in
                                                             np.flatnonzero(coef)]
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(frame), model.predict(frame))


def test_plots_draw():
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    X, y, _ = make_sparse_regression(100, 40, 4, seed=18)
    model = l0learn.cvfit(X, y, num_folds=3, max_support_size=8)
    ax = model.plot()
    assert len(ax.lines) >= 4
    ax = model.cv_plot()
    assert ax.get_ylabel() == "CV mean squared error"
    ax = model.plot(gamma=0, show_lines=True, include_legend=True)
    assert ax.get_legend() is not None
