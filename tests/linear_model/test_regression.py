import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import Lasso, LinearRegression, Ridge

from l0learn import L0Regressor, l0_path
from l0learn.datasets import make_sparse_regression
from l0learn.utils._testing import (best_subset, coordinatewise_violation, normalise,
                                    refit_move_violation, ridge_on_support, swap_violation,
                                    to_normalised_coef, _single_coordinate)
from l0learn.linear_model._cd_kernels import coordinate_gain


def small_problem(seed, n=60, p=10, k=3, snr=3.0, rho=0.0):
    return make_sparse_regression(n, p, k, snr=snr, rho=rho, seed=seed)


def normalised_coef(model, X, y):
    Xn, yn, norm, scale = normalise(X, y)
    return Xn, yn, to_normalised_coef(model.coef_, norm, scale)


@pytest.mark.parametrize("seed", range(20))
def test_coordinate_closed_form_matches_grid_search(seed):
    rng = np.random.default_rng(seed)
    c = rng.normal(scale=2)
    lam1, lam2 = rng.choice([0.0, rng.uniform(0, 1)]), rng.choice([0.0, rng.uniform(0, 1)])
    lo, hi = -rng.uniform(0, 2), rng.uniform(0, 2)
    grid = np.append(np.linspace(lo, hi, 400001), 0.0)
    h = 0.5 * (1 + 2 * lam2) * grid ** 2 - c * grid + lam1 * np.abs(grid)
    t, gain = coordinate_gain(c, lam1, 1 + 2 * lam2, lo, hi)
    assert abs(t - grid[np.argmin(h)]) < 2e-5
    assert gain == pytest.approx(-h.min(), abs=1e-8)
    assert _single_coordinate(c, lam1, lam2, lo, hi) == pytest.approx((t, gain))


@pytest.mark.parametrize("penalty,gamma", [("L0", 0.0), ("L0L2", 0.05)])
@pytest.mark.parametrize("seed", range(6))
def test_cdpsi_reaches_enumerated_optimum(penalty, gamma, seed):
    X, y, _ = small_problem(seed, p=12, k=4)
    Xn, yn, norm, scale = normalise(X, y)
    lam2 = gamma if penalty == "L0L2" else 0.0
    for lam0 in (0.02, 0.005, 0.001):
        f_opt, b_opt = best_subset(Xn, yn, lam0, lam2)
        m = L0Regressor(penalty, lam0, gamma, algorithm="CDPSI", tol=1e-12).fit(X, y)
        b = to_normalised_coef(m.coef_, norm, scale)
        f = 0.5 * np.sum((yn - Xn @ b) ** 2) + lam0 * np.count_nonzero(b) + lam2 * b @ b
        assert f == pytest.approx(m.objective_, rel=1e-9)
        assert f <= f_opt * (1 + 1e-8), (lam0, np.flatnonzero(b), np.flatnonzero(b_opt))


@pytest.mark.parametrize("seed", range(6))
def test_cardinality_form_reaches_enumerated_optimum(seed):
    X, y, _ = small_problem(seed, p=12, k=5, rho=0.3)
    Xn, yn, norm, scale = normalise(X, y)
    for k in (1, 3, 5):
        f_opt, _ = best_subset(Xn, yn, 0.0, 0.01, k=k)
        m = L0Regressor("L0L2", gamma=0.01, k=k, tol=1e-12).fit(X, y)
        b = to_normalised_coef(m.coef_, norm, scale)
        assert np.count_nonzero(b) == k
        assert m.objective_ <= f_opt * (1 + 1e-8)


