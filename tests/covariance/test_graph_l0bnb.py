"""GraphL0BnB: closed forms, optimality conditions, enumeration, relaxation vs cvxpy, inputs."""

import itertools
import pickle
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize

import bnb
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import matthews_corrcoef
from sklearn.model_selection import GridSearchCV

from l0learn import GraphL0BnB, GraphL0BnBCV
from l0learn.covariance._solver import GraphState, lambda_0_max, primal_solve
from l0learn.covariance._kernels import (dual_bound, l0l2_objective, l0l2_step, pair_coefficients,
                                     relaxation_objective, relaxed_sweeps, update_diagonal)
from l0learn.datasets import make_graphical_model
from l0learn.metrics import edge_confusion, edge_f1, edge_mcc, relative_frobenius_error
from l0learn.covariance._exact import GraphL0Problem


# -- an independent NumPy objective (residual form, on Y = (X - mean) / sqrt(n)) --------
def data(n=60, p=5, seed=0, design="uniform"):
    X, theta = make_graphical_model(n, p, design=design, cond=5.0, seed=seed,
                                    edge_probability=0.5 if design == "uniform" else None)
    Y = (X - X.mean(0)) / np.sqrt(n)
    return X, Y, Y.T @ Y, theta


def F(Y, theta, lam0, lam2):
    R = Y @ theta
    d = np.diag(theta)
    off = theta[np.triu_indices(theta.shape[0], 1)]
    return float(np.sum(-np.log(d) + (R * R).sum(0) / d) + lam0 * np.count_nonzero(off)
                 + lam2 * off @ off)


def with_pair(theta, i, j, t):
    out = theta.copy()
    out[i, j] = out[j, i] = t
    return out


def random_theta(p, rng, density=0.5):
    theta = np.zeros((p, p))
    iu = np.triu_indices(p, 1)
    vals = rng.normal(scale=0.3, size=iu[0].size) * (rng.random(iu[0].size) < density)
    theta[iu] = vals
    theta = theta + theta.T
    np.fill_diagonal(theta, rng.uniform(0.5, 2.0, p))
    return theta


# -- objective and closed forms ----------------------------------------------------------
def test_objective_matches_residual_formula():
    rng = np.random.default_rng(0)
    _, Y, S, _ = data(p=7)
    for _ in range(5):
        theta = random_theta(7, rng)
        state = GraphState.from_theta(S, theta)
        assert np.allclose(state.H, theta @ S)
        assert l0l2_objective(state.theta, state.q, 0.1, 0.3) == pytest.approx(
            F(Y, theta, 0.1, 0.3), rel=1e-12)


def test_pair_quadratic_and_diagonal_closed_form_against_grid():
    rng = np.random.default_rng(1)
    _, Y, S, _ = data(p=6)
    theta = random_theta(6, rng)
    state = GraphState.from_theta(S, theta)
    grid = np.linspace(-3, 3, 60001)
    for i, j in [(0, 1), (2, 5), (3, 4)]:
        a, b = pair_coefficients(S, state.theta, state.H, i, j)
        # The smooth part in theta_ij is exactly a t^2 + b t + const.
        vals = np.array([F(Y, with_pair(theta, i, j, t), 0, 0) for t in (-1.0, 0.0, 0.7)])
        assert vals[0] - vals[1] == pytest.approx(a - b, rel=1e-10)
        assert vals[2] - vals[1] == pytest.approx(a * 0.49 + b * 0.7, rel=1e-10)
        # The exact l0l2-box step used by CD is the grid minimiser of F.
        lam0, lam2, big_m = 0.02, 0.1, 0.8
        t, _ = l0l2_step(a, b, lam0, lam2, big_m)
        box = grid[np.abs(grid) <= big_m]
        f_grid = (a + lam2) * box ** 2 + b * box + lam0 * (box != 0)
        assert (a + lam2) * t * t + b * t + lam0 * (t != 0) <= f_grid.min() + 1e-12
    for i in range(6):
        fresh = GraphState.from_theta(S, theta)
        update_diagonal(S, fresh.theta, fresh.H, fresh.q, i)
        xs = np.linspace(0.05, 10, 20001)
        best = xs[np.argmin([F(Y, _diag(theta, i, x), 0, 0) for x in xs])]
        assert fresh.theta[i, i] == pytest.approx(best, abs=1e-3)
        assert np.allclose(fresh.H, fresh.theta @ S)


def _diag(theta, i, x):
    out = theta.copy()
    out[i, i] = x
    return out


def test_lambda_0_max_is_the_empty_graph_threshold():
    X, _, S, _ = data(n=80, p=8, seed=3)
    top = lambda_0_max(S, 0.05)
    above = primal_solve(S, top * 1.001, 0.05, np.inf)
    below = primal_solve(S, top * 0.98, 0.05, np.inf)
    assert above.state.edges()[0].size == 0
    assert below.state.edges()[0].size >= 1


