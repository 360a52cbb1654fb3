"""Coordinate-descent kernels for the l0-penalised Gaussian pseudolikelihood.

Objective (``S`` the sample covariance, ``theta_i`` column ``i`` of the symmetric ``Theta``)::

    F(Theta) = sum_i [ -log theta_ii + theta_i' S theta_i / theta_ii ]
               + lam0 #{i < j: theta_ij != 0} + lam2 sum_{i<j} theta_ij^2,   |theta_ij| <= M.

Everything runs in covariance form.  The state is ``Theta`` (dense, symmetric),
``H = Theta S`` (so ``H[i, k] = x_k' R_i / n`` with ``R_i = X theta_i``, the
"residual" of node ``i``) and ``q[i] = theta_i' S theta_i``.  Moving one pair or one
diagonal entry updates one or two rows of ``H`` in O(p), which is the covariance
form of the O(n) residual update; the screening quantities for all pairs are read
off ``H`` in O(p^2) without touching the data again.

For a pair ``(i, j)`` the objective as a function of ``t = theta_ij`` alone is
``a t^2 + b t + const`` plus the penalty, with

    a = S_jj / theta_ii + S_ii / theta_jj,
    b = 2 (H[i, j] - theta_ij S_jj) / theta_ii + 2 (H[j, i] - theta_ij S_ii) / theta_jj,

and ``w = b + 2 a theta_ij`` is the gradient of the smooth part in ``theta_ij``.

``kind`` (int8, p x p, symmetric) marks pairs of a branch-and-bound node: 0 fixed
to zero, 1 free, 2 fixed to one (the diagonal entries are ignored).
"""

import numpy as np
from numba import njit

from .._shared.perspective import (conjugate_at, envelope_constants, relaxed_coordinate,
                                   relaxed_penalty)


# -- state ---------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def build_state(S, diag, rows, cols, values):
    """Dense ``Theta``, ``H = Theta S`` and ``q`` from a diagonal and a list of pairs.

    Costs O(p^2 + nnz p) instead of the O(p^3) of a dense product.
    """
    p = S.shape[0]
    theta = np.zeros((p, p))
    H = np.zeros((p, p))
    for i in range(p):
        theta[i, i] = diag[i]
        for k in range(p):
            H[i, k] = diag[i] * S[i, k]
    for e in range(rows.shape[0]):
        i, j, v = rows[e], cols[e], values[e]
        if v == 0.0 or i == j:
            continue
        theta[i, j] = v
        theta[j, i] = v
        for k in range(p):
            H[i, k] += v * S[j, k]
            H[j, k] += v * S[i, k]
    q = np.zeros(p)
    for i in range(p):
        s = 0.0
        for k in range(p):
            s += theta[i, k] * H[i, k]
        q[i] = s
    return theta, H, q


@njit(cache=True, nogil=True)
def set_pair(S, theta, H, q, i, j, value):
    """Set ``theta_ij = theta_ji = value`` and update ``H`` and ``q`` in O(p)."""
    delta = value - theta[i, j]
    if delta == 0.0:
        return
    p = S.shape[0]
    q[i] += 2.0 * delta * H[i, j] + delta * delta * S[j, j]
    q[j] += 2.0 * delta * H[j, i] + delta * delta * S[i, i]
    theta[i, j] = value
    theta[j, i] = value
    for k in range(p):
        H[i, k] += delta * S[j, k]
        H[j, k] += delta * S[i, k]


@njit(cache=True, nogil=True)
def diagonal_minimiser(sii, c):
    """The optimal ``theta_ii`` given the rest: the minimiser of ``-log t + c / t + sii t``
    (node i's term of F up to a constant), ``c = ||R_i - theta_ii x_i||^2 / n`` being
    the part of the residual not due to ``theta_ii``."""
    return (1.0 + np.sqrt(1.0 + 4.0 * sii * c)) / (2.0 * sii)


@njit(cache=True, nogil=True)
def update_diagonal(S, theta, H, q, i):
    """Set ``theta_ii`` to its closed-form minimiser given the rest; return the change."""
    t = theta[i, i]
    # c = ||R_i - theta_ii x_i||^2 / n: the part of the residual not due to theta_ii.
    c = max(q[i] - 2.0 * t * H[i, i] + t * t * S[i, i], 0.0)
    new = diagonal_minimiser(S[i, i], c)
    delta = new - t
    if delta != 0.0:
        q[i] += 2.0 * delta * H[i, i] + delta * delta * S[i, i]
        theta[i, i] = new
        for k in range(S.shape[0]):
            H[i, k] += delta * S[i, k]
    return delta


