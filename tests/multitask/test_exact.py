"""The certified multi-task solver against enumeration and cvxpy."""

import itertools
import time
import warnings

import cvxpy as cp
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import bnb
from l0learn import MultiTaskL0Regressor
from l0learn.multitask._exact import MultiTaskBnBProblem, solve_multitask_exact
from l0learn.multitask._solver import MultiTaskData, MultiTaskProblem, multi_start

TINY = np.finfo(float).tiny


def _instance(rng, K, p, *, n=None, shared=False):
    n = int(rng.integers(4, 14)) if n is None else n
    rho = rng.uniform(0.0, 0.9)
    base = rng.standard_normal((n, p))
    Xs, ys = [], []
    for k in range(K):
        Z = base if shared else rng.standard_normal((n, p))
        X = Z + rho * Z[:, [0]]
        if rng.random() < 0.2:  # a near-duplicate column
            X[:, -1] = X[:, 1] + 1e-3 * rng.standard_normal(n)
        beta = np.zeros(p)
        beta[rng.choice(p, 3, replace=False)] = rng.standard_normal(3)
        Xs.append(X)
        ys.append(X @ beta + 0.5 * rng.standard_normal(n))
    return MultiTaskData(Xs, ys)


def _random_problem(rng, K, p, s, common=None):
    data = _instance(rng, K, p, shared=rng.random() < 0.3)
    lam1 = 10 ** rng.uniform(-4, 1)
    lam2 = 0.0 if rng.random() < 0.5 else 10 ** rng.uniform(-2, 0.5)
    lamz = 0.0 if rng.random() < 0.3 else 10 ** rng.uniform(-2, 0.5)
    common = bool(rng.random() < 0.25) if common is None else common
    return MultiTaskProblem(data, s, lam1, lam2, lamz, common)


def _supports(p, s):
    return [c for m in range(s + 1) for c in itertools.combinations(range(p), m)]


def _value(problem, rows):
    B = np.zeros((problem.data.K, problem.data.p))
    for k, S in enumerate(rows):
        B[k, list(S)] = TINY
    problem.refit(B)
    return problem.objective(B)


class Enumeration:
    """Every support tuple's exact objective, once; node optima by filtering."""

    def __init__(self, problem):
        K, p, s = problem.data.K, problem.data.p, problem.s
        rows = [[S] * K for S in _supports(p, s)] if problem.common else list(
            itertools.product(_supports(p, s), repeat=K))
        self.values = np.array([_value(problem, r) for r in rows])
        width = p if problem.common else K * p
        self.z = np.zeros((len(rows), width), dtype=bool)
        for i, r in enumerate(rows):
            for k, S in enumerate(r[:1] if problem.common else r):
                self.z[i, [k * p + j for j in S]] = True

    def optimum(self, fixed_zero=(), fixed_one=()):
        """min F over the tuples consistent with the fixings (variable k p + j, or j)."""
        ok = ~self.z[:, np.asarray(fixed_zero, int)].any(axis=1)
        ok &= self.z[:, np.asarray(fixed_one, int)].all(axis=1)
        return float(self.values[ok].min()) if ok.any() else np.inf


class CheckedProblem(MultiTaskBnBProblem):
    """Asserts every node's bound against enumeration over the node's branching fixings.

    A node's bound may exceed its own optimum only when that optimum is no better than the
    incumbent (reduced-cost fixings discard such solutions, by design).
    """

    def relax(self, node):
        upper = self.upper
        relaxation = super().relax(node)
        optimum = self.enumeration.optimum(node.fixed_zero, node.fixed_one)
        tol = 1e-9 * max(1.0, abs(optimum))
        assert relaxation.lower_bound <= max(optimum, upper) + tol, (
            relaxation.lower_bound, optimum, upper)
        if not self.fixing:
            assert relaxation.lower_bound <= optimum + tol
        self.n_checked += 1
        return relaxation


def _checked_solve(problem, fixing, enumeration):
    mio = CheckedProblem(problem, fixing=fixing)
    mio.n_checked = 0
    mio.enumeration = enumeration
    B0, _ = multi_start(problem)
    start_value = problem.objective(B0)
    mio.offer(start_value, B0)
    result = bnb.solve(mio, gap_tol=1e-7, incumbent=(start_value, B0))
    return result, mio