# -- optimality conditions of the heuristics ------------------------------------------------
@pytest.mark.parametrize("algorithm", ["CD", "CDPSI"])
@pytest.mark.parametrize("big_m", [np.inf, 0.3])
def test_heuristic_is_coordinatewise_optimal(algorithm, big_m):
    _, Y, S, _ = data(n=50, p=8, seed=4, design="banded")
    lam0, lam2 = 0.03, 0.05
    res = primal_solve(S, lam0, lam2, big_m, swaps=algorithm == "CDPSI", tol=1e-12)
    theta, f0 = res.state.theta, F(Y, res.state.theta, lam0, lam2)
    assert res.converged
    assert f0 == pytest.approx(res.objective, rel=1e-10)
    grid = np.linspace(-big_m if np.isfinite(big_m) else -3, big_m if np.isfinite(big_m) else 3,
                       1201)
    grid = np.r_[grid, 0.0]
    for i, j in itertools.combinations(range(8), 2):
        best = min(F(Y, with_pair(theta, i, j, t), lam0, lam2) for t in grid)
        assert best >= f0 - 1e-9, (i, j)
    for i in range(8):
        best = min(F(Y, _diag(theta, i, x), lam0, lam2) for x in np.linspace(0.1, 8, 2001))
        assert best >= f0 - 1e-9
    if algorithm == "CDPSI":
        # Swap optimality: no edge (i, j) of a row can be moved to an empty (i, k).
        for i in range(8):
            for j in np.flatnonzero(theta[i]):
                if j == i:
                    continue
                removed = with_pair(theta, i, j, 0.0)
                for k in range(8):
                    if k in (i, j) or theta[i, k] != 0:
                        continue
                    a, b = _pair_ab(S, removed, i, k)
                    t = np.clip(-b / (2 * (a + lam2)), -big_m, big_m)
                    assert F(Y, with_pair(removed, i, k, t), lam0, lam2) >= f0 - 1e-9


def _pair_ab(S, theta, i, j):
    state = GraphState.from_theta(S, theta)
    return pair_coefficients(S, state.theta, state.H, i, j)


# -- enumeration at p = 5 ---------------------------------------------------------------------
def _best_on_support(Y, pairs, lam2):
    """min over Theta with the given support of the smooth part + ridge (a convex problem)."""
    p = Y.shape[1]
    S = Y.T @ Y

    def unpack(v):
        theta = np.diag(np.exp(v[:p]))
        for (i, j), t in zip(pairs, v[p:]):
            theta[i, j] = theta[j, i] = t
        return theta

    def fun(v):
        theta = unpack(v)
        d = np.diag(theta)
        G = S @ theta
        q = np.einsum("ij,ij->j", theta, G)
        f = np.sum(-np.log(d) + q / d) + lam2 * np.sum(v[p:] ** 2)
        grad_theta = 2 * G / d[None, :]  # d/dtheta_ki of q_i / d_i (column i)
        g = np.empty_like(v)
        g[:p] = (-1 / d + grad_theta[np.arange(p), np.arange(p)] - q / d ** 2) * d
        for m, (i, j) in enumerate(pairs):
            g[p + m] = grad_theta[j, i] + grad_theta[i, j] + 2 * lam2 * v[p + m]
        return f, g

    v0 = np.r_[np.log(1 / np.diag(S)), np.zeros(len(pairs))]
    out = minimize(fun, v0, jac=True, method="L-BFGS-B", options=dict(gtol=1e-11, ftol=1e-15,
                                                                      maxiter=5000))
    return out.fun


@pytest.mark.parametrize("relaxation", ["auto", "perspective"])
@pytest.mark.parametrize("seed,lam0,lam2", [(0, 0.04, 0.05), (1, 0.02, 0.2), (2, 0.08, 0.02)])
def test_bnb_matches_enumeration_at_p5(seed, lam0, lam2, relaxation):
    X, Y, S, _ = data(n=40, p=5, seed=seed)
    pairs = list(itertools.combinations(range(5), 2))
    best = np.inf
    for mask in range(1 << len(pairs)):
        chosen = [pr for b, pr in enumerate(pairs) if mask >> b & 1]
        best = min(best, _best_on_support(Y, chosen, lam2) + lam0 * len(chosen))
    problem = GraphL0Problem(S, lam0, lam2, relaxation=relaxation)
    result = bnb.solve(problem, gap_tol=1e-7, gap_floor=1.0)
    theta = result.solution
    assert result.status.value == "optimal"
    assert result.objective == pytest.approx(best, abs=1e-6 * max(1, abs(best)))
    assert result.lower_bound <= best + 1e-7
    assert F(Y, theta, lam0, lam2) == pytest.approx(result.objective, rel=1e-9)
    # The estimator reports the same certificate.
    model = GraphL0BnB(lam0, lambda_2=lam2, algorithm="BnB", gap_tol=1e-7).fit(X)
    assert model.objective_ == pytest.approx(best, abs=1e-6 * max(1, abs(best)))
    assert model.lower_bound_ <= model.objective_ and model.status_ == "optimal"


