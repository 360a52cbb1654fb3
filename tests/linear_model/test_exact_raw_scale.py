"""``normalize=False``: penalties on the caller's scale (L0BnB's raw-scale problem).

Checked against an oracle that enumerates every support on the raw data (its own
weighted ridge solves, no normalisation), against L0BnB's own stored Gurobi optima,
and node by node against enumeration and cvxpy.
"""

from itertools import combinations

import numpy as np
import pytest

import bnb
from bnb import Node
from l0learn import L0Regressor, l0_path
from l0learn.linear_model._exact import L0L2Problem
from l0learn.linear_model._solver import NormalisedProblem, Settings
from l0learn.utils._testing import (cvxpy_l0l2_relaxation, force_node_form, l0bnb_synthetic,
                                    normalise)


def raw_objective(X, y, w, b0, b, lam0, lam2):
    r = y - b0 - X @ b
    return 0.5 * w @ (r * r) + lam0 * np.count_nonzero(b) + lam2 * b @ b


def raw_support_fit(X, y, w, support, lam2, fit_intercept):
    """The weighted ridge fit on ``support`` (unpenalised intercept): ``(b0, b)``."""
    b = np.zeros(X.shape[1])
    xm = (w @ X) / w.sum() if fit_intercept else np.zeros(X.shape[1])
    ym = (w @ y) / w.sum() if fit_intercept else 0.0
    if support:
        S = list(support)
        A = X[:, S] - xm[S]
        b[S] = np.linalg.solve(A.T @ (w[:, None] * A) + 2 * lam2 * np.eye(len(S)),
                               A.T @ (w * (y - ym)))
    return ym - xm @ b, b


def raw_best_subset(X, y, w, lam0, lam2, fit_intercept, fixed_zero=(), fixed_one=()):
    """Enumerate every support (containing ``fixed_one``, avoiding ``fixed_zero``)."""
    p = X.shape[1]
    free = [j for j in range(p) if j not in set(fixed_zero) | set(fixed_one)]
    best = (np.inf, None, None)
    for size in range(len(free) + 1):
        for extra in combinations(free, size):
            S = sorted(set(fixed_one) | set(extra))
            b0, b = raw_support_fit(X, y, w, S, lam2, fit_intercept)
            f = raw_objective(X, y, w, b0, b, lam0, lam2)
            if f < best[0]:
                best = (f, b0, b)
    return best


def raw_instance(seed):
    """Columns on scales 1e-2 .. 1e2, correlated, sometimes a near-duplicate; ridge and
    L0 price drawn over wide ranges relative to the data."""
    rng = np.random.default_rng(seed)
    p = int(rng.integers(5, 8))
    n = int(rng.choice([p - 2, 12, 30]))
    Z = rng.normal(size=(n, p)) + rng.uniform(0, 1.5) * rng.normal(size=(n, 1))
    if rng.random() < 0.3:
        Z[:, 1] = Z[:, 0] + 0.05 * rng.normal(size=n)
    X = Z * 10.0 ** rng.uniform(-2, 2, size=p) + rng.normal(size=p) * rng.random()
    beta = rng.normal(size=p) * (rng.random(p) < 0.5) / np.abs(X).mean(axis=0)
    y = X @ beta + 0.5 * rng.normal(size=n) + 3.0 * rng.random()
    w = rng.uniform(0.2, 2.0, size=n) if rng.random() < 0.4 else np.ones(n)
    fit_intercept = bool(rng.random() < 0.6)
    xm = (w @ X) / w.sum() if fit_intercept else 0.0
    norms2 = w @ ((X - xm) ** 2)
    yc = y - ((w @ y) / w.sum() if fit_intercept else 0.0)
    lam2 = 10.0 ** rng.uniform(-4, 1) * float(np.median(norms2))
    if n > p and rng.random() < 0.25:
        lam2 = 0.0  # certified by the loss's curvature
    lam0 = 10.0 ** rng.uniform(-3, -1) * float(w @ (yc * yc))
    return X, y, w, lam0, lam2, fit_intercept