@pytest.mark.parametrize("seed", range(8))
def test_every_node_bound_is_below_the_enumerated_optimum(seed):
    rng = np.random.default_rng(seed)
    for trial in range(25):  # 200 instances over the seeds
        K = 2 if trial % 3 else 3
        p = 6 if K == 2 else 4
        problem = _random_problem(rng, K, p, 2)
        enumeration = Enumeration(problem)
        optimum = enumeration.optimum()
        result, mio = _checked_solve(problem, bool(trial % 2), enumeration)
        assert mio.n_checked >= 1
        assert result.lower_bound <= optimum + 1e-9 * max(1, abs(optimum))
        assert result.status.value == "optimal"
        assert result.objective == pytest.approx(optimum, rel=1e-6, abs=1e-9)


def _cvxpy_relaxation(mio, state):
    """The node relaxation (perspective + secant + cardinality), solved by cvxpy."""
    K, p = mio.K, mio.p
    B = cp.Variable((K, p))
    z = cp.Variable((K, p)) if not mio.common else cp.Variable(p)
    d = mio.problem.data
    H = np.zeros((K * p, K * p))
    for k in range(K):
        gram = d.X[k].T @ d.X[k] / d.n[k]
        H[k * p:(k + 1) * p, k * p:(k + 1) * p] = gram + (mio.lam1 - mio.mu[k]) * np.eye(p)
    b = np.stack([X.T @ y / n for X, y, n in zip(d.X, d.y, d.n)])
    yy = sum(y @ y / (2 * n) for y, n in zip(d.y, d.n))
    if mio.lam2:
        H += mio.lam2 * np.kron(np.eye(K) - np.ones((K, K)) / K, np.eye(p))
    H = (H + H.T) / 2
    vec = cp.reshape(B, (K * p,), order="C")
    smooth = 0.5 * cp.quad_form(vec, cp.psd_wrap(H)) - cp.sum(cp.multiply(b, B)) + yy
    sigma, constant = mio.secants(state)
    cons = [z >= 0, z <= 1]
    terms = []
    for k in range(K):
        for j in range(p):
            zz = z[j] if mio.common else z[k, j]
            terms.append(0.5 * mio.mu[k] * cp.quad_over_lin(B[k, j], zz))
    if mio.common:
        cons += [z[state == 1] == 1, z[state == -1] == 0, cp.sum(z) <= mio.s]
        cons += [B[:, state == -1] == 0] if np.any(state == -1) else []
        linear = 0.0
    else:
        for k in range(K):
            cons.append(cp.sum(z[k]) <= mio.s)
        cons += [z[state == 1] == 1, z[state == -1] == 0]
        cons += [B[state == -1] == 0] if np.any(state == -1) else []
        linear = cp.sum(cp.multiply(np.broadcast_to(sigma, (K, p)), z))
    prob = cp.Problem(cp.Minimize(smooth + cp.sum(terms) + linear + constant), cons)
    prob.solve(solver="CLARABEL")
    return prob.value


@pytest.mark.parametrize("seed", range(4))
def test_node_bound_matches_the_cvxpy_relaxation(seed):
    rng = np.random.default_rng(100 + seed)
    for _ in range(6):
        K, p = 3, 5
        problem = _random_problem(rng, K, p, 2)
        mio = MultiTaskBnBProblem(problem)
        shape = p if problem.common else (K, p)
        state = rng.choice(np.array([-1, 0, 0, 0, 1], dtype=np.int8), size=shape)
        rows = state[None, :] if problem.common else state
        for row in rows:  # keep the fixings feasible (at most s ones per row)
            ones = np.flatnonzero(row == 1)
            row[ones[problem.s:]] = 0
        mio.rel_tol = 1e-9
        sol = mio.solve_node(state, None)
        reference = _cvxpy_relaxation(mio, state)
        scale = max(1.0, abs(reference))
        assert sol["lower"] <= reference + 1e-6 * scale  # a valid bound on the relaxation
        assert sol["lower"] >= reference - 1e-4 * scale  # and a tight one