# -- relaxation and dual bound vs cvxpy --------------------------------------------------------
def _cvxpy_relaxation(Y, kind, lam0, lam2, big_m):
    cp = pytest.importorskip("cvxpy")
    p = Y.shape[1]
    iu = list(zip(*np.triu_indices(p, 1)))
    d = cp.Variable(p)
    t = {pr: cp.Variable() for pr in iu}
    cons, pen = [], 0
    cols = []
    for i in range(p):
        entries = []
        for k in range(p):
            if k == i:
                entries.append(d[i])
            else:
                entries.append(t[(min(i, k), max(i, k))])
        cols.append(cp.hstack(entries))
    obj = 0
    for i in range(p):
        obj += cp.quad_over_lin(Y @ cols[i], d[i]) - cp.log(d[i])
    for (i, j) in iu:
        k = kind[i, j]
        if k == 0:
            cons.append(t[(i, j)] == 0)
            continue
        z = cp.Variable()
        s = cp.Variable(nonneg=True)
        cons += [z <= 1, z >= 0, cp.quad_over_lin(t[(i, j)], z) <= s]
        if np.isfinite(big_m):
            cons += [cp.abs(t[(i, j)]) <= big_m * z]
        if k == 2:
            cons.append(z == 1)
        pen += lam0 * z + lam2 * s
    prob = cp.Problem(cp.Minimize(obj + pen), cons)
    prob.solve(solver="CLARABEL")
    return prob.value


@pytest.mark.parametrize("big_m", [np.inf, 0.15])
def test_relaxation_and_dual_bound_match_cvxpy(big_m):
    _, Y, S, _ = data(n=50, p=5, seed=6)
    lam0, lam2 = 0.05, 0.1
    kind = np.ones((5, 5), dtype=np.int8)
    kind[0, 1] = kind[1, 0] = 0
    kind[2, 3] = kind[3, 2] = 2
    reference = _cvxpy_relaxation(Y, kind, lam0, lam2, big_m)
    problem = GraphL0Problem(S, lam0, lam2, big_m=None if np.isinf(big_m) else big_m,
                             rel_tol=1e-9, relaxation="perspective")
    state = GraphState.empty(S)
    primal, lower = problem.solve_relaxation(state, kind)
    assert lower <= reference + 1e-7
    assert primal >= reference - 1e-7
    assert primal == pytest.approx(reference, abs=1e-5)
    # The bound is valid at any Theta (CD stopped anywhere), not just at the optimum.
    rng = np.random.default_rng(0)
    for _ in range(20):
        theta = random_theta(5, rng)
        theta[0, 1] = theta[1, 0] = 0.0
        st = GraphState.from_theta(S, theta)
        assert dual_bound(S, st.theta, st.H, st.q, kind, lam0, lam2, big_m) <= reference + 1e-9
    # A few sweeps from the empty graph: still a valid bound.
    st = GraphState.empty(S)
    rows, cols = np.triu_indices(5, 1)
    relaxed_sweeps(S, st.theta, st.H, st.q, rows.astype(np.int64), cols.astype(np.int64), kind,
                   lam0, lam2, big_m, 1, 1e-3)
    assert dual_bound(S, st.theta, st.H, st.q, kind, lam0, lam2, big_m) <= reference + 1e-9
    assert relaxation_objective(st.theta, st.q, kind, lam0, lam2, big_m) >= reference - 1e-9


def _cvxpy_hull(Y, kind, lam0, lam2, shift, floor):
    """The hull relaxation of l0learn.covariance._hull_kernels, written out for Clarabel.

    Row i: S_ii d_i + 2 S_{i,-i} t + ||W_i' t||^2 / d_i - log d_i with W_i W_i' =
    S_{-i,-i} - diag(shift[i, -i]), plus shift_ij t^2 / (d_i - (1 - z) L_i) per pair side.
    """
    cp = pytest.importorskip("cvxpy")
    p = Y.shape[1]
    S = Y.T @ Y
    pairs = list(zip(*np.triu_indices(p, 1)))
    d = cp.Variable(p)
    t = {pr: cp.Variable() for pr in pairs}
    obj = 0
    for i in range(p):
        rest = [k for k in range(p) if k != i]
        w, V = np.linalg.eigh(S[np.ix_(rest, rest)] - np.diag(shift[i, rest]))
        assert w.min() >= -1e-12 * max(1.0, w.max())  # the shift keeps the row convex
        W = V * np.sqrt(np.maximum(w, 0.0))
        off = cp.hstack([t[(min(i, k), max(i, k))] for k in rest])
        obj += (S[i, i] * d[i] + 2 * S[i, rest] @ off + cp.quad_over_lin(W.T @ off, d[i])
                - cp.log(d[i]))
    # d <= 1e6 only keeps the conic solver stable; it never binds here.
    cons = [d >= floor, d <= 1e6]
    for (i, j) in pairs:
        if kind[i, j] == 0:
            cons.append(t[(i, j)] == 0)
            continue
        z, s = cp.Variable(), cp.Variable(nonneg=True)
        cons += [z >= 0, z <= 1, cp.quad_over_lin(t[(i, j)], z) <= s]
        if kind[i, j] == 2:
            cons.append(z == 1)
        obj += lam0 * z + lam2 * s
        for a, b in ((i, j), (j, i)):
            u = cp.Variable()
            cons += [u <= d[a] - (1 - z) * floor[a], u <= 1e6 * z]
            obj += shift[a, b] * cp.quad_over_lin(t[(i, j)], u)
    prob = cp.Problem(cp.Minimize(obj), cons)
    prob.solve(solver="CLARABEL")
    return prob.value


