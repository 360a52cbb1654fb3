"""Exact L0L2 regression by branch and bound: enumeration, relaxation and bound checks."""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import bnb
from bnb import Node
from l0learn import L0Regressor, l0_path
from l0learn._shared.perspective import conjugate_fixed_one, envelope_constants
from l0learn.linear_model._solver import NormalisedProblem, Settings
from l0learn.datasets import make_sparse_regression
from l0learn.linear_model._exact import L0L2Problem, dual_bound
from l0learn.utils._testing import (best_subset, cvxpy_l0l2_relaxation, force_node_form,
                                    normalise, to_normalised_coef)


def small(seed, n=50, p=12, k=4, snr=2.0, rho=0.5):
    return make_sparse_regression(n, p, k, snr=snr, rho=rho, seed=seed)


def normalised_problem(X, y):
    p = X.shape[1]
    return NormalisedProblem(np.asfortranarray(X), y, np.ones(len(y)), True,
                             np.full(p, -np.inf), np.full(p, np.inf))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("lam0,lam2", [(0.01, 0.01), (0.004, 0.1), (0.02, 0.001)])
def test_bnb_equals_enumeration(seed, lam0, lam2):
    X, y, _ = small(seed, p=14 if seed < 2 else 12)
    Xn, yn, norm, scale = normalise(X, y)
    f_opt, b_opt = best_subset(Xn, yn, lam0, lam2)
    m = L0Regressor("L0L2", lam0, lam2, algorithm="BnB", gap_tol=1e-6).fit(X, y)
    assert m.status_ == "optimal"
    assert m.lower_bound_ <= f_opt + 1e-9
    assert f_opt - 1e-12 <= m.objective_ <= f_opt * (1 + 1e-6)
    b = to_normalised_coef(m.coef_, norm, scale)
    f = 0.5 * np.sum((yn - Xn @ b) ** 2) + lam0 * np.count_nonzero(b) + lam2 * b @ b
    assert f == pytest.approx(m.objective_, rel=1e-9)
    assert m.big_m_ >= np.abs(b_opt).max()  # the certified box holds the optimum


@pytest.mark.parametrize("strategy", ["best-bound", "depth-first", "best-bound-dive"])
def test_every_strategy_reaches_the_optimum_and_bounds_stay_below_it(strategy):
    X, y, _ = small(11, p=12)
    Xn, yn, _, _ = normalise(X, y)
    f_opt, b_opt = best_subset(Xn, yn, 0.008, 0.02)
    optimal_support = set(np.flatnonzero(b_opt))
    mio = L0L2Problem(normalised_problem(X, y), 0.008, 0.02, Settings())
    seen = []
    original = mio.relax

    def relax(node):
        out = original(node)
        seen.append((node, out.lower_bound))
        return out

    mio.relax = relax
    result = bnb.solve(mio, strategy=strategy, gap_tol=1e-7, log_interval=0.0)
    assert result.objective == pytest.approx(f_opt, rel=1e-7)
    # no bound of a node that contains the optimal support cuts it off
    holding = [bound for node, bound in seen
               if set(node.fixed_one) <= optimal_support
               and not optimal_support & set(node.fixed_zero)]
    assert len(holding) >= 1 and max(holding) <= f_opt + 1e-9
    for row in result.log:
        assert row["bound"] <= f_opt + 1e-9


def test_big_m_regime_with_a_non_binding_user_box():
    X, y, _ = small(3)
    Xn, yn, _, _ = normalise(X, y)
    lam0, lam2, big_m = 0.02, 0.001, 1.0
    ratio, _, perspective = envelope_constants(lam0, lam2, big_m)
    assert ratio > big_m and not perspective
    f_opt, b_opt = best_subset(Xn, yn, lam0, lam2)
    assert np.abs(b_opt).max() < big_m
    m = L0Regressor("L0L2", lam0, lam2, algorithm="BnB", big_m=big_m, gap_tol=1e-6).fit(X, y)
    assert m.objective_ == pytest.approx(f_opt, rel=1e-6) and m.lower_bound_ <= f_opt + 1e-9