@njit(cache=True, nogil=True)
def pair_coefficients(S, theta, H, i, j):
    """``(a, b)`` of the one-dimensional quadratic in ``theta_ij`` (module docstring)."""
    tii, tjj, t = theta[i, i], theta[j, j], theta[i, j]
    a = S[j, j] / tii + S[i, i] / tjj
    b = 2.0 * (H[i, j] - t * S[j, j]) / tii + 2.0 * (H[j, i] - t * S[i, i]) / tjj
    return a, b


@njit(cache=True, nogil=True)
def smooth_part(theta, q):
    f = 0.0
    for i in range(q.shape[0]):
        f += -np.log(theta[i, i]) + q[i] / theta[i, i]
    return f


@njit(cache=True, nogil=True)
def l0l2_objective(theta, q, lam0, lam2):
    """``F(Theta)`` from the maintained state."""
    p = q.shape[0]
    f = smooth_part(theta, q)
    for i in range(p):
        for j in range(i + 1, p):
            t = theta[i, j]
            if t != 0.0:
                f += lam0 + lam2 * t * t
    return f


@njit(cache=True, nogil=True)
def upper_pairs(theta):
    """``(rows, cols)`` of the nonzero pairs, ``rows < cols``, row-major."""
    p = theta.shape[0]
    count = 0
    for i in range(p):
        for j in range(i + 1, p):
            if theta[i, j] != 0.0:
                count += 1
    rows = np.empty(count, dtype=np.int64)
    cols = np.empty(count, dtype=np.int64)
    e = 0
    for i in range(p):
        for j in range(i + 1, p):
            if theta[i, j] != 0.0:
                rows[e], cols[e] = i, j
                e += 1
    return rows, cols


@njit(cache=True, nogil=True)
def residuals(X, theta, rows, cols):
    """``R = X Theta`` (Fortran order) from the diagonal and the listed nonzero pairs."""
    n, p = X.shape
    R = np.empty((p, n)).T  # Fortran order: columns contiguous
    for i in range(p):
        t = theta[i, i]
        for m in range(n):
            R[m, i] = t * X[m, i]
    for e in range(rows.shape[0]):
        i, j = rows[e], cols[e]
        t = theta[i, j]
        for m in range(n):
            R[m, i] += t * X[m, j]
            R[m, j] += t * X[m, i]
    return R


@njit(cache=True, nogil=True)
def listed_objective(theta, q, rows, cols, lam0, lam2):
    """``F(Theta)`` when every nonzero pair is listed: O(p + pairs) instead of O(p^2)."""
    f = smooth_part(theta, q)
    for e in range(rows.shape[0]):
        t = theta[rows[e], cols[e]]
        if t != 0.0:
            f += lam0 + lam2 * t * t
    return f


@njit(cache=True, nogil=True)
def _append_pair(out_i, out_j, count, i, j):
    """Store pair ``count`` in growable buffers (doubling when full)."""
    if count == out_i.shape[0]:
        out_i = np.concatenate((out_i, np.empty(count, dtype=np.int64)))
        out_j = np.concatenate((out_j, np.empty(count, dtype=np.int64)))
    out_i[count] = i
    out_j[count] = j
    return out_i, out_j


# -- the exact l0l2-box step (heuristics) -------------------------------------------
@njit(cache=True, nogil=True)
def l0l2_step(a, b, lam0, lam2, big_m):
    """Minimiser and value of ``(a + lam2) t^2 + b t + lam0 [t != 0]`` on ``|t| <= M``.

    The value is relative to ``t = 0`` (so negative means "better than zero");
    ties keep zero.
    """
    c = a + lam2
    t = -b / (2.0 * c)
    if t > big_m:
        t = big_m
    elif t < -big_m:
        t = -big_m
    value = c * t * t + b * t + lam0
    if value < 0.0:
        return t, value
    return 0.0, 0.0