def _shifted(problem, theta):
    """A hull-relaxation state of ``theta`` on ``problem``'s shifted rows."""
    from l0learn.covariance._hull_kernels import shift_state
    st = GraphState.from_theta(problem.S, theta)
    rows, cols = np.nonzero(np.triu(theta, 1))
    shift_state(problem.shift, st.theta, st.H, st.q, rows.astype(np.int64),
                cols.astype(np.int64))
    return st


@pytest.mark.parametrize("targeted", [False, True])
@pytest.mark.parametrize("lam2", [0.05, 0.3])
def test_hull_relaxation_matches_cvxpy_and_beats_perspective(lam2, targeted):
    _, Y, S, _ = data(n=80, p=6, seed=5)
    lam0 = 0.04
    kind = np.ones((6, 6), dtype=np.int8)
    kind[0, 1] = kind[1, 0] = 0
    kind[2, 3] = kind[3, 2] = 2
    problem = GraphL0Problem(S, lam0, lam2, relaxation="hull", rel_tol=1e-9)
    if targeted:  # more shift on the edges of a solution (CDPSI's here)
        start = primal_solve(S, lam0, lam2, np.inf)
        problem.shift = problem.target_shift(start.state.theta)
        assert problem.shift.max() > 2 * problem.delta
    node = bnb.node.Node(fixed_zero=np.array([problem.pair_index[0, 1]]),
                         fixed_one=np.array([problem.pair_index[2, 3]]))
    assert np.array_equal(problem.node_kinds(node), kind)
    state, Z = problem.start_state(node, kind)
    primal, lower = problem.solve_hull(state, Z, kind)
    reference = _cvxpy_hull(Y, kind, lam0, lam2, problem.shift, problem.diag_floor)
    assert lower <= reference + 1e-6
    assert primal == pytest.approx(reference, abs=2e-5)
    assert np.all(np.diag(state.theta) >= problem.diag_floor - 1e-12)
    # The state's H and q are those of the shifted rows.
    ref = _shifted(problem, state.theta)
    assert np.allclose(state.H, ref.H, atol=1e-12) and np.allclose(state.q, ref.q, atol=1e-12)
    dense = state.theta @ S - state.theta * problem.shift
    assert np.allclose(state.H, dense, atol=1e-12)
    # Valid at arbitrary points too (any Theta with theta_ii >= 1 / S_ii, any feasible Z).
    from l0learn.covariance._hull_kernels import hull_dual_bound
    rng = np.random.default_rng(1)
    for _ in range(20):
        theta = random_theta(6, rng)
        theta[0, 1] = theta[1, 0] = 0.0
        np.fill_diagonal(theta, problem.diag_floor * rng.uniform(1.0, 2.0, 6))
        Zr = np.clip(rng.uniform(0.05, 1, (6, 6)), 0, 1)
        Zr = np.triu(Zr, 1) + np.triu(Zr, 1).T
        Zr[kind == 2] = 1.0
        st = _shifted(problem, theta)
        assert hull_dual_bound(problem.S, problem.shift, st.theta, st.H, st.q, Zr, kind,
                               problem.diag_floor, lam0, lam2, np.inf) <= reference + 1e-9
    # Stronger than the perspective relaxation at the same node.
    plain = GraphL0Problem(S, lam0, lam2, relaxation="perspective", rel_tol=1e-9)
    assert lower >= plain.solve_relaxation(plain.start_state(node, kind)[0], kind)[1] - 1e-9


def test_targeted_shift_keeps_every_row_convex_and_is_stronger():
    rng = np.random.default_rng(11)
    for _ in range(40):
        p = int(rng.integers(4, 12))
        _, Y, S, _ = data(n=int(rng.integers(p + 5, 4 * p)), p=p, seed=int(rng.integers(1e6)),
                          design=str(rng.choice(["uniform", "banded"])))
        problem = GraphL0Problem(S, 0.04, 0.1, relaxation="hull")
        lam_min = np.linalg.eigvalsh(S)[0]
        assert problem.delta == pytest.approx(lam_min, rel=2e-6) and problem.delta < lam_min
        theta = random_theta(p, rng, density=float(rng.uniform(0.2, 1.0)))
        shift = problem.target_shift(theta)
        for i in range(p):
            rest = np.r_[0:i, i + 1:p]
            block = S[np.ix_(rest, rest)] - np.diag(shift[i, rest])
            assert np.linalg.eigvalsh(block)[0] >= -1e-12 * np.abs(S).max()
            edges = rest[theta[i, rest] != 0]
            others = np.setdiff1d(rest, edges)
            assert np.allclose(shift[i, others], 0.75 * lam_min, rtol=1e-12)
            if 0 < edges.size <= 8:
                assert np.all(shift[i, edges] > lam_min)