def test_conjugate_matches_a_numerical_conjugate():
    rng = np.random.default_rng(0)
    for _ in range(20):
        lam0, lam2, big_m = rng.uniform(0.001, 0.1), rng.uniform(0.001, 1), rng.uniform(0.1, 3)
        v = rng.normal(scale=2, size=7)
        b = np.linspace(-big_m, big_m, 200001)
        numeric = np.max(v[:, None] * b - lam0 - lam2 * b * b, axis=1)
        np.testing.assert_allclose(conjugate_fixed_one(v, lam0, lam2, big_m), numeric, atol=1e-8)


@pytest.mark.parametrize("shift", [True, False])
@pytest.mark.parametrize("big_m", [None, 0.4])
def test_node_relaxation_against_cvxpy(big_m, shift):
    X, y, _ = small(5, p=10)
    Xn, yn, _, _ = normalise(X, y)
    lam0, lam2 = 0.01, 0.01
    for fz, fo in [([], []), ([1, 4], [0]), ([2], [3, 7])]:
        # A fresh problem per node: a search reuses a parent's eigenvalue bound (valid,
        # weaker); here each node's own shift is checked for tightness.
        mio = L0L2Problem(normalised_problem(X, y), lam0, lam2, Settings(), big_m=big_m,
                          eigen_shift=shift)
        M = mio.big_m
        node = Node(np.array(fz, dtype=np.int64), np.array(fo, dtype=np.int64))
        relax = mio.relax(node)
        reference = cvxpy_l0l2_relaxation(Xn, yn, fz, fo, lam0, lam2, M, shift=shift)
        assert relax.lower_bound <= reference + 1e-7
        assert relax.lower_bound >= reference - 1e-5 * abs(reference)  # tight, not just valid
    if shift:  # the shift strengthens the root bound here (n > p)
        plain = cvxpy_l0l2_relaxation(Xn, yn, [], [], lam0, lam2, M)
        assert mio.relax(Node()).lower_bound > plain + 1e-3 * abs(plain)


def test_dual_bound_is_below_the_relaxation_for_any_residual():
    X, y, _ = small(6, p=10)
    problem = normalised_problem(X, y)
    Xn, yn, _, _ = normalise(X, y)
    lam0, lam2, M = 0.01, 0.02, 0.8
    rng = np.random.default_rng(1)
    kind = np.ones(10, dtype=np.int8)
    kind[[2, 5]] = 0
    kind[[0]] = 2
    reference = cvxpy_l0l2_relaxation(Xn, yn, [2, 5], [0], lam0, lam2, M)
    for _ in range(30):
        r = yn * rng.uniform(0, 1.5) + rng.normal(scale=0.05, size=len(yn))
        r -= r.mean()
        grad = problem.design.gradient(r)
        bound = dual_bound(r @ problem.y_tilde, 0.5 * (r @ r), grad, kind, lam0, lam2, M)
        assert bound <= reference + 1e-9


def test_limits_return_the_incumbent_with_a_valid_gap():
    X, y, _ = make_sparse_regression(60, 18, 6, snr=1.0, rho=0.6, seed=2)
    full = L0Regressor("L0L2", 0.004, 0.005, algorithm="BnB", gap_tol=1e-6).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="node_limit"):
        m = L0Regressor("L0L2", 0.004, 0.005, algorithm="BnB", max_nodes=3).fit(X, y)
    assert m.status_ == "feasible" and m.termination_ == "node_limit" and m.n_nodes_ == 3
    assert m.lower_bound_ <= full.objective_ + 1e-9 <= m.objective_ + 2e-9
    assert m.gap_ == pytest.approx((m.objective_ - m.lower_bound_) / m.objective_)
    with pytest.warns(ConvergenceWarning, match="time_limit"):
        t = L0Regressor("L0L2", 0.004, 0.005, algorithm="BnB", time_limit=0.0).fit(X, y)
    assert t.termination_ == "time_limit" and t.objective_ <= full.objective_ * 1.05