@njit(cache=True, nogil=True)
def primal_sweeps(S, theta, H, q, rows, cols, allowed, lam0, lam2, big_m, max_sweeps, rtol):
    """Cyclic CD with the exact l0l2-box step over the listed pairs, then every diagonal.

    ``allowed`` (p x p bool) forbids pairs (node fixings); a forbidden pair is set
    to zero.  Stops when the relative objective change of a sweep is at most
    ``rtol``.  Returns ``(n_sweeps, objective)``, the objective's penalty summed over the
    listed pairs (unlisted pairs do not move; callers list every nonzero one).
    """
    p = S.shape[0]
    # every nonzero pair is listed (the active set), so F is summed over the list
    f_old = listed_objective(theta, q, rows, cols, lam0, lam2)
    f = f_old
    for sweep in range(max_sweeps):
        for e in range(rows.shape[0]):
            i, j = rows[e], cols[e]
            if not allowed[i, j]:
                if theta[i, j] != 0.0:
                    set_pair(S, theta, H, q, i, j, 0.0)
                continue
            a, b = pair_coefficients(S, theta, H, i, j)
            t, _ = l0l2_step(a, b, lam0, lam2, big_m)
            set_pair(S, theta, H, q, i, j, t)
        for i in range(p):
            update_diagonal(S, theta, H, q, i)
        f = listed_objective(theta, q, rows, cols, lam0, lam2)
        if abs(f_old - f) <= rtol * max(abs(f), 1.0):
            return sweep + 1, f
        f_old = f
    return max_sweeps, f


@njit(cache=True, nogil=True)
def _row_dot(X, R, a, b):
    """``x_a' R_b``: a column of the data against a column of the residuals."""
    acc = 0.0
    for m in range(X.shape[0]):
        acc += X[m, a] * R[m, b]
    return acc


@njit(cache=True, nogil=True)
def _residual_move(X, R, q, sdiag, i, j, h_ij, delta):
    """``R_i += delta x_j`` with ``q[i] = ||R_i||^2 / n`` kept current (``h_ij = x_j' R_i / n``)."""
    q[i] += 2.0 * delta * h_ij + delta * delta * sdiag[j]
    for m in range(X.shape[0]):
        R[m, i] += delta * X[m, j]


@njit(cache=True, nogil=True)
def primal_sweeps_residual(X, sdiag, theta, R, q, rows, cols, allowed, lam0, lam2, big_m,
                           max_sweeps, rtol):
    """:func:`primal_sweeps` on the residuals ``R = X Theta`` (n x p, Fortran order).

    For fewer samples than features: a pair's coefficients and its update cost O(n)
    instead of the O(p) of two rows of ``H``.  ``X`` holds the centred data (``S =
    X'X / n``), ``sdiag`` the diagonal of ``S``.  ``H`` is not maintained; the caller
    rebuilds it from ``R``.  Returns ``(n_sweeps, objective)``.
    """
    n, p = X.shape
    # every nonzero pair is listed (the active set), so F is summed over the list
    f_old = listed_objective(theta, q, rows, cols, lam0, lam2)
    f = f_old
    for sweep in range(max_sweeps):
        for e in range(rows.shape[0]):
            i, j = rows[e], cols[e]
            t = theta[i, j]
            if not allowed[i, j] and t == 0.0:
                continue
            h_ij = _row_dot(X, R, j, i) / n
            h_ji = _row_dot(X, R, i, j) / n
            if allowed[i, j]:
                tii, tjj = theta[i, i], theta[j, j]
                a = sdiag[j] / tii + sdiag[i] / tjj
                b = 2.0 * (h_ij - t * sdiag[j]) / tii + 2.0 * (h_ji - t * sdiag[i]) / tjj
                new, _ = l0l2_step(a, b, lam0, lam2, big_m)
            else:
                new = 0.0
            delta = new - t
            if delta != 0.0:
                theta[i, j] = new
                theta[j, i] = new
                _residual_move(X, R, q, sdiag, i, j, h_ij, delta)
                _residual_move(X, R, q, sdiag, j, i, h_ji, delta)
        for i in range(p):
            t = theta[i, i]
            h_ii = _row_dot(X, R, i, i) / n
            c = max(q[i] - 2.0 * t * h_ii + t * t * sdiag[i], 0.0)
            new = diagonal_minimiser(sdiag[i], c)
            delta = new - t
            if delta != 0.0:
                theta[i, i] = new
                _residual_move(X, R, q, sdiag, i, i, h_ii, delta)
        f = listed_objective(theta, q, rows, cols, lam0, lam2)
        if abs(f_old - f) <= rtol * max(abs(f), 1.0):
            return sweep + 1, f
        f_old = f
    return max_sweeps, f