@pytest.mark.parametrize("group", range(8))
def test_raw_scale_bnb_and_cdpsi_against_enumeration(group):
    """200 random instances: BnB reaches the enumerated optimum and certifies it; CDPSI's
    objective is what its coefficients give and never beats the optimum."""
    for seed in range(25 * group, 25 * group + 25):
        X, y, w, lam0, lam2, fit_intercept = raw_instance(seed)
        f_opt, _, _ = raw_best_subset(X, y, w, lam0, lam2, fit_intercept)
        kw = dict(penalty="L0L2", lambda_0=lam0, gamma=lam2, normalize=False,
                  fit_intercept=fit_intercept)
        m = L0Regressor(**kw, algorithm="BnB", gap_tol=1e-6).fit(X, y, sample_weight=w)
        scale = max(abs(f_opt), 1e-300)
        assert m.status_ == "optimal", seed
        assert m.lower_bound_ <= f_opt + 1e-9 * scale, seed
        assert m.objective_ == pytest.approx(f_opt, rel=1e-6), seed
        f_model = raw_objective(X, y, w, m.intercept_, m.coef_, lam0, lam2)
        assert f_model == pytest.approx(m.objective_, rel=1e-8), seed
        assert m.lambda_0_ == pytest.approx(lam0, rel=1e-14)
        h = L0Regressor(**kw).fit(X, y, sample_weight=w)
        f_h = raw_objective(X, y, w, h.intercept_, h.coef_, lam0, lam2)
        assert f_h == pytest.approx(h.objective_, rel=1e-8), seed
        assert h.objective_ >= f_opt * (1 - 1e-9), seed


@pytest.mark.parametrize("form", ["covariance", "active-gram", "residual"])
@pytest.mark.parametrize("group", range(4))
def test_every_node_bound_is_below_the_node_optimum(group, form, monkeypatch):
    """Inside the search, each node's bound against enumeration under its fixings, in
    every node form (per-coordinate ridges: see ``force_node_form``)."""
    kernel = force_node_form(monkeypatch, form)
    for seed in range(1000 + 10 * group, 1000 + 10 * group + 10):
        X, y, w, lam0, lam2, fit_intercept = raw_instance(seed)
        problem = NormalisedProblem(np.asfortranarray(X), y, w, fit_intercept,
                                    np.full(X.shape[1], -np.inf), np.full(X.shape[1], np.inf),
                                    normalize=False)
        scale = problem.objective_scale
        mio = L0L2Problem(problem, lam0 / scale, lam2, Settings())
        original = mio.relax
        checked = []

        def relax(node):
            upper = mio.upper
            out = original(node)
            f_node, _, _ = raw_best_subset(X, y, w, lam0, lam2, fit_intercept,
                                           node.fixed_zero.tolist(), node.fixed_one.tolist())
            f_node /= scale
            # Inherited reduced-cost fixings only remove what cannot beat the incumbent.
            if f_node < upper * (1 - 1e-9):
                assert out.lower_bound <= f_node + 1e-9 * max(1.0, f_node), seed
            checked.append(node)
            return out

        mio.relax = relax
        result = bnb.solve(mio, gap_tol=1e-9)
        f_opt, _, _ = raw_best_subset(X, y, w, lam0, lam2, fit_intercept)
        assert result.objective * scale == pytest.approx(f_opt, rel=1e-6), seed
        assert checked
    assert kernel.calls