def test_root_keeps_the_stronger_of_the_uniform_and_targeted_shifts():
    rng = np.random.default_rng(5)
    for _ in range(10):
        p = int(rng.integers(6, 16))
        _, Y, S, _ = data(n=4 * p, p=p, seed=int(rng.integers(1e6)), design="banded")
        start = primal_solve(S, 0.04, 0.1, np.inf).state.theta
        bounds = []
        for targeted in (False, True):
            problem = GraphL0Problem(S, 0.04, 0.1, relaxation="hull")
            state = GraphState.from_theta(problem.S, start)
            problem.offer(problem.objective(state), state.theta)
            problem.targeted = targeted  # True: the uniform shift only
            bounds.append(problem.relax(bnb.Node()).lower_bound)
            assert problem.targeted
        assert bounds[0] >= bounds[1] - 1e-9 * max(1.0, abs(bounds[1]))


@pytest.mark.parametrize("seed", range(4))
def test_targeted_hull_node_bounds_never_exceed_enumeration(seed):
    """Node bounds of the targeted hull relaxation at random nodes of random p = 4
    instances against the best solution consistent with each node (enumeration)."""
    rng = np.random.default_rng(100 + seed)
    pairs = list(itertools.combinations(range(4), 2))
    for _ in range(40):
        design = str(rng.choice(["uniform", "banded"]))
        _, Y, S, _ = data(n=int(rng.integers(8, 60)), p=4, seed=int(rng.integers(1e6)),
                          design=design)
        lam0 = float(rng.choice([0.01, 0.04, 0.2]))
        lam2 = float(rng.choice([1e-3, 0.03, 0.3, 3.0]))
        values = {}
        for mask in range(1 << len(pairs)):
            chosen = [pr for b, pr in enumerate(pairs) if mask >> b & 1]
            values[mask] = _best_on_support(Y, chosen, lam2) + lam0 * len(chosen)
        problem = GraphL0Problem(S, lam0, lam2, relaxation="hull", rel_tol=1e-9)
        if not problem.hull:
            continue
        # the edges of a good solution (where the targeted shift lifts the bound most)
        problem.shift = problem.target_shift(primal_solve(S, lam0, lam2, np.inf).state.theta)
        problem.targeted = True
        order = rng.permutation(len(pairs))
        n0, n1 = rng.integers(0, 3, size=2)
        zero, one = np.sort(order[:n0]), np.sort(order[n0:n0 + n1])
        best = min(v for mask, v in values.items()
                   if not any(mask >> b & 1 for b in zero) and all(mask >> b & 1 for b in one))
        node = bnb.Node(zero.astype(np.int64), one.astype(np.int64))
        bound = problem.relax(node).lower_bound
        assert bound <= best + 1e-7 * max(1.0, abs(best)), (design, lam0, lam2, bound, best)


def test_certified_box_keeps_better_solutions():
    X, Y, S, theta_true = data(n=200, p=12, seed=2, design="banded")
    lam0, lam2 = 0.04, 1.0
    problem = GraphL0Problem(S, lam0, lam2, relaxation="perspective")
    start = primal_solve(S, lam0, lam2, np.inf)
    problem.offer(start.objective, start.state.theta)
    state = GraphState.empty(S)
    kind = np.ones((12, 12), dtype=np.int8)
    _, lower = problem.solve_relaxation(state, kind)
    m = problem.box_bound(state, lower)
    assert m >= np.abs(start.state.theta - np.diag(np.diag(start.state.theta))).max()
    # Entries beyond m cost more than the incumbent: check on a pair pushed past it.
    theta = start.state.theta.copy()
    i, j = start.state.edges()[0][0], start.state.edges()[1][0]
    for t in (1.01 * m, -1.01 * m):
        assert F(Y, with_pair(theta, i, j, t), lam0, lam2) > start.objective


# -- the estimator ------------------------------------------------------------------------------
def test_reference_instances_p200():
    for design, ref_obj in (("uniform", 39.0075), ("banded", 118.7616)):
        X, theta = make_graphical_model(400, 200, design=design, seed=0)
        model = GraphL0BnB(0.04, lambda_2=0.01, big_m=float(np.abs(theta).max())).fit(X)
        assert model.objective_ <= ref_obj * (1 + 1e-6)
        assert edge_mcc(theta, model.precision_) >= 0.84
        assert relative_frobenius_error(theta, model.precision_) <= 0.19
        assert model.converged_


def test_generator_designs():
    for design, edges in (("banded", 594), ("uniform", 290)):
        X, theta = make_graphical_model(400, 200, design=design, seed=0)
        assert X.shape == (400, 200)
        assert np.count_nonzero(np.triu(theta, 1)) == edges
        assert np.linalg.cond(theta) == pytest.approx(10.0, rel=1e-10)
        assert np.diag(np.linalg.inv(theta)).max() == pytest.approx(1.0, rel=1e-10)
    _, theta = make_graphical_model(100, 30, design="ar1", rho=0.6)
    assert np.count_nonzero(np.triu(theta, 1)) == 29
    assert np.allclose(np.diag(np.linalg.inv(theta)), 1.0)
    _, theta = make_graphical_model(100, 40, design="hub")
    assert np.count_nonzero(np.triu(theta, 1)) == 38
    with pytest.raises(ValueError, match="design"):
        make_graphical_model(10, 5, design="star")