@njit(cache=True, nogil=True)
def primal_violations(S, theta, H, allowed, lam0, lam2, big_m, tol):
    """Zero pairs whose exact one-dimensional step would lower ``F`` by more than ``tol``.

    Returns ``(rows, cols, gains)`` with ``rows < cols`` (in tile order, not sorted) and
    ``gains`` the (negative) change of ``F`` each step would make.
    """
    p = S.shape[0]
    count = 0
    out_i = np.empty(16, dtype=np.int64)
    out_j = np.empty(16, dtype=np.int64)
    gains = np.empty(16)
    inv = np.empty(p)
    for k in range(p):
        inv[k] = 1.0 / theta[k, k]
    tile = 64  # blocks of pairs: H[j, i] is read down a column, which stays in cache
    for i0 in range(0, p, tile):
        for j0 in range(i0, p, tile):
            for i in range(i0, min(i0 + tile, p)):
                for j in range(max(j0, i + 1), min(j0 + tile, p)):
                    if theta[i, j] != 0.0 or not allowed[i, j]:
                        continue
                    # theta_ij = 0: a and b of pair_coefficients without divisions
                    c = S[j, j] * inv[i] + S[i, i] * inv[j] + lam2
                    b = 2.0 * (H[i, j] * inv[i] + H[j, i] * inv[j])
                    if b * b <= 4.0 * c * (lam0 + tol):
                        continue  # not even the unboxed minimum lam0 - b^2/(4c) beats -tol
                    _, value = l0l2_step(c - lam2, b, lam0, lam2, big_m)
                    if value < -tol:
                        if count == gains.shape[0]:
                            gains = np.concatenate((gains, np.empty(count)))
                        gains[count] = value
                        out_i, out_j = _append_pair(out_i, out_j, np.int64(count), i, j)
                        count += 1
    return out_i[:count], out_j[:count], gains[:count]


@njit(cache=True, nogil=True)
def row_swaps(S, theta, H, q, allowed, lam0, lam2, big_m, tol):
    """One pass of row-wise swap local search; returns the number of swaps made.

    For each node ``i`` and each edge ``(i, j)``: remove it, then compare the best
    one-dimensional objective of putting ``j`` back with the best over every empty
    allowed position ``k`` of row ``i``.  A strictly better ``k`` (by more than
    ``tol``) replaces ``j`` and the search moves to the next row; otherwise ``j`` is
    re-inserted at its best value (never worse than before).  The removal is priced
    without being made: it changes row ``i`` of ``H`` by ``-theta_ij S[j]`` and no row
    ``k`` of a candidate, so the state is only updated when something moves.
    """
    p = S.shape[0]
    swaps = 0
    inv = np.empty(p)  # 1 / theta_kk (row swaps leave the diagonal alone)
    sdiag = np.empty(p)
    for k in range(p):
        inv[k] = 1.0 / theta[k, k]
        sdiag[k] = S[k, k]
    column = np.empty(p)  # H[:, i], read contiguously
    for i in range(p):
        for k in range(p):
            column[k] = H[k, i]
        for j in range(p):
            if j == i or theta[i, j] == 0.0:
                continue
            t = theta[i, j]
            a, b = pair_coefficients(S, theta, H, i, j)  # b excludes theta_ij's own part
            t_back, v_back = l0l2_step(a, b, lam0, lam2, big_m)
            best_k, best_t, best_v = -1, 0.0, v_back - tol
            for k in range(p):
                if k == i or k == j or theta[i, k] != 0.0 or not allowed[i, k]:
                    continue
                c = sdiag[k] * inv[i] + sdiag[i] * inv[k] + lam2
                b = 2.0 * ((H[i, k] - t * S[j, k]) * inv[i] + column[k] * inv[k])
                # the unconstrained minimum lam0 - b^2 / (4c) bounds the boxed one below:
                # only a candidate that could beat best_v is solved exactly
                if b * b <= 4.0 * c * (lam0 - best_v):
                    continue
                t_k, v = l0l2_step(c - lam2, b, lam0, lam2, big_m)
                if v < best_v:
                    best_k, best_t, best_v = k, t_k, v
            if best_k >= 0:
                set_pair(S, theta, H, q, i, j, 0.0)
                set_pair(S, theta, H, q, i, np.int64(best_k), best_t)  # (int64, not a literal)
                swaps += 1
                break
            set_pair(S, theta, H, q, i, j, t_back)
            column[i] = H[i, i]  # rows i and j of H moved
            column[j] = H[j, i]
    return swaps