@pytest.mark.parametrize("form", [{"lambda_0": 0.01}, {"k": 8}])
def test_time_limit_is_the_wall_time_of_the_whole_fit(form):
    # p >> n with a small ridge: far from certifiable in a second, and big enough that
    # the warm start and single node solves are a visible share of the limit.
    import time
    import warnings
    X, y, _ = make_sparse_regression(120, 3000, 8, snr=3.0, seed=5)
    limit = 1.0
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = L0Regressor("L0L2", gamma=0.005, algorithm="BnB", time_limit=limit, **form).fit(X, y)
    elapsed = time.perf_counter() - t0
    assert elapsed <= 1.1 * limit + 1.0
    assert m.termination_ == "time_limit" and m.status_ == "feasible" and m.gap_ > 0
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    # One warning, the certificate's: coordinate descent did converge.
    assert len(messages) == 1 and "Branch and bound stopped (time_limit)" in messages[0]
    assert not m.converged_


def test_path_time_limit_holds_per_point():
    import time
    from l0learn import l0_path
    X, y, _ = make_sparse_regression(120, 3000, 8, snr=3.0, seed=5)
    t0 = time.perf_counter()
    path = l0_path(X, y, penalty="L0L2", gamma=0.005, algorithm="BnB", max_support_size=3,
                   time_limit=0.5)
    elapsed = time.perf_counter() - t0
    assert len(path) >= 2 and np.all(path.gap >= 0)
    assert elapsed <= len(path) * (1.1 * 0.5 + 1.0)


def test_bnb_option_errors():
    X, y, _ = small(0)
    with pytest.raises(ValueError, match="not 'L0L1'"):
        L0Regressor("L0L1", 0.01, 0.1, algorithm="BnB").fit(X, y)
    with pytest.raises(ValueError, match="12 usable features and 10 observations"):
        L0Regressor("L0", 0.01, algorithm="BnB").fit(X[:10], y[:10])
    with pytest.raises(ValueError, match="does not support lower_bounds"):
        L0Regressor("L0L2", 0.01, 0.1, algorithm="BnB", lower_bounds=-1.0).fit(X, y)


def test_exact_path_points_equal_enumeration():
    from l0learn import l0_path
    X, y, _ = small(8, p=11)
    Xn, yn, norm, scale = normalise(X, y)
    path = l0_path(X, y, penalty="L0L2", gamma=0.01, algorithm="BnB", max_support_size=8,
                   gap_tol=1e-6)
    frame = path.to_frame()
    assert {"lower_bound", "gap", "n_nodes"} <= set(frame.columns) and len(frame) >= 4
    for i in range(len(path)):
        f_opt, _ = best_subset(Xn, yn, path.lambda_0[i], 0.01)
        assert path.lower_bound[i] <= f_opt + 1e-9
        assert path.objective[i] == pytest.approx(f_opt, rel=1e-6)


@pytest.mark.parametrize("penalty,gamma", [("L0", None), ("L0L2", 0.0)])
def test_exact_path_without_ridge_certifies_from_the_loss_or_a_box(penalty, gamma):
    from l0learn import l0_path
    X, y, _ = small(9, p=10)
    Xn, yn, _, _ = normalise(X, y)
    # More features than rows: only a box (or a ridge) bounds the coefficients.
    with pytest.raises(ValueError, match="explicit big_m"):
        l0_path(X[:8], y[:8], penalty=penalty, gamma=gamma, algorithm="BnB")
    # Full column rank: the loss gives a certified box, the unconstrained L0 optimum.
    path = l0_path(X, y, penalty=penalty, gamma=gamma, algorithm="BnB", max_support_size=7,
                   gap_tol=1e-6)
    assert len(path) >= 3 and np.all(path.gap <= 1e-6)
    for i in range(len(path)):
        f_opt, _ = best_subset(Xn, yn, path.lambda_0[i], 0.0)
        assert path.lower_bound[i] <= f_opt + 1e-9
        assert path.objective[i] == pytest.approx(f_opt, rel=1e-6)
    with pytest.raises(ValueError, match="big_m must be a positive"):
        l0_path(X, y, penalty=penalty, gamma=gamma, algorithm="BnB", big_m=-1.0)
    # A box far above every least-squares coefficient binds nowhere: the L0 optimum.
    path = l0_path(X, y, penalty=penalty, gamma=gamma, algorithm="BnB", big_m=50.0,
                   max_support_size=7, gap_tol=1e-6)
    assert len(path) >= 3
    for i in range(len(path)):
        f_opt, _ = best_subset(Xn, yn, path.lambda_0[i], 0.0)
        assert path.lower_bound[i] <= f_opt + 1e-9
        assert path.objective[i] == pytest.approx(f_opt, rel=1e-6)
    with pytest.warns(UserWarning, match="sits at the box"):
        l0_path(X, y, penalty=penalty, gamma=gamma, algorithm="BnB", big_m=0.05,
                max_support_size=3)