def test_metrics_against_sklearn():
    rng = np.random.default_rng(0)
    a, b = random_theta(10, rng, 0.3), random_theta(10, rng, 0.3)
    iu = np.triu_indices(10, 1)
    assert edge_mcc(a, b) == pytest.approx(matthews_corrcoef(np.abs(a[iu]) > 1e-3,
                                                             np.abs(b[iu]) > 1e-3))
    assert edge_mcc(a, a) == 1.0 and edge_f1(a, a) == 1.0
    assert sum(edge_confusion(a, b)) == 45
    assert relative_frobenius_error(a, a) == 0.0


def test_fitted_attributes_and_score():
    X, theta = make_graphical_model(300, 15, design="banded", seed=1)
    model = GraphL0BnB(0.05).fit(X)
    P = model.precision_
    assert np.allclose(P, P.T) and np.all(np.diag(P) > 0)
    assert model.n_edges_ == model.edges_.shape[0] == np.count_nonzero(np.triu(P, 1))
    assert np.array_equal(model.adjacency_, (P != 0) & ~np.eye(15, dtype=bool))
    assert np.allclose(model.location_, X.mean(0))
    d = np.sqrt(np.diag(P))
    assert np.allclose(model.partial_correlations_[0, 1], -P[0, 1] / (d[0] * d[1]))
    Xc = X - model.location_
    R = Xc @ P
    manual = np.mean(np.sum(0.5 * np.log(np.diag(P)) - 0.5 * np.log(2 * np.pi)
                            - R ** 2 / (2 * np.diag(P)), axis=1))
    assert model.score(X) == pytest.approx(manual)
    # The objective is twice the negative mean pseudo-log-likelihood plus penalties.
    off = P[np.triu_indices(15, 1)]
    pen = 0.05 * np.count_nonzero(off) + 0.01 * off @ off
    const = 15 * np.log(2 * np.pi)
    assert model.objective_ == pytest.approx(-2 * model.score(X) - const + pen, rel=1e-9)
    assert pickle.loads(pickle.dumps(model)).score(X) == model.score(X)


def test_cv_and_gridsearch():
    X, theta = make_graphical_model(300, 30, design="uniform", seed=2, edge_probability=0.1)
    cv = GraphL0BnBCV(n_lambda=8, cv=3, sample_size_correction=False).fit(X)
    assert cv.lambda_0_ in cv.lambda_0s_
    best = np.argmax(cv.cv_results_["mean_test_score"])
    assert cv.lambda_0_ == cv.lambda_0s_[best] and cv.best_index_ == best
    assert cv.path_n_edges_.size == best + 1
    refit = GraphL0BnB(cv.lambda_0_).fit(X)
    assert refit.objective_ <= cv.objective_ + 1e-6 * abs(cv.objective_) or np.isclose(
        refit.objective_, cv.objective_, rtol=1e-3)
    search = GridSearchCV(GraphL0BnB(), {"lambda_0": list(cv.lambda_0s_)}, cv=3).fit(X)
    assert search.best_params_["lambda_0"] in cv.lambda_0s_
    assert edge_mcc(theta, cv.precision_) > 0.5


def test_cv_refits_at_the_full_sample_size():
    # Three folds train on 2/3 of the rows: the refit's edge price is the folds' best
    # times 2/3, so the refit is at least as dense as at the grid value.
    X, _ = make_graphical_model(300, 30, design="uniform", seed=2, edge_probability=0.1)
    plain = GraphL0BnBCV(n_lambda=8, cv=3, sample_size_correction=False).fit(X)
    cv = GraphL0BnBCV(n_lambda=8, cv=3).fit(X)
    assert cv.best_index_ == plain.best_index_
    assert cv.lambda_0_ == pytest.approx(plain.lambda_0_ * 200 / 300, rel=1e-12)
    assert cv.n_edges_ >= plain.n_edges_
    assert cv.path_n_edges_.size == np.count_nonzero(cv.lambda_0s_ > cv.lambda_0_) + 1
    direct = GraphL0BnB(cv.lambda_0_).fit(X)
    assert cv.objective_ == pytest.approx(direct.objective_, rel=1e-3)
    with pytest.raises(ValueError, match="sample_size_correction must be True or False"):
        GraphL0BnBCV(sample_size_correction="yes").fit(X)


def test_cv_folds_stop_their_paths_once_the_score_has_fallen():
    X, _ = make_graphical_model(30, 60, design="banded", seed=3)
    full = GraphL0BnBCV(n_lambda=10, cv=3, patience=None).fit(X)
    early = GraphL0BnBCV(n_lambda=10, cv=3, patience=2).fit(X)
    for k in range(3):
        scores = full.cv_results_[f"split{k}_test_score"]
        # Where the fold stops: the first point after two consecutive ones below its best.
        below, stop = 0, scores.size
        for m in range(scores.size):
            below = below + 1 if scores[m] < scores[:m + 1].max() else 0
            if below >= 2:
                stop = m + 1
                break
        kept = early.cv_results_[f"split{k}_test_score"]
        assert np.array_equal(kept[:stop], scores[:stop])
        assert np.all(np.isnan(kept[stop:]))
    assert np.isfinite(full.cv_results_["mean_test_score"]).all()
    mean = early.cv_results_["mean_test_score"]
    assert np.isnan(mean).sum() >= 5  # n < p: the score falls from the sparsest point on
    assert early.best_index_ == np.nanargmax(mean) == full.best_index_
    assert np.isnan(early.cv_results_["mean_n_edges"][np.isnan(mean)]).all()
    with pytest.raises(ValueError, match="patience must be a positive integer or None"):
        GraphL0BnBCV(patience=0).fit(X)