# -- the perspective relaxation (branch and bound) -----------------------------------
@njit(cache=True, nogil=True)
def relaxation_objective(theta, q, kind, lam0, lam2, big_m):
    ratio, threshold, perspective = envelope_constants(lam0, lam2, big_m)
    p = q.shape[0]
    f = smooth_part(theta, q)
    for i in range(p):
        for j in range(i + 1, p):
            if theta[i, j] != 0.0:
                f += relaxed_penalty(theta[i, j], kind[i, j], lam0, lam2, ratio, threshold,
                                     perspective)
    return f


@njit(cache=True, nogil=True)
def relaxed_sweeps(S, theta, H, q, rows, cols, kind, lam0, lam2, big_m, max_sweeps, rtol):
    """CD on the node relaxation (prox of the envelope per pair, exact diagonals).

    Returns ``(n_sweeps, relaxation objective)``.
    """
    ratio, threshold, perspective = envelope_constants(lam0, lam2, big_m)
    p = S.shape[0]
    f_old = relaxation_objective(theta, q, kind, lam0, lam2, big_m)
    f = f_old
    for sweep in range(max_sweeps):
        for e in range(rows.shape[0]):
            i, j = rows[e], cols[e]
            if kind[i, j] == 0:
                continue
            a, b = pair_coefficients(S, theta, H, i, j)
            # a t^2 + b t + psi(t) = 2a [0.5 t^2 - x t + psi(t) / (2a)] with x = -b / (2a).
            scale = 0.5 / a
            t = relaxed_coordinate(-b * scale, kind[i, j], lam2 * scale, big_m, ratio,
                                   threshold * scale, perspective)
            set_pair(S, theta, H, q, i, j, t)
        for i in range(p):
            update_diagonal(S, theta, H, q, i)
        f = relaxation_objective(theta, q, kind, lam0, lam2, big_m)
        if abs(f_old - f) <= rtol * max(abs(f), 1.0):
            return sweep + 1, f
        f_old = f
    return max_sweeps, f


@njit(cache=True, nogil=True)
def relaxed_violations(S, theta, H, kind, lam0, lam2, big_m):
    """Free zero pairs whose gradient exceeds the envelope's slope at zero."""
    _, threshold, _ = envelope_constants(lam0, lam2, big_m)
    limit = threshold * (1.0 + 1e-9) + 1e-14
    p = S.shape[0]
    count = 0
    out_i = np.empty(16, dtype=np.int64)
    out_j = np.empty(16, dtype=np.int64)
    for i in range(p):
        for j in range(i + 1, p):
            if kind[i, j] != 1 or theta[i, j] != 0.0:
                continue
            w = 2.0 * H[i, j] / theta[i, i] + 2.0 * H[j, i] / theta[j, j]
            if abs(w) > limit:
                out_i, out_j = _append_pair(out_i, out_j, np.int64(count), i, j)
                count += 1
    return out_i[:count], out_j[:count]


@njit(cache=True, nogil=True)
def dual_bound(S, theta, H, q, kind, lam0, lam2, big_m):
    """Fenchel lower bound on the node relaxation from the current ``Theta``.

    With ``nu_i = 2 R_i / theta_ii``, weak duality on ``||u||^2 / t = sup_nu nu'u -
    t ||nu||^2 / 4`` gives, for any ``Theta`` with a positive diagonal,

        D = p + sum_i log(c_i) - sum_{free} max(0, phi*(|w_ij|)) - sum_{fixed one} phi*(|w_ij|),
        c_i = 2 H[i, i] / theta_ii - q_i / theta_ii^2,
        w_ij = 2 H[i, j] / theta_ii + 2 H[j, i] / theta_jj,

    (``D = -inf`` if some ``c_i <= 0``), where ``phi*`` is the conjugate of ``lam0 +
    lam2 t^2`` on the box and ``max(0, phi*)`` that of its envelope.  At the
    relaxation's optimum ``D`` equals its value.
    """
    p = S.shape[0]
    d = float(p)
    for i in range(p):
        tii = theta[i, i]
        c = 2.0 * H[i, i] / tii - q[i] / (tii * tii)
        if not c > 0.0:
            return -np.inf
        d += np.log(c)
    for i in range(p):
        for j in range(i + 1, p):
            k = kind[i, j]
            if k == 0:
                continue
            w = abs(2.0 * H[i, j] / theta[i, i] + 2.0 * H[j, i] / theta[j, j])
            phi = conjugate_at(w, lam0, lam2, big_m)
            if k == 2:
                d -= phi
            elif phi > 0.0:
                d -= phi
    return d