def test_zbar_secant_lies_below_the_term_on_the_count_range():
    rng = np.random.default_rng(3)
    for _ in range(200):
        K = int(rng.integers(2, 7))
        lamz = 10 ** rng.uniform(-2, 1)
        lo = int(rng.integers(0, K + 1))
        hi = int(rng.integers(lo, K + 1))
        problem = MultiTaskProblem(_instance(rng, K, 3, n=6), 1, 0.1, 0.0, lamz, False)
        mio = MultiTaskBnBProblem(problem)
        state = np.zeros((K, 3), dtype=np.int8)
        state[:lo, 0] = 1
        state[hi:, 0] = -1
        sigma, constant = mio.secants(state)
        for c in range(lo, hi + 1):
            term = 0.5 * lamz * c * (K - c) / K
            # feature 0's share of the constant, plus its secant at count c
            share = 0.5 * lamz * lo * (K - lo) / K - sigma[0] * lo
            secant = share + sigma[0] * c
            assert secant <= term + 1e-12
            if c in (lo, hi):
                assert secant == pytest.approx(term, abs=1e-12)


def _smtl_like(seed, K=3, p=30, n=80, s=3):
    rng = np.random.default_rng(seed)
    idx = np.arange(p)
    chol = np.linalg.cholesky(0.4 ** np.abs(idx[:, None] - idx[None, :]))
    common = rng.choice(p, s - 1, replace=False)
    specific = rng.choice(np.setdiff1d(idx, common), K, replace=False)
    Xs, ys = [], []
    for k in range(K):
        X = rng.standard_normal((n, p)) @ chol.T
        beta = np.zeros(p)
        beta[np.append(common, specific[k])] = rng.uniform(0.2, 1.0, s)
        Xs.append(X)
        ys.append(X @ beta + 0.1 * rng.standard_normal(n))
    return Xs, ys


@pytest.mark.parametrize("common", [False, True])
def test_estimator_certifies_and_agrees_with_local_search(common):
    Xs, ys = _smtl_like(0)
    kw = dict(lambda_1=1e-3, lambda_z=0.05, common_support=common)
    heuristic = MultiTaskL0Regressor(3, **kw).fit(Xs, ys)
    exact = MultiTaskL0Regressor(3, algorithm="BnB", **kw).fit(Xs, ys)
    assert exact.status_ == "optimal" and exact.converged_
    assert exact.gap_ <= 1e-4
    assert exact.lower_bound_ <= exact.objective_ <= heuristic.objective_ + 1e-12
    assert exact.termination_ in ("gap_reached", "queue_empty")
    assert exact.n_nodes_ >= 1 and exact.bnb_log_


def test_time_limit_covers_the_fit_and_warns_with_the_gap():
    Xs, ys = _smtl_like(1, K=4, p=120, n=100, s=5)
    model = MultiTaskL0Regressor(5, lambda_1=1e-4, lambda_z=0.3, algorithm="BnB", time_limit=1.0)
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(Xs, ys)
    elapsed = time.perf_counter() - started
    assert elapsed <= 1.1 * 1.0 + 1.0
    if model.status_ != "optimal":
        assert model.termination_ == "time_limit"
        assert any(issubclass(w.category, ConvergenceWarning) and "gap" in str(w.message)
                   for w in caught)
        assert model.lower_bound_ <= model.objective_
        assert model.gap_ == pytest.approx(
            (model.objective_ - model.lower_bound_) / model.objective_)


def test_node_limit_returns_the_incumbent_with_a_correct_gap():
    rng = np.random.default_rng(7)
    problem = _random_problem(rng, 3, 4, 2, common=False)
    problem.lz = 0.5
    B0, _ = multi_start(problem)
    B, result, mio = solve_multitask_exact(problem, B0, gap_tol=0.0, max_nodes=2)
    optimum = Enumeration(problem).optimum()
    assert result.lower_bound <= optimum + 1e-9
    assert problem.objective(B) == pytest.approx(result.objective)
    assert result.objective >= optimum - 1e-9


@pytest.mark.filterwarnings("ignore:1 pair\\(s\\) of identical columns:UserWarning")
def test_refuses_what_it_cannot_bound():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 30))
    y = rng.standard_normal((20, 2))
    with pytest.raises(ValueError, match="lambda_1 > 0"):
        MultiTaskL0Regressor(2, algorithm="BnB").fit(X, y)
    X = rng.standard_normal((40, 6))
    X[:, 5] = X[:, 4]  # duplicate columns: singular Gram matrix
    with pytest.raises(ValueError, match="lambda_1 > 0"):
        MultiTaskL0Regressor(2, algorithm="BnB").fit(X, rng.standard_normal((40, 2)))
    model = MultiTaskL0Regressor(2, lambda_1=0.1, algorithm="BnB").fit(
        X, rng.standard_normal((40, 2)))
    assert model.status_ == "optimal"