@pytest.mark.parametrize("algorithm", ["CD", "CDPSI"])
@pytest.mark.parametrize("penalty,gamma", [("L0", 0.0), ("L0L1", 0.01), ("L0L2", 0.1)])
def test_path_points_are_coordinatewise_and_swap_optimal(algorithm, penalty, gamma):
    X, y, _ = make_sparse_regression(80, 25, 5, snr=2.0, rho=0.5, seed=4)
    Xn, yn, norm, scale = normalise(X, y)
    lam1, lam2 = {"L0": (0, 0), "L0L1": (gamma, 0), "L0L2": (0, gamma)}[penalty]
    path = l0_path(X, y, penalty=penalty, gamma=gamma, algorithm=algorithm, tol=1e-12,
                   max_support_size=15)
    assert len(path) > 3
    for i in range(len(path)):
        b = to_normalised_coef(path.coef[:, i].toarray().ravel(), norm, scale)
        lam0 = path.lambda_0[i]
        assert coordinatewise_violation(Xn, yn, b, lam0, lam1, lam2) < 1e-9
        if algorithm == "CDPSI":
            assert swap_violation(Xn, yn, b, lam0, lam1, lam2) < 1e-9
            if penalty != "L0L1":
                assert refit_move_violation(Xn, yn, b, lam0, lam2) < 1e-9


def test_cd_alone_can_be_swap_suboptimal_but_cdpsi_is_not():
    # Correlated design: somewhere on the CD path a single swap helps.
    X, y, _ = make_sparse_regression(60, 25, 6, snr=1.0, rho=0.8, seed=2)
    Xn, yn, norm, scale = normalise(X, y)
    worst = {}
    for alg in ("CD", "CDPSI"):
        path = l0_path(X, y, algorithm=alg, tol=1e-12, max_support_size=12)
        worst[alg] = max(
            swap_violation(Xn, yn, to_normalised_coef(path.coef[:, i].toarray().ravel(), norm,
                                                      scale), path.lambda_0[i])
            for i in range(len(path)))
    assert worst["CD"] > 1e-6
    assert worst["CDPSI"] < 1e-9


@pytest.mark.parametrize("penalty,gamma", [("L0", 0.0), ("L0L2", 0.05)])
def test_refit_on_support_equals_least_squares_or_ridge(penalty, gamma):
    X, y, _ = make_sparse_regression(100, 30, 5, snr=4.0, seed=5)
    m = L0Regressor(penalty, 0.002, gamma, tol=1e-12).fit(X, y)
    S = m.support_
    assert S.size >= 3
    if penalty == "L0":
        ref = LinearRegression().fit(X[:, S], y)
        np.testing.assert_allclose(m.coef_[S], ref.coef_, rtol=1e-6)
        assert m.intercept_ == pytest.approx(ref.intercept_, rel=1e-6)
    else:
        Xn, yn, norm, scale = normalise(X, y)
        b_ref = ridge_on_support(Xn, yn, S, gamma)
        np.testing.assert_allclose(to_normalised_coef(m.coef_, norm, scale), b_ref,
                                   rtol=1e-6, atol=1e-10)


def test_lambda_0_zero_matches_scikit_learn_lasso_and_ridge():
    X, y, _ = make_sparse_regression(80, 15, 5, snr=2.0, seed=6)
    Xn, yn, norm, scale = normalise(X, y)
    n = X.shape[0]
    gamma = 0.02
    m = L0Regressor("L0L1", 0.0, gamma, algorithm="CD", tol=1e-14, max_iter=10000).fit(X, y)
    lasso = Lasso(alpha=gamma / n, fit_intercept=False, tol=1e-14, max_iter=100000).fit(Xn, yn)
    np.testing.assert_allclose(to_normalised_coef(m.coef_, norm, scale), lasso.coef_, atol=1e-7)
    m = L0Regressor("L0L2", 0.0, gamma, algorithm="CD", tol=1e-14, max_iter=10000).fit(X, y)
    ridge = Ridge(alpha=2 * gamma, fit_intercept=False).fit(Xn, yn)
    np.testing.assert_allclose(to_normalised_coef(m.coef_, norm, scale), ridge.coef_, atol=1e-7)


