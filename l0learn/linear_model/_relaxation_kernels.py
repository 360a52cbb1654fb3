"""Coordinate descent for the perspective / big-M relaxation of L0L2 least squares.

Node relaxation (unit-norm columns, see :mod:`l0learn.linear_model._exact`)::

    min_b 0.5 ||y~ - X~ b||_W^2 + sum_{free} psi(b_j) + sum_{fixed one} (lam0 + lam2 b_j^2),
    |b_j| <= M,  b_j = 0 for variables fixed to zero,

with ``psi`` the convex envelope of ``lam0 [b != 0] + lam2 b^2`` on ``[-M, M]``.
``kind[j]`` is 0 (fixed to zero: never touched), 1 (free) or 2 (fixed to one).
The ridge ``lam2[j]`` and the box ``M[j]`` are per coordinate (one value each when
the penalty acts on the normalised scale; see ``NormalisedProblem``).
"""

import numpy as np
from numba import njit

from .._shared.perspective import (conjugate_at, envelope_constants, relaxed_coordinate,
                                   relaxed_penalty)
from ._cd_kernels import column_dot, update_residual


@njit(cache=True, nogil=True)
def coordinate_penalty(b, kind, lam0, lam2, big_m):
    """The relaxed penalty of one coordinate (its envelope when free)."""
    if kind == 0 or b == 0.0:
        return 0.0
    ratio, threshold, perspective = envelope_constants(lam0, lam2, big_m)
    return relaxed_penalty(b, kind, lam0, lam2, ratio, threshold, perspective)


@njit(cache=True, nogil=True)
def relaxation_objective(r, wr, beta, kind, lam0, lam2, big_m):
    val = 0.0
    for i in range(r.shape[0]):
        val += r[i] * wr[i]
    val *= 0.5
    for j in range(beta.shape[0]):
        val += coordinate_penalty(beta[j], kind[j], lam0, lam2[j], big_m[j])
    return val


@njit(cache=True, nogil=True)
def perspective_cd(dense, data, indices, indptr, is_sparse, mu, inv_s, w, r, wr, beta,
                   coords, kind, lam0, lam2, big_m, max_sweeps, rtol):
    """Cyclic CD over ``coords`` until the relative objective change is below ``rtol``.

    Updates ``beta``, ``r``, ``wr`` in place; returns ``(n_sweeps, objective)``.
    """
    f_old = relaxation_objective(r, wr, beta, kind, lam0, lam2, big_m)
    f = f_old
    for sweep in range(max_sweeps):
        for idx in range(coords.shape[0]):
            j = coords[idx]
            if kind[j] == 0 or inv_s[j] == 0.0:
                continue
            b_old = beta[j]
            a = b_old + inv_s[j] * column_dot(j, dense, data, indices, indptr, is_sparse, wr)
            ratio, threshold, perspective = envelope_constants(lam0, lam2[j], big_m[j])
            t = relaxed_coordinate(a, kind[j], lam2[j], big_m[j], ratio, threshold, perspective)
            if t != b_old:
                update_residual(j, t - b_old, dense, data, indices, indptr, is_sparse, mu,
                                inv_s, w, r, wr)
                beta[j] = t
        f = relaxation_objective(r, wr, beta, kind, lam0, lam2, big_m)
        if abs(f_old - f) <= rtol * abs(f_old):
            return sweep + 1, f
        f_old = f
    return max_sweeps, f


@njit(cache=True, nogil=True)
def gram_objective(yty, xty, beta, grad, kind, lam0, lam2, lam2_free, big_m):
    """The covariance-form relaxation's value at ``beta`` (``grad = xty - Q beta``)."""
    f = 0.5 * (yty - xty @ beta - beta @ grad)  # 0.5 (y'y - 2 xty'b + b'Qb)
    for j in range(beta.shape[0]):
        ridge = lam2_free[j] if kind[j] == 1 else lam2[j]  # the shift joins free ones only
        f += coordinate_penalty(beta[j], kind[j], lam0, ridge, big_m[j])
    return f