@pytest.mark.parametrize("with_box", [False, True])
def test_node_relaxation_with_per_coordinate_ridge_and_box_against_cvxpy(with_box):
    """On the normalised data the raw problem has ridge lam2 / d_j^2 and box M d_j / s."""
    rng = np.random.default_rng(4)
    n, p = 25, 8
    X = rng.normal(size=(n, p)) * 10.0 ** rng.uniform(-1.5, 1.5, size=p)
    y = X @ (rng.normal(size=p) * (rng.random(p) < 0.5)) + rng.normal(size=n)
    lam0, lam2 = 0.3, 0.05
    user_m = 2.0 if with_box else None
    problem = NormalisedProblem(np.asfortranarray(X), y, np.ones(n), True, np.full(p, -np.inf),
                                np.full(p, np.inf), normalize=False)
    Xn, yn, d, s = normalise(X, y)
    for fz, fo in [([], []), ([1, 4], [0]), ([2], [3, 7])]:
        mio = L0L2Problem(problem, lam0 / s**2, lam2, Settings(), big_m=user_m,
                          eigen_shift=False)
        box = mio.big_m
        if with_box:
            np.testing.assert_allclose(box, user_m * d / s)
        relax = mio.relax(Node(np.array(fz, dtype=np.int64), np.array(fo, dtype=np.int64)))
        reference = cvxpy_l0l2_relaxation(Xn, yn, fz, fo, lam0 / s**2, lam2 / d**2, box)
        assert relax.lower_bound <= reference + 1e-7
        assert relax.lower_bound >= reference - 1e-5 * abs(reference)


# L0BnB 1.0.0's test/test_objective.py: p = 50, 10 true nonzeros, SNR 5, normalize=False,
# intercept=False, max_nonzeros=10.  The lambda_0 grids are those of L0BnB's fit_path on
# these data (recorded with L0BnB 1.0.0); the objectives are the Gurobi optima its test
# stores.  (n, lambda_2): (lambda_0 grid, Gurobi objectives)
L0BNB_CASES = {
    (25, 100.0): (
        [9.25450339494393, 3.245728998913429, 2.281384423096754, 2.009140689191697,
         1.8965708706817372, 1.6487340301229672, 1.5662973286168187, 1.2052343073571086,
         1.07199604386723, 1.016580734254194],
        [140.7496992712402, 134.73678148063837, 132.7966398218242, 131.92442262876952,
         131.45536177721596, 130.21455471115567, 129.69084568186238, 127.15922098560188,
         126.09395441700497, 125.5881926722805]),
    (50, 100.0): (
        [12.569984959582126, 10.164341721656832, 4.324284706258415, 4.108070470945494,
         3.6726098446579503, 3.4889793524250527, 2.661587312224795, 1.8381139008981349,
         1.746208205853228, 1.6565858445760964],
        [252.01738710057455, 249.60196757751095, 237.91468825572306, 237.1552209007437,
         235.3958121283535, 234.38717770829828, 229.4140027046285, 223.64955049476524,
         222.8225000852473, 222.00086312088638]),
    (100, 0.1): (
        [126.00783008084436, 60.05369703169744, 52.21672501637628, 45.89345161224047,
         20.746536816733414],
        [582.8799315049895, 511.31843817806424, 485.195434198173, 456.735738689179,
         292.79760067332904]),
    (100, 0.0): (
        [126.24473672894338, 60.18666585738974, 52.2670957621976, 45.95855444102414,
         20.773873299603444],
        [582.8775383112129, 511.1380945270483, 484.75318292430666, 456.3438073701726,
         291.9964981896575]),
}