def test_user_box_at_the_solution_warns():
    X, y, _ = small(1)
    with pytest.warns(UserWarning, match="sits at the box"):
        L0Regressor("L0L2", 0.005, 0.01, algorithm="BnB", big_m=0.05).fit(X, y)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [1, 3, 5])
def test_cardinality_form_equals_enumeration(seed, k):
    X, y, _ = small(seed + 20, p=12, k=5)
    Xn, yn, norm, scale = normalise(X, y)
    f_opt, _ = best_subset(Xn, yn, 0.0, 0.02, k=k)
    m = L0Regressor("L0L2", gamma=0.02, k=k, algorithm="BnB", gap_tol=1e-6).fit(X, y)
    assert m.status_ == "optimal" and m.support_.size <= k
    assert m.lower_bound_ <= f_opt + 1e-9
    assert f_opt - 1e-12 <= m.objective_ <= f_opt * (1 + 1e-6)
    b = to_normalised_coef(m.coef_, norm, scale)
    assert m.objective_ == pytest.approx(0.5 * np.sum((yn - Xn @ b) ** 2) + 0.02 * b @ b,
                                         rel=1e-9)


def test_cardinality_lagrangian_bound_is_valid_at_every_price():
    from l0learn.linear_model._exact import CardinalityL0L2Problem
    X, y, _ = small(30, p=10, k=4)
    Xn, yn, _, _ = normalise(X, y)
    f_opt, _ = best_subset(Xn, yn, 0.0, 0.05, k=3)
    mio = CardinalityL0L2Problem(normalised_problem(X, y), 3, 0.05, Settings())
    kind = mio.node_kinds(Node())
    for mu in np.linspace(0.0, 0.5, 11):
        lower = mio.solve_relaxation(kind, None, mu, mio.big_m).lower
        assert lower - 3 * mu <= f_opt + 1e-9


@pytest.mark.parametrize("form", ["active-gram", "residual"])
@pytest.mark.parametrize("seed", range(3))
def test_active_set_relaxations_agree_with_covariance_form(seed, form, monkeypatch):
    # Small problems run node relaxations in covariance form (with the eigenvalue
    # shift); large ones by active-set CD, on stored Gram columns or on the residual.
    # Force the latter and check them against enumeration, cvxpy and the former.
    X, y, _ = small(seed + 40, p=12)
    Xn, yn, _, _ = normalise(X, y)
    f_opt, _ = best_subset(Xn, yn, 0.008, 0.02)
    gram_form = L0Regressor("L0L2", 0.008, 0.02, algorithm="BnB", gap_tol=1e-6).fit(X, y)
    kernel = force_node_form(monkeypatch, form)
    mio = L0L2Problem(normalised_problem(X, y), 0.008, 0.02, Settings())
    mio.relax(Node())
    assert not mio._blocks and kernel.calls  # no shifted block: the large-node form ran
    active = L0Regressor("L0L2", 0.008, 0.02, algorithm="BnB", gap_tol=1e-6).fit(X, y)
    for m in (gram_form, active):
        assert m.status_ == "optimal" and m.lower_bound_ <= f_opt + 1e-9
        assert m.objective_ == pytest.approx(f_opt, rel=1e-6)
    node = Node(np.array([1], dtype=np.int64), np.array([0], dtype=np.int64))
    reference = cvxpy_l0l2_relaxation(Xn, yn, [1], [0], 0.008, 0.02, mio.big_m)
    assert reference - 1e-5 * abs(reference) <= mio.relax(node).lower_bound <= reference + 1e-7


def test_constant_target_is_certified_trivially():
    X, _, _ = small(0)
    m = L0Regressor("L0L2", 0.01, 0.1, algorithm="BnB").fit(X, np.full(X.shape[0], 3.0))
    assert m.status_ == "optimal" and m.gap_ == 0.0 and not m.coef_.any()
    assert m.intercept_ == 3.0 and m.lower_bound_ == m.objective_