def test_huge_lambda_0_gives_the_empty_model():
    X, y, _ = small_problem(0)
    m = L0Regressor(lambda_0=10.0).fit(X, y)
    assert m.support_.size == 0 and not m.coef_.any()
    assert m.intercept_ == pytest.approx(y.mean())


@pytest.mark.parametrize("algorithm", ["CD", "CDPSI"])
def test_dense_and_sparse_give_the_same_solution(algorithm):
    X, y, _ = make_sparse_regression(120, 60, 6, snr=3.0, seed=7)
    X[np.abs(X) < 0.8] = 0.0  # genuinely sparse
    Xs = sp.csc_matrix(X)
    for kw in ({}, {"k": 4}, {"lower_bounds": -0.3, "upper_bounds": 0.5}):
        a = L0Regressor(lambda_0=0.003, algorithm=algorithm, tol=1e-12, **kw).fit(X, y)
        b = L0Regressor(lambda_0=0.003, algorithm=algorithm, tol=1e-12, **kw).fit(Xs, y)
        np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-12)
        assert a.intercept_ == pytest.approx(b.intercept_, rel=1e-10)
    pa = l0_path(X, y, algorithm=algorithm, max_support_size=10)
    pb = l0_path(Xs, y, algorithm=algorithm, max_support_size=10)
    np.testing.assert_allclose(pa.lambda_0, pb.lambda_0, rtol=1e-8)
    np.testing.assert_array_equal(pa.support_size, pb.support_size)


def test_sample_weight_equals_repeated_rows():
    X, y, _ = make_sparse_regression(50, 20, 4, snr=3.0, seed=8)
    w = np.random.default_rng(0).integers(0, 4, size=50)
    a = L0Regressor(lambda_0=0.004, tol=1e-12).fit(X, y, sample_weight=w)
    rep = np.repeat(np.arange(50), w)
    b = L0Regressor(lambda_0=0.004, tol=1e-12).fit(X[rep], y[rep])
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-12)
    assert a.intercept_ == pytest.approx(b.intercept_, rel=1e-9)
    assert a.objective_ == pytest.approx(b.objective_, rel=1e-9)


@pytest.mark.parametrize("b0", [-100.0, -10.0, -2.0, 2.0, 10.0, 100.0])
@pytest.mark.parametrize("sparse", [False, True])
def test_intercept_recovery(b0, sparse):
    X, y, coef = make_sparse_regression(500, 200, 10, snr=10.0, intercept=b0, seed=9)
    m = L0Regressor(k=10).fit(sp.csc_matrix(X) if sparse else X, y)
    assert set(m.support_) == set(np.flatnonzero(coef))
    assert m.intercept_ == pytest.approx(b0, rel=0.01, abs=0.05)


def test_no_intercept():
    X, y, coef = make_sparse_regression(200, 30, 3, snr=np.inf, seed=10)
    m = L0Regressor(k=3, fit_intercept=False).fit(X, y)
    assert m.intercept_ == 0.0
    np.testing.assert_allclose(m.coef_, coef, atol=1e-6)


