"""Certificates and brute-force oracles, written independently of the solvers.

Everything here uses plain NumPy on the normalised problem (weighted-centred,
unit-norm columns; response centred and scaled to unit norm) so tests can
check a solver's answer without trusting any of its code.
"""

from itertools import combinations

import numpy as np
import scipy.sparse as sp


def normalise(X, y, sample_weight=None, fit_intercept=True):
    """Return ``(Xn, yn, col_norm, y_scale)``: the normalised problem, densified."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if fit_intercept:
        X = X - (w @ X) / w.sum()
        y = y - (w @ y) / w.sum()
    col_norm = np.sqrt(w @ (X * X))
    y_scale = np.sqrt(w @ (y * y))
    sw = np.sqrt(w)
    Xn = sw[:, None] * X / np.where(col_norm > 0, col_norm, 1.0)
    return Xn, sw * y / y_scale, col_norm, y_scale


def to_normalised_coef(coef, col_norm, y_scale):
    return np.asarray(coef) * col_norm / y_scale


def objective(Xn, yn, b, lambda_0, lambda_1=0.0, lambda_2=0.0, n_excluded=0):
    r = yn - Xn @ b
    return (0.5 * r @ r + lambda_0 * np.count_nonzero(b[n_excluded:])
            + lambda_1 * np.abs(b).sum() + lambda_2 * b @ b)


def ridge_on_support(Xn, yn, support, lambda_2=0.0):
    """Minimiser of ``0.5||yn - Xn_S b||^2 + lambda_2 ||b||^2`` on the support ``S``."""
    b = np.zeros(Xn.shape[1])
    if len(support):
        A = Xn[:, support]
        b[list(support)] = np.linalg.solve(A.T @ A + 2 * lambda_2 * np.eye(len(support)),
                                           A.T @ yn)
    return b


def best_subset(Xn, yn, lambda_0, lambda_2=0.0, k=None):
    """Enumerate every support: the global minimiser of the L0(L2) objective.

    With ``k`` given, the minimum of ``0.5||r||^2 + lambda_2||b||^2`` over supports of
    size at most ``k`` (lambda_0 ignored).  Returns ``(objective, b)``.
    """
    p = Xn.shape[1]
    best = (np.inf, None)
    sizes = range(p + 1) if k is None else range(k + 1)
    for size in sizes:
        for S in combinations(range(p), size):
            b = ridge_on_support(Xn, yn, S, lambda_2)
            f = objective(Xn, yn, b, 0.0 if k is not None else lambda_0, 0.0, lambda_2)
            if f < best[0]:
                best = (f, b)
    return best


def _single_coordinate(c, lambda_1, lambda_2, lo, hi):
    """Best value of one coordinate and the objective decrease it buys (vs 0)."""
    lip = 1 + 2 * lambda_2
    v = np.sign(c) * max(abs(c) - lambda_1, 0.0) / lip
    t = min(max(v, lo), hi)
    return t, 0.5 * lip * (v * v - (t - v) ** 2)


def coordinatewise_violation(Xn, yn, b, lambda_0, lambda_1=0.0, lambda_2=0.0, lo=None, hi=None,
                             n_excluded=0, max_support=None):
    """Largest objective decrease from re-optimising one coordinate alone.

    Zero at a coordinate-wise (CW) minimum.  Coordinates are re-optimised
    exactly (including the choice zero / nonzero); with ``max_support`` a zero
    coordinate may not enter once the support is full.
    """
    p = Xn.shape[1]
    lo = np.full(p, -np.inf) if lo is None else lo
    hi = np.full(p, np.inf) if hi is None else hi
    f0 = objective(Xn, yn, b, lambda_0, lambda_1, lambda_2, n_excluded)
    full = max_support is not None and np.count_nonzero(b) >= max_support
    worst = 0.0
    for j in range(p):
        if b[j] == 0 and full:
            continue
        bj = b.copy()
        bj[j] = 0.0
        c = Xn[:, j] @ (yn - Xn @ bj)
        t, gain = _single_coordinate(c, lambda_1, lambda_2, lo[j], hi[j])
        price = lambda_0 if j >= n_excluded else 0.0
        bj[j] = t if gain > price else 0.0
        worst = max(worst, f0 - objective(Xn, yn, bj, lambda_0, lambda_1, lambda_2, n_excluded))
    return worst


def swap_violation(Xn, yn, b, lambda_0, lambda_1=0.0, lambda_2=0.0, lo=None, hi=None,
                   n_excluded=0):
    """Largest objective decrease from one swap: ``i`` out, ``j`` in at its best value.

    Zero when the solution is swap-optimal (checked over every pair; for small p).
    """
    p = Xn.shape[1]
    lo = np.full(p, -np.inf) if lo is None else lo
    hi = np.full(p, np.inf) if hi is None else hi
    f0 = objective(Xn, yn, b, lambda_0, lambda_1, lambda_2, n_excluded)
    support = [i for i in np.flatnonzero(b) if i >= n_excluded]
    worst = 0.0
    for i in support:
        bi = b.copy()
        bi[i] = 0.0
        r = yn - Xn @ bi
        for j in range(n_excluded, p):
            if b[j] != 0 or j == i:
                continue
            t, _ = _single_coordinate(Xn[:, j] @ r, lambda_1, lambda_2, lo[j], hi[j])
            if t == 0.0:
                continue
            bij = bi.copy()
            bij[j] = t
            worst = max(worst, f0 - objective(Xn, yn, bij, lambda_0, lambda_1, lambda_2,
                                              n_excluded))
    return worst


def refit_move_violation(Xn, yn, b, lambda_0, lambda_2=0.0, max_support=None):
    """Largest objective decrease from adding or dropping one variable and refitting.

    For the L0 and L0L2 objectives (no L1, no bounds) the current support must be
    at least as good as every support that differs by one variable, each refitted
    exactly (ridge on the support).
    """
    p = Xn.shape[1]
    support = list(np.flatnonzero(b))
    f0 = objective(Xn, yn, b, lambda_0, 0.0, lambda_2)
    worst = 0.0
    neighbours = [[i for i in support if i != d] for d in support]
    if max_support is None or len(support) < max_support:
        neighbours += [support + [j] for j in range(p) if j not in support]
    for S in neighbours:
        bs = ridge_on_support(Xn, yn, sorted(S), lambda_2)
        worst = max(worst, f0 - objective(Xn, yn, bs, lambda_0, 0.0, lambda_2))
    return worst


def cvxpy_l0l2_relaxation(Xn, yn, fixed_zero, fixed_one, lam0, lam2, big_m, shift=False):
    """The L0L2 node relaxation (perspective, box ``big_m``) written out for Clarabel.

    ``lam2`` and ``big_m`` are scalars or one value per coordinate.

    With ``shift`` the loss gives ``delta / 2 ||b_free||^2`` (``delta`` the smallest
    eigenvalue of the Gram block of the columns not fixed to zero) to the ridge of the
    free coordinates, inside their perspective term.
    """
    import cvxpy as cp

    p = Xn.shape[1]
    b, s, z = cp.Variable(p), cp.Variable(p), cp.Variable(p)
    box = np.broadcast_to(np.asarray(big_m, float), (p,))  # one box per coordinate
    cons = [z >= 0, z <= 1, cp.abs(b) <= cp.multiply(box, z), s >= 0]
    cons += [cp.quad_over_lin(b[j], z[j]) <= s[j] for j in range(p)]
    if len(fixed_zero):
        cons += [z[fixed_zero] == 0]
    if len(fixed_one):
        cons += [z[fixed_one] == 1]
    ridge = np.broadcast_to(np.asarray(lam2, float), (p,)).copy()
    if shift:
        cols = np.setdiff1d(np.arange(p), fixed_zero)
        gram = Xn.T @ Xn
        delta = max(0.0, np.linalg.eigvalsh(gram[np.ix_(cols, cols)])[0])
        free = np.setdiff1d(cols, fixed_one)
        q = gram.copy()
        q[free, free] -= delta
        ridge[free] += delta / 2
        vals, vecs = np.linalg.eigh(q[np.ix_(cols, cols)])
        root = np.sqrt(np.clip(vals, 0.0, None))[:, None] * vecs.T
        loss = (0.5 * cp.sum_squares(root @ b[cols]) - (Xn.T @ yn)[cols] @ b[cols]
                + 0.5 * yn @ yn)
    else:
        loss = 0.5 * cp.sum_squares(yn - Xn @ b)
    obj = loss + lam0 * cp.sum(z) + ridge @ s
    prob = cp.Problem(cp.Minimize(obj), cons)
    prob.solve(solver=cp.CLARABEL)
    return prob.value


def l0bnb_synthetic(n, p, supp_size=10, snr=10.0, seed=1):
    """L0BnB's ``gen_synthetic`` data (its documented recipe, rho = 0, same random stream)."""
    rs = np.random.RandomState(seed)
    b = np.zeros(p)
    b[[int(i * (p / supp_size)) for i in range(supp_size)]] = 1.0
    X = rs.normal(size=(n, p)) + 0.0 * rs.normal(size=(n, 1))
    mu = X @ b
    y = mu + rs.normal(size=n, scale=np.sqrt(np.std(mu, ddof=1) ** 2 / snr))
    return X, y