def test_bnb_weights_repeat_rows_and_sparse_matches_dense():
    import scipy.sparse as sp
    X, y, _ = small(50, n=40, p=12)
    w = np.random.default_rng(0).integers(0, 3, size=40)
    rep = np.repeat(np.arange(40), w)
    a = L0Regressor("L0L2", 0.006, 0.02, algorithm="BnB", gap_tol=1e-7).fit(X, y, sample_weight=w)
    b = L0Regressor("L0L2", 0.006, 0.02, algorithm="BnB", gap_tol=1e-7).fit(X[rep], y[rep])
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-6, atol=1e-9)
    assert a.objective_ == pytest.approx(b.objective_, rel=1e-7)
    Xs = X.copy()
    Xs[np.abs(Xs) < 0.7] = 0.0
    d = L0Regressor("L0L2", 0.006, 0.02, algorithm="BnB", gap_tol=1e-7).fit(Xs, y)
    s = L0Regressor("L0L2", 0.006, 0.02, algorithm="BnB", gap_tol=1e-7).fit(sp.csc_matrix(Xs), y)
    np.testing.assert_allclose(d.coef_, s.coef_, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kwargs", [dict(time_limit=-1), dict(time_limit=0), dict(gap_tol=-1),
                                    dict(gap_tol=np.nan), dict(time_limit="1")])
def test_exact_path_rejects_bad_limits(kwargs):
    from l0learn import l0_path
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 6))
    with pytest.raises(ValueError):
        l0_path(X, X[:, 0], penalty="L0L2", gamma=0.1, algorithm="BnB", **kwargs)


def test_exact_path_warns_about_uncertified_points():
    from sklearn.exceptions import ConvergenceWarning
    from l0learn import l0_path
    from l0learn.datasets import make_sparse_regression
    X, y, _ = make_sparse_regression(60, 200, 8, snr=1.0, seed=3)
    with pytest.warns(ConvergenceWarning, match="not certified to gap_tol=1e-09"):
        path = l0_path(X, y, penalty="L0L2", gamma=1e-3, algorithm="BnB", max_support_size=8,
                       gap_tol=1e-9, time_limit=0.05)
    assert np.any(path.gap > 1e-9)


def test_stored_gram_blocks_equal_direct_blocks(monkeypatch):
    import l0learn.linear_model._exact as l0l2
    X, y, _ = small(12, n=40, p=30)
    mio = L0L2Problem(normalised_problem(X, y), 0.01, 0.02, Settings())
    rng = np.random.default_rng(0)
    for size in (5, 12, 20, 30):
        cols = np.sort(rng.choice(30, size, replace=False))
        np.testing.assert_allclose(mio._stored_gram(cols), mio.design.gram_block(cols),
                                   rtol=1e-12, atol=1e-12)
    assert mio._n_slots == np.count_nonzero(mio._slot >= 0) <= 30
    monkeypatch.setattr(l0l2, "_GRAM_STORE_BYTES", 8 * 30 * 3)  # room for 3 columns
    fresh = L0L2Problem(normalised_problem(X, y), 0.01, 0.02, Settings())
    cols = np.arange(10)
    np.testing.assert_allclose(fresh._stored_gram(cols), fresh.design.gram_block(cols),
                               rtol=1e-12, atol=1e-12)
    assert fresh._n_slots == 0  # too large for the store: formed directly


def test_open_gap_warning_advises_on_wide_designs():
    # p >= n with a small ridge: the search stops on its node limit with a large gap,
    # and the warning says what strengthens the certificate; with p < n it does not.
    X, y, _ = make_sparse_regression(30, 120, 5, snr=2.0, seed=3)
    with pytest.warns(ConvergenceWarning, match="as many features as samples"):
        L0Regressor("L0L2", 0.01, 0.001, algorithm="BnB", max_nodes=3).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="as many features as samples"):
        l0_path(X, y, penalty="L0L2", gamma=0.001, algorithm="BnB", max_support_size=3,
                time_limit=0.2)
    X, y, _ = make_sparse_regression(60, 18, 6, snr=1.0, rho=0.6, seed=2)
    with pytest.warns(ConvergenceWarning) as record:
        L0Regressor("L0L2", 0.004, 0.005, algorithm="BnB", max_nodes=2).fit(X, y)
    assert not any("features as samples" in str(w.message) for w in record)