@njit(cache=True, nogil=True, error_model="numpy")
def polish_support(gram, beta, grad, kind, lam0, lam2, lam2_free, delta, big_m):
    """A Newton step on the nonzero coordinates, each penalty frozen on its current piece.

    Coordinate descent crawls on correlated columns and on very unequal ridges (raw-scale
    problems), and the dual bound of a fixed-to-one coordinate with a tiny ridge or a
    wide box magnifies any gradient left over.  On the nonzero coordinates the relaxed
    penalty is smooth piece by piece (``lam0 + lam2 b^2``, or ``threshold |b|`` with a
    fixed sign), so the relaxation is a convex quadratic there: the step goes to its
    minimiser, stopped at the first piece boundary (sign change, envelope kink, box), so
    the objective cannot rise.  The bound computed afterwards is valid at any point, so
    the step only affects how tight it is.  Updates ``beta`` and ``grad`` in place.
    """
    p = beta.shape[0]
    idx = np.empty(p, dtype=np.int64)
    curv = np.empty(p)
    lin = np.empty(p)
    lo = np.empty(p)  # the piece: |b| in [lo, hi], sign fixed
    hi = np.empty(p)
    m = 0
    for j in range(p):
        b = beta[j]
        if kind[j] == 0 or b == 0.0 or abs(b) >= big_m[j]:
            continue
        sign = 1.0 if b > 0.0 else -1.0
        if kind[j] == 2:
            curv[m], lin[m], lo[m], hi[m] = 2.0 * lam2[j], 0.0, 0.0, big_m[j]
        else:
            ratio, threshold, perspective = envelope_constants(lam0, lam2_free[j], big_m[j])
            if perspective and abs(b) >= ratio:
                curv[m], lin[m], lo[m], hi[m] = 2.0 * lam2_free[j], 0.0, ratio, big_m[j]
            else:
                curv[m], lin[m] = 0.0, threshold * sign
                lo[m], hi[m] = 0.0, ratio if perspective else big_m[j]
        idx[m] = j
        m += 1
    if m == 0:
        return
    A = np.empty((m, m))
    g = np.empty(m)
    for a in range(m):
        j = idx[a]
        for c in range(m):
            A[a, c] = gram[j, idx[c]]
        if kind[j] == 1:
            A[a, a] -= delta
        A[a, a] += curv[a] + 1e-12 * (1.0 + abs(A[a, a]))  # keeps A positive definite
        g[a] = -grad[j] + curv[a] * beta[j] + lin[a]  # the model's gradient at beta
    # step = -A^{-1} g by Cholesky, in place (numba's np.linalg.solve compiles for seconds)
    for k in range(m):
        d = A[k, k]
        for c in range(k):
            d -= A[k, c] * A[k, c]
        if not d > 0.0:
            return  # not numerically positive definite: no step
        A[k, k] = np.sqrt(d)
        for i in range(k + 1, m):
            v = A[i, k]
            for c in range(k):
                v -= A[i, c] * A[k, c]
            A[i, k] = v / A[k, k]
    step = -g[:m]
    for i in range(m):
        for c in range(i):
            step[i] -= A[i, c] * step[c]
        step[i] /= A[i, i]
    for i in range(m - 1, -1, -1):
        for c in range(i + 1, m):
            step[i] -= A[c, i] * step[c]
        step[i] /= A[i, i]
    # The longest fraction of the step that stays on every coordinate's piece.
    alpha = 1.0
    for a in range(m):
        b, d = beta[idx[a]], step[a]
        target = abs(b + d) if (b + d) * b > 0.0 else -1.0
        if target < lo[a] or target > hi[a]:
            bound = lo[a] if (target < lo[a]) else hi[a]
            # |b + t d| = bound along the step (sign kept up to the boundary)
            denom = abs(b + d) - abs(b) if (b + d) * b > 0.0 else -abs(b) - abs(b + d)
            t = (bound - abs(b)) / denom if denom != 0.0 else 0.0
            alpha = min(alpha, max(t, 0.0))
    if alpha <= 0.0:
        return
    for a in range(m):
        j = idx[a]
        d = alpha * step[a]
        nb = beta[j] + d
        if lo[a] == 0.0 and abs(nb) <= 1e-12 * abs(beta[j]):
            nb = 0.0  # a coordinate stopped at zero leaves exactly
            d = nb - beta[j]
        for i in range(p):
            grad[i] -= d * gram[j, i]
        if kind[j] == 1:
            grad[j] += d * delta
        beta[j] = nb


