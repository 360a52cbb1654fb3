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


def _cvxpy_relaxation(mio, state, zbar):
    """A node relaxation solved by cvxpy: perspective + cardinality, with the Zbar term as
    its secant on the node's count range (``zbar="secant"``) or as ``lamz/(2K)`` times the
    pairwise distances ``sum_{k<l} |z_kj - z_lj|`` (``"pairwise"``: equal to the term on
    binaries and convex, its convex envelope on the box)."""
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
    sigma, constant = _secants(mio, state)
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
        if zbar == "secant":
            linear = cp.sum(cp.multiply(np.broadcast_to(sigma, (K, p)), z))
        else:
            linear = mio.lamz / (2 * K) * sum(cp.sum(cp.abs(z[k] - z[l]))
                                              for k in range(K) for l in range(k + 1, K))
            constant = 0.0
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
        secant = _cvxpy_relaxation(mio, state, "secant")
        pairwise = _cvxpy_relaxation(mio, state, "pairwise")
        scale = max(1.0, abs(pairwise))
        assert secant <= pairwise + 1e-6 * scale  # the secant is the weaker relaxation
        # both bounds are valid for the pairwise relaxation, and together tight
        assert sol["secant"] <= pairwise + 1e-6 * scale
        assert sol["strong"] <= pairwise + 1e-6 * scale
        assert sol["lower"] == max(sol["secant"], sol["strong"])
        assert sol["lower"] >= secant - 1e-4 * scale  # the secant relaxation is solved


def _secants(mio, state):
    """Per feature: the secant of the Zbar term on the node's count range (slope, constant)."""
    K, lamz = mio.K, mio.lamz
    if mio.common:
        return np.zeros(mio.p), 0.0
    lo = (state == 1).sum(axis=0)
    hi = K - (state == -1).sum(axis=0)
    f_lo = 0.5 * lamz * lo * (K - lo) / K
    sigma = np.where(hi > lo, 0.5 * lamz * (K - lo - hi) / K, 0.0)
    return sigma, float(np.sum(f_lo - sigma * lo))


def test_zbar_minorant_is_below_the_term_and_tight_at_its_point():
    rng = np.random.default_rng(3)
    for _ in range(300):
        K = int(rng.integers(2, 7))
        lamz = 10 ** rng.uniform(-2, 1)
        p = 3
        problem = MultiTaskProblem(_instance(rng, K, p, n=6), 1, 0.1, 0.0, lamz, False)
        mio = MultiTaskBnBProblem(problem)
        state = rng.choice(np.array([-1, 0, 0, 1], dtype=np.int8), size=(K, p))
        z = np.where(state == 1, 1.0, np.where(state == -1, 0.0,
                                                np.round(rng.random((K, p)), rng.integers(0, 3))))
        sigma, constant = mio.zbar_minorant(state, z)
        assert np.all(sigma[state != 0] == 0.0)

        def term(zz):
            c = zz.sum(axis=0)
            return float(np.sum(0.5 * lamz * c * (K - c) / K))

        free = np.argwhere(state == 0)
        for _ in range(20):  # every binary point of the node's box lies above the minorant
            zz = (state == 1).astype(float)
            pick = free[rng.random(len(free)) < 0.5]
            zz[tuple(pick.T)] = 1.0
            assert constant + np.sum(sigma * zz) <= term(zz) + 1e-12
        # tight at z (the Lovasz extension: pairwise distances), and the secant at equal z
        pairwise = sum(np.abs(z[a] - z[b]).sum() for a in range(K) for b in range(a + 1, K))
        assert constant + np.sum(sigma * z) == pytest.approx(0.5 * lamz / K * pairwise, abs=1e-12)
        flat = np.where(state == 0, 0.3, z)
        sigma_eq, const_eq = mio.zbar_minorant(state, flat)
        secant, secant_const = _secants(mio, state)
        assert const_eq + np.sum(sigma_eq * flat) == pytest.approx(
            secant_const + np.sum(np.broadcast_to(secant, (K, p)) * flat), abs=1e-12)


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


@pytest.mark.parametrize("seed", range(4))
def test_reduced_cost_fixings_never_remove_a_better_solution(seed):
    """With the incumbent at the optimum, every binary fixed at the root provably has no
    better solution on its other side (checked by enumeration)."""
    rng = np.random.default_rng(200 + seed)
    n_fixed = 0
    for _ in range(15):
        K = int(rng.integers(2, 4))
        p = 6 if K == 2 else 4
        problem = _random_problem(rng, K, p, 2)
        enumeration = Enumeration(problem)
        optimum = enumeration.optimum()
        mio = MultiTaskBnBProblem(problem)
        mio.upper = optimum * (1 + 1e-7) + 1e-12
        shape = p if problem.common else (K, p)
        state = np.zeros(shape, dtype=np.int8)
        sol = mio.solve_node(state, None)
        to_zero, to_one = mio.fixings(state, sol)
        for v in to_zero:
            assert enumeration.optimum(fixed_one=[v]) >= optimum - 1e-9 * max(1, abs(optimum))
        for v in to_one:
            assert enumeration.optimum(fixed_zero=[v]) >= optimum - 1e-9 * max(1, abs(optimum))
        n_fixed += to_zero.size + to_one.size
    assert n_fixed > 0  # the test exercises fixings