def count_calls(function):
    """``function`` wrapped to count its calls (in ``.calls``)."""
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return function(*args, **kwargs)
    wrapper.calls = 0
    return wrapper


def force_node_form(monkeypatch, form, unfixed=None):
    """Make exact L0L2 node relaxations take one form, whatever their size.

    ``"covariance"``: the default for small problems (Gram block, eigenvalue shift);
    ``"active-gram"``: every node large, active-set CD on stored Gram columns;
    ``"residual"``: every node large, active-set CD on the residual (as for large p);
    ``"refix"``: nodes with ``unfixed`` unfixed columns large, smaller ones small, so a
    node whose own fixings remove a column is re-solved in covariance form.
    Returns the kernel (wrapped by :func:`count_calls`) that shows the form ran.
    """
    from l0learn.linear_model import _exact
    if form == "covariance":
        monkeypatch.setattr(_exact.L0L2Problem, "_block", count_calls(_exact.L0L2Problem._block))
        return _exact.L0L2Problem._block
    limit = 0 if form != "refix" else unfixed - 1
    monkeypatch.setattr(_exact.L0L2Problem, "_covariance_form", lambda self, m: m <= limit)
    if form == "residual":
        monkeypatch.setattr(_exact, "_ACTIVE_GRAM_MAX_P", 0)
        monkeypatch.setattr(_exact, "perspective_cd", count_calls(_exact.perspective_cd))
        return _exact.perspective_cd
    if form == "refix":
        monkeypatch.setattr(_exact.L0L2Problem, "_block", count_calls(_exact.L0L2Problem._block))
        return _exact.L0L2Problem._block
    monkeypatch.setattr(_exact, "gradient_from_columns",
                        count_calls(_exact.gradient_from_columns))
    return _exact.gradient_from_columns