@njit(cache=True, nogil=True)
def relax_gram(gram, xty, yty, beta, kind, lam0, lam2, delta, big_m, max_sweeps, rel_tol):
    """Solve a node relaxation in covariance form (small free set), in one call.

    ``gram = X~' W X~`` over the node's unfixed columns (unit diagonal, symmetric: a
    move reads row ``j``, contiguous, for column ``j``), ``xty = X~' W y~`` and ``yty =
    y~' W y~``.  With ``delta <= lambda_min(gram)`` the loss is split
    as ``0.5 b'(gram - delta D)b + (delta / 2) ||b_free||^2`` (``D`` the diagonal of
    free coordinates), the first part convex, the second joining the ridge of every
    free coordinate (``lam2 + delta / 2``) inside its perspective envelope: a valid and,
    for ``delta > 0``, stronger relaxation (``delta = 0`` is the plain one).

    The gradient ``g = xty - (gram - delta D) beta`` is kept up to date (O(p) per
    move).  The bound linearises the convex quadratic at ``beta`` (valid at any
    ``beta``, tight at the optimum): ``0.5 yty - 0.5 xty'beta + 0.5 beta'g`` minus the
    conjugates of the coordinate penalties at ``g`` (:func:`gram_bounds`).  Tightens
    the CD tolerance until the primal-dual gap is below ``rel_tol`` (at most 4 times;
    from the third, with a Newton step on the support, :func:`polish_support`).
    Updates ``beta`` in place; returns ``(grad, primal, lower)``.
    """
    p = beta.shape[0]
    lam2_free = lam2 + 0.5 * delta
    # False, typed as a runtime bool: a literal would compile relaxed_coordinate twice
    no_envelope = p < 0
    grad = xty - beta @ gram  # rows of gram, as every move below reads them
    for j in range(p):
        if kind[j] == 1:
            grad[j] += delta * beta[j]
    rtol = 1e-8
    primal = lower = 0.0
    for attempt in range(4):
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
                    rh, th, ph = envelope_constants(lam0 / h, lam2_free[j] / h, big_m[j])
                    t = relaxed_coordinate(b_old + grad[j] / h, kind[j], lam2_free[j] / h, big_m[j],
                                           rh, th, ph)
                else:  # unit diagonal (the shift acts on free coordinates only)
                    t = relaxed_coordinate(b_old + grad[j], kind[j], lam2[j], big_m[j], 0.0, 0.0,
                                           no_envelope)
                if t != b_old:
                    step = t - b_old
                    for i in range(p):
                        grad[i] -= step * gram[j, i]
                    if kind[j] == 1:
                        grad[j] += step * delta
                    beta[j] = t
            f = gram_objective(yty, xty, beta, grad, kind, lam0, lam2, lam2_free, big_m)
            if abs(f_old - f) <= rtol * abs(f):
                break
            f_old = f
        primal, lower = gram_bounds(yty, xty, beta, grad, kind, lam0, lam2, lam2_free, big_m)
        if primal - lower <= rel_tol * max(abs(primal), 1e-12):
            break
        if attempt >= 2:
            # Coordinate descent at two tighter tolerances left the gap open (it crawls
            # on correlated columns and very unequal ridges): a Newton step on the
            # support, only then (n = 500, p = 1000: polishing at once cost 2.5x the
            # sweeps it saved).
            polish_support(gram, beta, grad, kind, lam0, lam2, lam2_free, delta, big_m)
            primal, lower = gram_bounds(yty, xty, beta, grad, kind, lam0, lam2, lam2_free,
                                        big_m)
            if primal - lower <= rel_tol * max(abs(primal), 1e-12):
                break
        rtol *= 1e-2
    return grad, primal, lower


@njit(cache=True, nogil=True)
def gram_bounds(yty, xty, beta, grad, kind, lam0, lam2, lam2_free, big_m):
    """``(primal, lower)`` of the covariance-form relaxation at ``beta``.

    The bound linearises the convex quadratic at ``beta`` and subtracts the
    conjugates of the coordinate penalties at ``grad = xty - Q beta``.
    """
    primal = gram_objective(yty, xty, beta, grad, kind, lam0, lam2, lam2_free, big_m)
    lower = 0.5 * yty - 0.5 * (xty @ beta) + 0.5 * (beta @ grad)
    for j in range(beta.shape[0]):
        if kind[j] == 1:
            phi = conjugate_at(abs(grad[j]), lam0, lam2_free[j], big_m[j])
            if phi > 0.0:
                lower -= phi
        elif kind[j] == 2:
            lower -= conjugate_at(abs(grad[j]), lam0, lam2[j], big_m[j])
    return primal, lower


@njit(cache=True, nogil=True)
def gradient_from_columns(store, slots, b, xty):
    """``xty - store[:, slots] @ b`` over the nonzero ``b`` only (``store`` holds Gram
    columns in Fortran order, so each one is read contiguously)."""
    grad = xty.copy()
    for a in range(b.shape[0]):
        if b[a] != 0.0:
            col = store[:, slots[a]]
            for i in range(grad.shape[0]):
                grad[i] -= col[i] * b[a]
    return grad


@njit(cache=True, nogil=True)
def gram_block_from_columns(store, cols, slots):
    """The symmetric block ``G[cols][:, cols]`` from Gram columns stored in Fortran order
    at ``slots`` (entry ``(a, c)`` is row ``cols[a]`` of column ``slots[c]``); each stored
    column is read once, contiguously."""
    m = cols.shape[0]
    out = np.empty((m, m))
    for c in range(m):
        col = store[:, slots[c]]
        for a in range(m):
            out[c, a] = col[cols[a]]  # = G[cols[a], cols[c]], symmetric
    return out