@pytest.mark.parametrize("case", list(L0BNB_CASES))
def test_reproduces_l0bnb_stored_gurobi_optima(case):
    n, lam2 = case
    lambdas, gurobi = L0BNB_CASES[case]
    X, y = l0bnb_synthetic(n, 50, 10, snr=5)
    path = l0_path(X, y, penalty="L0L2", gamma=lam2, normalize=False, fit_intercept=False,
                   lambda_grid=lambdas, algorithm="BnB", gap_tol=1e-5, max_support_size=10)
    assert len(path) == len(gurobi)
    np.testing.assert_allclose(path.lambda_0, lambdas, rtol=1e-12)
    assert np.all(path.gap <= 1e-5)
    for i, ref in enumerate(gurobi):
        b = path.coef[:, i].toarray().ravel()
        assert raw_objective(X, y, np.ones(n), path.intercept[i], b, lambdas[i],
                             lam2) == pytest.approx(path.objective[i], rel=1e-9)
        assert path.objective[i] == pytest.approx(ref, rel=1e-4)  # L0BnB's own criterion
        # Gurobi's value is feasible, so the certified bound cannot exceed it beyond the
        # rounding of the stored optima: at (100, 0), lambda_0 = 52.27 the stored 484.753183
        # is 1.1e-7 below the optimum of these data (484.753237, the best of all supports
        # of 3 to 5 features, enumerated), which is ours and L0BnB's.
        assert path.lower_bound[i] <= ref * (1 + 1e-6)
    assert path.intercept.tolist() == [0.0] * len(path)


def test_raw_scale_refusals_name_the_problem():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 12)), rng.normal(size=8)
    with pytest.raises(ValueError, match="not 'L0L1'"):
        L0Regressor("L0L1", 0.1, 0.1, normalize=False).fit(X, y)
    with pytest.raises(ValueError, match="not 'L0L1'"):
        l0_path(X, y, penalty="L0L1", normalize=False)
    # No ridge: a certified box needs a full-column-rank design.
    with pytest.raises(ValueError, match="12 usable features and 8 observations"):
        L0Regressor("L0", 0.1, normalize=False, algorithm="BnB").fit(X, y)
    X2 = rng.normal(size=(30, 4))
    X2 = np.c_[X2, 2.0 * X2[:, 0]]
    with pytest.raises(ValueError, match="dependent columns"):
        L0Regressor("L0", 0.1, algorithm="BnB").fit(X2, rng.normal(size=30))
    # A user box, or a ridge, makes both fine.
    L0Regressor("L0", 0.1, normalize=False, algorithm="BnB", big_m=10.0).fit(X, y)
    L0Regressor("L0L2", 0.1, 1e-3, normalize=False, algorithm="BnB").fit(X, y)


