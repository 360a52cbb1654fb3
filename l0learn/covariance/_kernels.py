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
def update_diagonal(S, theta, H, q, i):
    """Set ``theta_ii`` to its closed-form minimiser given the rest; return the change."""
    t = theta[i, i]
    # c = ||R_i - theta_ii x_i||^2 / n: the part of the residual not due to theta_ii.
    c = max(q[i] - 2.0 * t * H[i, i] + t * t * S[i, i], 0.0)
    new = (1.0 + np.sqrt(1.0 + 4.0 * S[i, i] * c)) / (2.0 * S[i, i])
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
    ``rtol``.  Returns ``(n_sweeps, objective)``.
    """
    p = S.shape[0]
    f_old = l0l2_objective(theta, q, lam0, lam2)
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
        f = l0l2_objective(theta, q, lam0, lam2)
        if abs(f_old - f) <= rtol * max(abs(f), 1.0):
            return sweep + 1, f
        f_old = f
    return max_sweeps, f


@njit(cache=True, nogil=True)
def primal_violations(S, theta, H, allowed, lam0, lam2, big_m, tol):
    """Zero pairs whose exact one-dimensional step would lower ``F`` by more than ``tol``.

    Returns ``(rows, cols)`` with ``rows < cols``.
    """
    p = S.shape[0]
    count = 0
    out_i = np.empty(16, dtype=np.int64)
    out_j = np.empty(16, dtype=np.int64)
    for i in range(p):
        for j in range(i + 1, p):
            if theta[i, j] != 0.0 or not allowed[i, j]:
                continue
            a, b = pair_coefficients(S, theta, H, i, j)
            _, value = l0l2_step(a, b, lam0, lam2, big_m)
            if value < -tol:
                out_i, out_j = _append_pair(out_i, out_j, count, i, j)
                count += 1
    return out_i[:count], out_j[:count]


@njit(cache=True, nogil=True)
def row_swaps(S, theta, H, q, allowed, lam0, lam2, big_m, tol):
    """One pass of row-wise swap local search; returns the number of swaps made.

    For each node ``i`` and each edge ``(i, j)``: remove it, then compare the best
    one-dimensional objective of putting ``j`` back with the best over every empty
    allowed position ``k`` of row ``i``.  A strictly better ``k`` (by more than
    ``tol``) replaces ``j`` and the search moves to the next row; otherwise ``j`` is
    re-inserted at its best value (never worse than before).
    """
    p = S.shape[0]
    swaps = 0
    for i in range(p):
        for j in range(p):
            if j == i or theta[i, j] == 0.0:
                continue
            set_pair(S, theta, H, q, i, j, 0.0)
            a, b = pair_coefficients(S, theta, H, i, j)
            t_back, v_back = l0l2_step(a, b, lam0, lam2, big_m)
            best_k, best_t, best_v = -1, 0.0, v_back - tol
            for k in range(p):
                if k == i or k == j or theta[i, k] != 0.0 or not allowed[i, k]:
                    continue
                a, b = pair_coefficients(S, theta, H, i, k)
                t, v = l0l2_step(a, b, lam0, lam2, big_m)
                if v < best_v:
                    best_k, best_t, best_v = k, t, v
            if best_k >= 0:
                set_pair(S, theta, H, q, i, best_k, best_t)
                swaps += 1
                break
            set_pair(S, theta, H, q, i, j, t_back)
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
                out_i, out_j = _append_pair(out_i, out_j, count, i, j)
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
