"""Coordinate descent for the perspective / big-M relaxation of L0L2 least squares.

Node relaxation (unit-norm columns, see :mod:`l0learn.linear_model._exact`)::

    min_b 0.5 ||y~ - X~ b||_W^2 + sum_{free} psi(b_j) + sum_{fixed one} (lam0 + lam2 b_j^2),
    |b_j| <= M,  b_j = 0 for variables fixed to zero,

with ``psi`` the convex envelope of ``lam0 [b != 0] + lam2 b^2`` on ``[-M, M]``.
``kind[j]`` is 0 (fixed to zero: never touched), 1 (free) or 2 (fixed to one).
"""

import numpy as np
from numba import njit

from .._shared.perspective import (conjugate_at, envelope_constants, relaxed_coordinate,
                                   relaxed_penalty)
from ._cd_kernels import column_dot, update_residual


@njit(cache=True, nogil=True)
def relaxation_objective(r, wr, beta, kind, lam0, lam2, ratio, threshold, perspective):
    val = 0.0
    for i in range(r.shape[0]):
        val += r[i] * wr[i]
    val *= 0.5
    for j in range(beta.shape[0]):
        val += relaxed_penalty(beta[j], kind[j], lam0, lam2, ratio, threshold, perspective)
    return val


@njit(cache=True, nogil=True)
def perspective_cd(dense, data, indices, indptr, is_sparse, mu, inv_s, w, r, wr, beta,
                   coords, kind, lam0, lam2, big_m, max_sweeps, rtol):
    """Cyclic CD over ``coords`` until the relative objective change is below ``rtol``.

    Updates ``beta``, ``r``, ``wr`` in place; returns ``(n_sweeps, objective)``.
    """
    ratio, threshold, perspective = envelope_constants(lam0, lam2, big_m)
    f_old = relaxation_objective(r, wr, beta, kind, lam0, lam2, ratio, threshold, perspective)
    f = f_old
    for sweep in range(max_sweeps):
        for idx in range(coords.shape[0]):
            j = coords[idx]
            if kind[j] == 0 or inv_s[j] == 0.0:
                continue
            b_old = beta[j]
            a = b_old + inv_s[j] * column_dot(j, dense, data, indices, indptr, is_sparse, wr)
            t = relaxed_coordinate(a, kind[j], lam2, big_m, ratio, threshold, perspective)
            if t != b_old:
                update_residual(j, t - b_old, dense, data, indices, indptr, is_sparse, mu,
                                inv_s, w, r, wr)
                beta[j] = t
        f = relaxation_objective(r, wr, beta, kind, lam0, lam2, ratio, threshold, perspective)
        if abs(f_old - f) <= rtol * abs(f_old):
            return sweep + 1, f
        f_old = f
    return max_sweeps, f


@njit(cache=True, nogil=True)
def relax_gram(gram, xty, yty, beta, kind, lam0, lam2, delta, big_m, max_sweeps, rel_tol):
    """Solve a node relaxation in covariance form (small free set), in one call.

    ``gram = X~' W X~`` over the node's unfixed columns (unit diagonal), ``xty = X~' W
    y~`` and ``yty = y~' W y~``.  With ``delta <= lambda_min(gram)`` the loss is split
    as ``0.5 b'(gram - delta D)b + (delta / 2) ||b_free||^2`` (``D`` the diagonal of
    free coordinates), the first part convex, the second joining the ridge of every
    free coordinate (``lam2 + delta / 2``) inside its perspective envelope: a valid and,
    for ``delta > 0``, stronger relaxation (``delta = 0`` is the plain one).

    The gradient ``g = xty - (gram - delta D) beta`` is kept up to date (O(p) per
    move).  The bound linearises the convex quadratic at ``beta`` (valid at any
    ``beta``, tight at the optimum): ``0.5 yty - 0.5 xty'beta + 0.5 beta'g`` minus the
    conjugates of the coordinate penalties at ``g``.  Tightens the CD tolerance until
    the primal-dual gap is below ``rel_tol`` (at most 4 times).  Updates ``beta`` in
    place; returns ``(grad, primal, lower)``.
    """
    p = beta.shape[0]
    lam2_free = lam2 + 0.5 * delta
    ratio, threshold, perspective = envelope_constants(lam0, lam2_free, big_m)
    ratio1, threshold1, perspective1 = envelope_constants(lam0, lam2, big_m)
    grad = xty - gram @ beta
    for j in range(p):
        if kind[j] == 1:
            grad[j] += delta * beta[j]
    rtol = 1e-8
    primal = lower = 0.0
    for _ in range(4):
        f_old = np.inf
        for sweep in range(max_sweeps):
            for j in range(p):
                if kind[j] == 0:
                    continue
                b_old = beta[j]
                if kind[j] == 1:
                    # min 0.5 h t^2 - (h b_old + g_j) t + psi(t), h = gram_jj - delta:
                    # divided by h, a unit-curvature step with the penalty scaled by 1/h.
                    h = gram[j, j] - delta
                    rh, th, ph = envelope_constants(lam0 / h, lam2_free / h, big_m)
                    t = relaxed_coordinate(b_old + grad[j] / h, 1, lam2_free / h, big_m,
                                           rh, th, ph)
                else:
                    t = relaxed_coordinate(b_old + grad[j], 2, lam2, big_m, ratio1,
                                           threshold1, perspective1)
                if t != b_old:
                    step = t - b_old
                    for i in range(p):
                        grad[i] -= step * gram[i, j]
                    if kind[j] == 1:
                        grad[j] += step * delta
                    beta[j] = t
            quad = yty - xty @ beta - beta @ grad  # = y'y - 2 xty'b + b'Qb
            f = 0.5 * quad
            for j in range(p):
                if kind[j] == 1:
                    f += relaxed_penalty(beta[j], 1, lam0, lam2_free, ratio, threshold,
                                         perspective)
                elif kind[j] == 2:
                    f += relaxed_penalty(beta[j], 2, lam0, lam2, ratio1, threshold1,
                                         perspective1)
            if abs(f_old - f) <= rtol * abs(f):
                break
            f_old = f
        primal = f
        lower = 0.5 * yty - 0.5 * (xty @ beta) + 0.5 * (beta @ grad)
        for j in range(p):
            if kind[j] == 1:
                phi = conjugate_at(abs(grad[j]), lam0, lam2_free, big_m)
                if phi > 0.0:
                    lower -= phi
            elif kind[j] == 2:
                lower -= conjugate_at(abs(grad[j]), lam0, lam2, big_m)
        if primal - lower <= rel_tol * max(abs(primal), 1e-12):
            break
        rtol *= 1e-2
    return grad, primal, lower