def test_normalize_false_is_the_normalised_fit_when_columns_have_unit_norm():
    """With centred unit-norm columns and response both problems coincide."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 9))
    X -= X.mean(axis=0)
    X /= np.linalg.norm(X, axis=0)
    y = X[:, :3] @ np.array([0.6, -0.5, 0.4]) + 0.1 * rng.normal(size=40)
    y = (y - y.mean()) / np.linalg.norm(y - y.mean())
    a = L0Regressor("L0L2", 0.01, 0.05, algorithm="BnB").fit(X, y)
    b = L0Regressor("L0L2", 0.01, 0.05, normalize=False, algorithm="BnB").fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-9)
    assert a.objective_ == pytest.approx(b.objective_, rel=1e-9)


@pytest.mark.parametrize("normalize,sx,sy", [
    (True, 1e-200, 1e-200), (True, 1e-100, 1.0), (True, 1e100, 1e100), (True, 1e200, 1.0),
    (True, 1.0, 1e-100), (False, 1e-200, 1e-200), (False, 1e-100, 1.0),
    (False, 1e100, 1e100), (False, 1e140, 1.0), (False, 1.0, 1e-100), (False, 1e-160, 1.0)])
def test_extreme_scales_give_the_same_model_or_a_clear_error(normalize, sx, sy):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 8))
    y = X[:, :2] @ np.array([1.0, -0.8]) + 0.3 * rng.normal(size=40)
    # The raw-scale problem is the same one when lambda_0 scales as y^2, gamma as x^2.
    lam0, gam = (0.02, 0.1) if normalize else (0.02 * float(y @ y), 0.1 * 40)
    ref = L0Regressor("L0L2", lam0, gam, normalize=normalize, algorithm="BnB").fit(X, y)
    kw = dict(lambda_0=lam0 if normalize else lam0 * sy * sy,
              gamma=gam if normalize else gam * sx * sx)
    fit = lambda: L0Regressor("L0L2", **kw, normalize=normalize,  # noqa: E731
                              algorithm="BnB").fit(X * sx, y * sy)
    squares_fit = max(abs(np.log10(sx)), abs(np.log10(sy))) <= 150
    if normalize or squares_fit:
        m = fit()
        np.testing.assert_array_equal(m.support_, ref.support_)
        np.testing.assert_allclose(m.predict(X * sx) / sy, ref.predict(X), rtol=1e-9,
                                   atol=1e-9)
        assert m.status_ == "optimal"
    else:
        with pytest.raises(ValueError, match="normalize=False: .* outside float64"):
            fit()


def test_coefficients_beyond_float64_are_an_error():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(30, 5))
    y = X[:, 0] + 0.1 * rng.normal(size=30)
    with pytest.raises(ValueError, match="do not fit in float64"):
        L0Regressor("L0L2", 0.01, 0.1).fit(X * 1e200, y * 1e-200)


@pytest.mark.parametrize("group", range(2))
def test_raw_scale_cardinality_form_against_enumeration(group):
    """The k form on the caller's scale: the best support of at most k features."""
    for seed in range(500 + 20 * group, 500 + 20 * group + 20):
        X, y, w, _, lam2, fit_intercept = raw_instance(seed)
        if lam2 == 0.0 and X.shape[0] <= X.shape[1]:
            continue
        k = 2 + seed % 2
        best = np.inf
        for size in range(k + 1):
            for S in combinations(range(X.shape[1]), size):
                b0, b = raw_support_fit(X, y, w, S, lam2, fit_intercept)
                best = min(best, raw_objective(X, y, w, b0, b, 0.0, lam2))
        m = L0Regressor("L0L2", gamma=lam2, k=k, normalize=False, fit_intercept=fit_intercept,
                        algorithm="BnB", gap_tol=1e-6).fit(X, y, sample_weight=w)
        assert m.status_ == "optimal", seed
        assert m.support_.size <= k
        assert m.lower_bound_ <= best * (1 + 1e-9) + 1e-12, seed
        assert m.objective_ == pytest.approx(best, rel=1e-6), seed
        f_model = raw_objective(X, y, w, m.intercept_, m.coef_, 0.0, lam2)
        assert f_model == pytest.approx(m.objective_, rel=1e-8), seed


def test_cv_with_normalize_false_scores_each_fold_at_the_paths_lambdas():
    """Each fold solves the full path's lambda_0 on the caller's scale: its held-out error
    is that of l0_path on the training rows with the same raw grid."""
    from l0learn import L0RegressorCV
    rng = np.random.default_rng(7)
    X = rng.normal(size=(60, 12)) * 10.0 ** rng.uniform(-1, 1, size=12)
    y = X[:, :3] @ (1.0 / np.abs(X[:, :3]).mean(axis=0)) + 0.5 * rng.normal(size=60)
    train, test = np.arange(40), np.arange(40, 60)
    cv = L0RegressorCV("L0L2", gamma=[0.5], normalize=False, cv=[(train, test)],
                       num_lambda=15, max_support_size=8).fit(X, y)
    assert cv.lambda_0_ in cv.path_.lambda_0
    fold = l0_path(X[train], y[train], penalty="L0L2", gamma=0.5, normalize=False,
                   lambda_grid=cv.path_.lambda_0, algorithm="CDPSI", max_support_size=12)
    assert len(fold) == len(cv.path_)
    mse = ((fold.predict(X[test]) - y[test][:, None]) ** 2).mean(axis=0)
    np.testing.assert_allclose(cv.cv_means_, mse, rtol=1e-6)
    with pytest.raises(ValueError, match="not 'L0L1'"):
        L0RegressorCV("L0L1", normalize=False).fit(X, y)