def test_bnb_estimator_certifies_and_honours_limits():
    X, theta = make_graphical_model(400, 20, design="banded", seed=0)
    model = GraphL0BnB(0.04, lambda_2=1.0, algorithm="BnB", gap_tol=1e-3).fit(X)
    assert model.status_ == "optimal" and model.gap_ <= 1e-3
    assert model.lower_bound_ <= model.objective_
    heuristic = GraphL0BnB(0.04, lambda_2=1.0).fit(X)
    assert model.objective_ <= heuristic.objective_ + 1e-9
    with pytest.warns(ConvergenceWarning, match=r"stopped \(node_limit\) with a relative gap"):
        limited = GraphL0BnB(0.05, lambda_2=0.05, algorithm="BnB", max_nodes=3).fit(X)
    assert limited.status_ == "feasible" and limited.n_nodes_ <= 3
    assert limited.lower_bound_ <= limited.objective_ and np.isfinite(limited.objective_)
    # Only the time limit can stop this search early: "feasible" means it was honoured.
    with pytest.warns(ConvergenceWarning, match="time_limit"):
        timed = GraphL0BnB(0.05, lambda_2=0.05, algorithm="BnB", time_limit=0.3).fit(X)
    assert timed.status_ == "feasible" and timed.lower_bound_ <= timed.objective_


def test_time_limit_bounds_the_whole_fit():
    # p >> n: the CDPSI warm start alone takes longer than the limit.
    import time
    X, _ = make_graphical_model(20, 400, design="banded", cond=10, seed=0)
    with warnings.catch_warnings():  # compile (or load) the kernels outside the timing
        warnings.simplefilter("ignore")
        GraphL0BnB(0.04, lambda_2=0.1, algorithm="BnB", time_limit=0.5).fit(X[:, :100])
    t0 = time.perf_counter()
    with pytest.warns(ConvergenceWarning, match="time_limit"):
        m = GraphL0BnB(0.04, lambda_2=0.1, algorithm="BnB", time_limit=0.5).fit(X)
    assert time.perf_counter() - t0 <= 1.1 * 0.5 + 1.0
    assert m.status_ == "feasible" and not m.converged_


# -- inputs ---------------------------------------------------------------------------------------
def test_p_greater_than_n_and_singular_inputs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 30))
    model = GraphL0BnB(0.05, lambda_2=0.1).fit(X)
    assert np.all(np.isfinite(model.precision_)) and np.all(np.diag(model.precision_) > 0)
    with pytest.raises(ValueError, match="singular"):
        GraphL0BnB(0.05, lambda_2=0.0).fit(X)
    GraphL0BnB(0.05, lambda_2=0.0, big_m=1.0).fit(X)  # a box makes it bounded
    with pytest.raises(ValueError, match="lambda_2 > 0 or a finite big_m"):
        GraphL0BnB(0.05, lambda_2=0.0, algorithm="BnB").fit(X)
    ill = rng.normal(size=(100, 6))
    ill[:, 5] = ill[:, 4] + 1e-7 * rng.normal(size=100)
    with pytest.warns(UserWarning, match="perfectly correlated"):
        model = GraphL0BnB(0.05, lambda_2=0.1).fit(ill)
    assert np.all(np.isfinite(model.precision_))


def test_bad_inputs_give_clear_errors():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 4))
    const = X.copy()
    const[:, 2] = 3.0
    with pytest.raises(ValueError, match=r"constant columns \[2\]"):
        GraphL0BnB().fit(const)
    dup = np.c_[X, X[:, 0]]
    with pytest.warns(UserWarning, match="perfectly correlated"):
        GraphL0BnB().fit(dup)
    nan = X.copy()
    nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GraphL0BnB().fit(nan)
    with pytest.raises(ValueError):
        GraphL0BnB().fit(X[:1])
    for bad in (dict(lambda_0=-1), dict(lambda_2=np.nan), dict(big_m=0.0),
                dict(algorithm="L0"), dict(max_iter=0), dict(max_nodes=0)):
        with pytest.raises(ValueError):
            GraphL0BnB(**bad).fit(X)
    with pytest.raises(ValueError, match="lambda_0s"):
        GraphL0BnBCV(lambda_0s=[]).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GraphL0BnB().fit(X)


# -- the reported bound is the better of the node's valid bounds ------------------------------
def _issue_instance(seed):
    X, _ = make_graphical_model(150, 5, design="uniform", cond=2.0, seed=seed,
                                edge_probability=0.6)
    Xc = X - X.mean(0)
    return X, Xc.T @ Xc / X.shape[0]