def test_high_correlation_cd_misses_cdpsi_recovers():
    # Corr = 0.95^|i-j|, n=200, p=1000, k=25, noiseless (L0Learn's local-search showcase).
    X, y, coef = make_sparse_regression(200, 1000, 25, snr=np.inf, rho=0.95, seed=0)
    true = set(np.flatnonzero(coef))
    found = {}
    for alg in ("CD", "CDPSI"):
        path = l0_path(X, y, algorithm=alg, max_support_size=40)
        found[alg] = any(set(path.coef[:, i].indices) == true for i in range(len(path)))
    assert not found["CD"]
    assert found["CDPSI"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = L0Regressor(k=25, algorithm="CDPSI").fit(X, y)
    assert set(m.support_) == true


@pytest.mark.parametrize("algorithm", ["CD", "CDPSI"])
def test_bounds_hold_and_beat_clamping(algorithm):
    X, y, _ = make_sparse_regression(300, 50, 8, snr=5.0, seed=11)
    y = y / 10
    m = L0Regressor(lambda_0=0.0005, algorithm=algorithm, lower_bounds=-0.02,
                    upper_bounds=0.02, tol=1e-12).fit(X, y)
    assert np.all(m.coef_ >= -0.02 - 1e-12) and np.all(m.coef_ <= 0.02 + 1e-12)
    free = L0Regressor(k=m.support_.size, algorithm=algorithm).fit(X, y)
    clamped = np.clip(free.coef_, -0.02, 0.02)
    b0 = np.mean(y - X @ clamped)
    rss_clamped = np.sum((y - b0 - X @ clamped) ** 2)
    assert np.sum((y - m.predict(X)) ** 2) <= rss_clamped + 1e-9
    Xn, yn, norm, scale = normalise(X, y)
    b = to_normalised_coef(m.coef_, norm, scale)
    lo, hi = -0.02 * norm / scale, 0.02 * norm / scale
    assert coordinatewise_violation(Xn, yn, b, 0.0005, lo=lo, hi=hi) < 1e-9
    if algorithm == "CDPSI":
        assert swap_violation(Xn, yn, b, 0.0005, lo=lo, hi=hi) < 1e-9


def test_non_negative_coefficients():
    X, y, _ = make_sparse_regression(200, 40, 6, snr=5.0, seed=12)
    y = y - 2 * X[:, 3]
    m = L0Regressor(lambda_0=0.001, lower_bounds=0.0).fit(X, y)
    assert np.all(m.coef_ >= 0) and m.coef_[3] == 0


def test_exclude_first_k_keeps_those_features():
    X, y, _ = make_sparse_regression(100, 20, 3, seed=13)
    m = L0Regressor(lambda_0=100.0, exclude_first_k=4).fit(X, y)
    np.testing.assert_array_equal(m.support_, np.arange(4))


def test_max_support_size_is_a_constraint_and_path_stop():
    X, y, _ = make_sparse_regression(200, 300, 20, snr=10.0, seed=14)
    m = L0Regressor(lambda_0=1e-5, max_support_size=7).fit(X, y)
    assert m.support_.size == 7
    for mss in (5, 10, 20):
        path = l0_path(X, y, max_support_size=mss, algorithm="CDPSI")
        assert path.support_size.max() <= mss


def test_first_lambdas_of_the_automatic_grid_match_l0learn():
    # L0Learn 0.4.3 on this data (methods note, section 15): 0.0571495, 0.0565780, 0.0478183.
    X, y, coef = make_sparse_regression(500, 5000, 10, snr=5.0, seed=1)
    path = l0_path(X, y, max_support_size=20)
    np.testing.assert_allclose(path.lambda_0[:3], [0.0571495, 0.0565780, 0.0478183], rtol=1e-6)
    at10 = np.flatnonzero(path.support_size == 10)
    assert at10.size and set(path.coef[:, at10[0]].indices) == set(np.flatnonzero(coef))


def test_input_layouts_give_identical_results_and_x_is_untouched():
    X, y, _ = make_sparse_regression(80, 120, 5, seed=15)
    X = np.ascontiguousarray(X)
    before = X.copy()
    pointer = X.__array_interface__["data"][0]
    ref = L0Regressor(lambda_0=0.005).fit(X, y).coef_
    assert X.flags.c_contiguous and X.__array_interface__["data"][0] == pointer
    np.testing.assert_array_equal(X, before)
    ro = X.copy()
    ro.setflags(write=False)
    big = np.hstack([X, X[:, :7]])
    variants = [np.asfortranarray(X), ro,
                big[:, :120], np.vstack([X, X[:3]])[:80]]
    for Xv in variants:
        np.testing.assert_allclose(L0Regressor(lambda_0=0.005).fit(Xv, y).coef_, ref,
                                   rtol=1e-9, atol=1e-12)
    f32 = L0Regressor(lambda_0=0.005).fit(X.astype(np.float32), y).coef_
    np.testing.assert_array_equal(f32 != 0, ref != 0)


def test_kernels_compile_one_signature():
    from l0learn.linear_model import _cd_kernels as _cd
    X, y, _ = make_sparse_regression(40, 15, 3, seed=16)
    ro = np.asfortranarray(X)
    ro.setflags(write=False)
    for Xv in (X, np.asfortranarray(X), X.astype(np.float32), ro, sp.csc_matrix(X),
               sp.csr_matrix(X)):
        L0Regressor(algorithm="CDPSI").fit(Xv, y)
    assert len(_cd.cd_sweeps.signatures) == 1
    assert len(_cd.update_residual.signatures) <= 1
    assert len(_cd.column_stats.signatures) == 1


def test_deterministic():
    X, y, _ = make_sparse_regression(100, 200, 5, seed=17)
    a = l0_path(X, y, algorithm="CDPSI", max_support_size=15)
    b = l0_path(X, y, algorithm="CDPSI", max_support_size=15)
    np.testing.assert_array_equal(a.lambda_0, b.lambda_0)
    assert (a.coef != b.coef).nnz == 0


def test_many_consecutive_fits_are_stable():
    X, y, _ = make_sparse_regression(60, 40, 4, seed=18)
    for i in range(50):
        pen = ("L0", "L0L1", "L0L2")[i % 3]
        m = L0Regressor(pen, 0.003, 0.01 if pen != "L0" else 0.0).fit(X, y)
        assert np.all(np.isfinite(m.coef_))


def test_objective_attribute_is_the_minimised_objective():
    X, y, _ = make_sparse_regression(100, 30, 4, seed=19)
    Xn, yn, norm, scale = normalise(X, y)
    for pen, lam1, lam2 in (("L0", 0, 0), ("L0L1", 0.02, 0), ("L0L2", 0, 0.02)):
        m = L0Regressor(pen, 0.003, lam1 + lam2).fit(X, y)
        b = to_normalised_coef(m.coef_, norm, scale)
        f = (0.5 * np.sum((yn - Xn @ b) ** 2) + 0.003 * np.count_nonzero(b)
             + lam1 * np.abs(b).sum() + lam2 * b @ b)
        assert m.objective_ == pytest.approx(f, rel=1e-9)


@pytest.mark.parametrize("algorithm", ["CD", "CDPSI"])
def test_single_fits_reach_l0bnb_certified_objectives(algorithm):
    # Certified optima (L0BnB, gap 1e-4; methods note l0-exact-bnb.md section 10),
    # n=500, p=1000, k=10, SNR 5, lambda_2=0.01.  L0Learn misses the 8-nonzero one.
    X, y, _ = make_sparse_regression(500, 1000, 10, snr=5.0, seed=1)
    certified = [(0.0504606, 1, 0.499490), (0.0479376, 4, 0.494279), (0.0415969, 5, 0.467924),
                 (0.0395171, 6, 0.456636), (0.0375412, 7, 0.443103), (0.0332965, 8, 0.412918),
                 (0.0316316, 9, 0.398398), (0.0261117, 10, 0.348317)]
    for lam0, nnz, f_cert in certified:
        m = L0Regressor("L0L2", lam0, 0.01, algorithm=algorithm).fit(X, y)
        assert m.support_.size == nnz
        # certified values are given to 6 significant digits
        assert m.objective_ <= f_cert + 1e-6


def test_ties_between_gain_and_price_do_not_oscillate():
    # At the first grid value of these fits one coordinate's gain equals its price to
    # rounding; it used to enter and leave on alternate sweeps until max_iter (64 of
    # 300 such fits warned).
    import warnings
    for seed in range(100):
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((60, 8))
        y = X @ np.r_[2, -1.5, 1, 0, 0, 0, 0, 0] + 0.5 * rng.standard_normal(60)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            m = L0Regressor(lambda_0=0.01, max_iter=10000).fit(X, y)
        assert m.converged_ and m.n_iter_ < 1000
