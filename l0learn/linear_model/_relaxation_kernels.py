"""Coordinate descent for the perspective / big-M relaxation of L0L2 least squares.

Node relaxation (unit-norm columns, see :mod:`l0learn.linear_model._exact`)::

    min_b 0.5 ||y~ - X~ b||_W^2 + sum_{free} psi(b_j) + sum_{fixed one} (lam0 + lam2 b_j^2),
    |b_j| <= M,  b_j = 0 for variables fixed to zero,

with ``psi`` the convex envelope of ``lam0 [b != 0] + lam2 b^2`` on ``[-M, M]``.
``kind[j]`` is 0 (fixed to zero: never touched), 1 (free) or 2 (fixed to one).
"""

import numpy as np
from numba import njit

from .._shared.perspective import envelope_constants, relaxed_coordinate, relaxed_penalty
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
def relax_gram(gram, xty, yty, beta, kind, lam0, lam2, big_m, max_sweeps, rel_tol):
    """Solve a node relaxation in covariance form (small ``p``), in one call.

    ``gram = X~' W X~`` (unit diagonal), ``xty = X~' W y~``, ``yty = y~' W y~``.  The
    gradient ``g = xty - gram @ beta`` is kept up to date (O(p) per coordinate move),
    and the squared residual is ``yty - xty'beta - beta'g``.  Tightens the CD
    tolerance until the primal-dual gap is below ``rel_tol`` (at most 4 times).
    Updates ``beta`` in place; returns ``(grad, primal, lower)``.
    """
    p = beta.shape[0]
    ratio, threshold, perspective = envelope_constants(lam0, lam2, big_m)
    grad = xty - gram @ beta
    rtol = 1e-8
    primal = lower = 0.0
    for _ in range(4):
        f_old = np.inf
        for sweep in range(max_sweeps):
            for j in range(p):
                if kind[j] == 0:
                    continue
                b_old = beta[j]
                t = relaxed_coordinate(b_old + grad[j], kind[j], lam2, big_m, ratio, threshold,
                                       perspective)
                if t != b_old:
                    step = t - b_old
                    for i in range(p):
                        grad[i] -= step * gram[i, j]
                    beta[j] = t
            rss = yty - xty @ beta - beta @ grad
            f = 0.5 * rss
            for j in range(p):
                f += relaxed_penalty(beta[j], kind[j], lam0, lam2, ratio, threshold, perspective)
            if abs(f_old - f) <= rtol * abs(f):
                break
            f_old = f
        primal = f
        # Dual bound D(r) = r'Wy - 0.5 r'Wr - conjugates (see l0learn.linear_model._exact).
        lower = (yty - xty @ beta) - 0.5 * rss
        for j in range(p):
            if kind[j] == 0:
                continue
            a = abs(grad[j])
            if lam2 == 0.0:
                phi = big_m * a - lam0
            elif a <= 2.0 * big_m * lam2:
                phi = a * a / (4.0 * lam2) - lam0
            else:
                phi = big_m * a - lam2 * big_m * big_m - lam0
            if kind[j] == 2 or phi > 0.0:
                lower -= phi
        if primal - lower <= rel_tol * max(abs(primal), 1e-12):
            break
        rtol *= 1e-2
    return grad, primal, lower