def test_hull_node_bound_is_never_weaker_than_the_perspective_one():
    rng = np.random.default_rng(7)
    for _ in range(40):
        seed = int(rng.integers(1_000_000))
        _, S = _issue_instance(seed)
        hull = GraphL0Problem(S, 0.2, 0.1, relaxation="auto")
        persp = GraphL0Problem(S, 0.2, 0.1, relaxation="perspective")
        assert hull.hull
        order = rng.permutation(10)
        n0, n1 = rng.integers(0, 3, size=2)
        node = bnb.Node(np.sort(order[:n0]).astype(np.int64),
                        np.sort(order[n0:n0 + n1]).astype(np.int64))
        a, b = hull.relax(node).lower_bound, persp.relax(node).lower_bound
        assert a >= b - 1e-6 * max(1.0, abs(b)), (seed, a, b)


def test_small_graphs_are_proven_optimal():
    # Block CD on the hull terms stalls on these; the node must fall back on the
    # perspective bound and branch on integral-but-unproven relaxations.
    X, _ = _issue_instance(726732)
    m = GraphL0BnB(0.2, lambda_2=0.1, algorithm="BnB", gap_tol=1e-4).fit(X)
    assert m.status_ == "optimal" and m.gap_ <= 1e-4
    rng = np.random.default_rng(3)
    for _ in range(60):
        X, _ = _issue_instance(int(rng.integers(1_000_000)))
        m = GraphL0BnB(0.2, lambda_2=0.1, algorithm="BnB", gap_tol=1e-4).fit(X)
        assert m.status_ == "optimal" and m.gap_ <= 1e-4


@pytest.mark.parametrize("scale", [1e-150, 1e-100, 1e100, 1e150])
def test_extreme_scales_give_a_clear_error(scale):
    X, _ = make_graphical_model(100, 8, design="banded", cond=10, seed=0)
    for est in (GraphL0BnB(0.04, lambda_2=0.1), GraphL0BnB(0.04, lambda_2=0.1, algorithm="BnB"),
                GraphL0BnBCV(lambda_2=0.1, n_lambda=5)):
        with pytest.raises(ValueError, match="variance .* outside"):
            est.fit(X * scale)


def test_large_scale_bnb_stays_a_valid_certificate():
    # Tiny precision entries: the relaxation is weak, but the search must end cleanly
    # (a fully fixed node with an open bound is closed, not branched) with a valid bound.
    X, _ = make_graphical_model(100, 8, design="banded", cond=10, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = GraphL0BnB(0.04, lambda_2=0.1, algorithm="BnB", time_limit=5).fit(X * 1e10)
    assert np.all(np.isfinite(m.precision_)) and m.lower_bound_ <= m.objective_


def test_generator_without_edges_gives_the_identity():
    X, theta = make_graphical_model(4, 5, design="uniform", cond=2.0, seed=755523,
                                    edge_probability=0.3)
    assert np.array_equal(theta, np.eye(5)) and X.shape == (4, 5)


@pytest.mark.parametrize("swaps", [False, True])
def test_residual_form_at_p_much_greater_than_n_is_the_same_descent(swaps, monkeypatch):
    """With far fewer samples than features CD runs on X Theta: the same steps as the
    covariance form, hence the same solution, and it ends coordinate-wise optimal."""
    import l0learn.covariance._solver as solver

    rng = np.random.default_rng(5)
    n, p = 12, 60
    X = rng.standard_normal((n, p))
    X[:, 1] += 0.8 * X[:, 0]
    Xc = X - X.mean(0)
    S = Xc.T @ Xc / n
    lam0, lam2 = 0.05, 0.1
    monkeypatch.setattr(solver, "_RESIDUAL_RATIO", 4)  # 4 n < p: residual form
    res = primal_solve(S, lam0, lam2, np.inf, swaps=swaps, tol=1e-12, X=Xc)
    monkeypatch.setattr(solver, "_RESIDUAL_RATIO", 10 ** 9)  # never
    ref = primal_solve(S, lam0, lam2, np.inf, swaps=swaps, tol=1e-12, X=Xc)
    assert res.converged and ref.converged
    assert res.state.edges()[0].size > 10
    assert res.objective == pytest.approx(ref.objective, rel=1e-9)
    np.testing.assert_allclose(res.state.theta, ref.state.theta, atol=1e-7)
    # the maintained H and q match the state
    np.testing.assert_allclose(res.state.H, res.state.theta @ S, atol=1e-10)
    Y = Xc / np.sqrt(n)
    assert res.objective == pytest.approx(F(Y, res.state.theta, lam0, lam2), rel=1e-10)
    # no zero pair can lower F alone (the capped working set still ends screened)
    theta = res.state.theta
    for i, j in itertools.combinations(range(p), 2):
        if theta[i, j] == 0.0:
            a, b = pair_coefficients(S, theta, res.state.H, i, j)
            assert l0l2_step(a, b, lam0, lam2, np.inf)[1] >= -1e-9 * abs(res.objective)
