"""Coordinate descent for L0-penalised logistic and squared-hinge classification.

Labels are ``y_i in {-1, +1}``; the state is the margin ``m_i = y_i (b0 + x~_i' b)``
and ``q_i = w_i y_i (-loss'(m_i))``, so the gradient of the loss along column ``j``
is ``-x~_j' q``.  Each coordinate takes a proximal step on the quadratic upper
bound with the coordinate Lipschitz constant ``lipschitz`` (0.25 for logistic, 2
for squared hinge, unit-norm columns), and is kept only if that step's decrease
beats the coordinate's L0 price (L0Learn's rule).  ``loss_kind``: 0 logistic,
1 squared hinge.
"""

import numpy as np
from numba import njit

from ._cd_kernels import column_dot, coordinate_gain


@njit(cache=True, nogil=True)
def loss_value(margin, w, loss_kind):
    """``sum_i w_i loss(m_i)``."""
    total = 0.0
    for i in range(margin.shape[0]):
        m = margin[i]
        if loss_kind == 0:
            total += w[i] * (np.log1p(np.exp(-m)) if m > -30.0 else -m)
        else:
            h = 1.0 - m
            if h > 0.0:
                total += w[i] * h * h
    return total


@njit(cache=True, nogil=True)
def refresh_q(margin, y, w, loss_kind, q):
    """``q_i = w_i y_i (-loss'(m_i))``."""
    for i in range(margin.shape[0]):
        m = margin[i]
        if loss_kind == 0:
            d = 1.0 / (1.0 + np.exp(m))
        else:
            d = 2.0 * (1.0 - m) if m < 1.0 else 0.0
        q[i] = w[i] * y[i] * d


@njit(cache=True, nogil=True)
def shift_margin(j, step, dense, data, indices, indptr, is_sparse, mu, inv_s, y, margin):
    """``m += step * y * x~_j`` (``j < 0``: the intercept column of ones)."""
    if j < 0:
        for i in range(margin.shape[0]):
            margin[i] += step * y[i]
        return
    c = step * inv_s[j]
    if is_sparse:
        for k in range(indptr[j], indptr[j + 1]):
            i = indices[k]
            margin[i] += c * y[i] * data[k]
        if mu[j] != 0.0:
            for i in range(margin.shape[0]):
                margin[i] -= c * mu[j] * y[i]
    else:
        for i in range(dense.shape[0]):
            margin[i] += c * y[i] * (dense[i, j] - mu[j])


@njit(cache=True, nogil=True)
def glm_objective(margin, w, beta, price, lam1, lam2, loss_kind):
    f = loss_value(margin, w, loss_kind)
    for j in range(beta.shape[0]):
        b = beta[j]
        if b != 0.0:
            f += price[j] + lam1 * abs(b) + lam2 * b * b
    return f


@njit(cache=True, nogil=True)
def glm_cd_sweeps(dense, data, indices, indptr, is_sparse, mu, inv_s, w, y, margin, q, beta,
                  intercept, coords, price, lam1, lam2, lo, hi, lipschitz, fit_intercept,
                  max_support, max_sweeps, rtol, loss_kind):
    """Cyclic proximal CD over ``coords`` (plus the intercept) until the objective settles.

    ``intercept`` is a length-1 array updated in place, like ``beta``, ``margin``, ``q``.
    Returns ``(n_sweeps, converged)``.
    """
    lip = lipschitz + 2.0 * lam2
    w_sum = 0.0
    for i in range(w.shape[0]):
        w_sum += w[i]
    nnz = 0
    for j in range(beta.shape[0]):
        if beta[j] != 0.0:
            nnz += 1
    f_old = glm_objective(margin, w, beta, price, lam1, lam2, loss_kind)
    for sweep in range(max_sweeps):
        for idx in range(coords.shape[0]):
            j = coords[idx]
            b_old = beta[j]
            if inv_s[j] == 0.0 or (b_old == 0.0 and nnz >= max_support):
                continue
            sq = 0.0
            for i in range(q.shape[0]):
                sq += q[i]
            grad = -inv_s[j] * (column_dot(j, dense, data, indices, indptr, is_sparse, q)
                                - mu[j] * sq)
            t, gain = coordinate_gain(lipschitz * b_old - grad, lam1, lip, lo[j], hi[j])
            if gain <= price[j]:
                t = 0.0
            if t != b_old:
                shift_margin(j, t - b_old, dense, data, indices, indptr, is_sparse, mu, inv_s,
                             y, margin)
                refresh_q(margin, y, w, loss_kind, q)
                beta[j] = t
                if b_old == 0.0:
                    nnz += 1
                elif t == 0.0:
                    nnz -= 1
        if fit_intercept:
            sq = 0.0
            for i in range(q.shape[0]):
                sq += q[i]
            step = sq / (lipschitz * w_sum)  # gradient step on the (unpenalised) intercept
            if step != 0.0:
                shift_margin(np.int64(-1), step, dense, data, indices, indptr, is_sparse, mu,
                             inv_s, y, margin)  # (int64: a literal -1 compiles it twice)
                refresh_q(margin, y, w, loss_kind, q)
                intercept[0] += step
        f = glm_objective(margin, w, beta, price, lam1, lam2, loss_kind)
        if abs(f_old - f) <= rtol * abs(f_old):
            return sweep + 1, True
        f_old = f
    return max_sweeps, False


@njit(cache=True, nogil=True)
def _sigmoid(m):
    if m >= 0.0:
        return 1.0 / (1.0 + np.exp(-m))
    e = np.exp(m)
    return e / (1.0 + e)


@njit(cache=True, nogil=True)
def best_coordinate_values(candidates, lower, upper, dense, data, indices, indptr, is_sparse,
                           mu, inv_s, w, y, margin, lam1, lam2, loss_kind, t_out, f_out):
    """Exact 1-D minimiser of ``loss(m + y t x~_j) + lam1 |t| + lam2 t^2`` over ``[lo_j, hi_j]``
    for every candidate ``j`` (the others fixed at the margin ``m``).

    The objective is smooth on each side of 0: a bounded Newton iteration runs on
    each side and the better endpoint (or 0) wins.  Writes ``t_out[k]`` and the
    objective ``f_out[k]`` for ``candidates[k]``.
    """
    n = margin.shape[0]
    col = np.empty(n)
    m = np.empty(n)
    q = np.empty(n)
    f0 = loss_value(margin, w, loss_kind)
    for k in range(candidates.shape[0]):
        j = candidates[k]
        # the working column x~_j
        if is_sparse:
            for i in range(n):
                col[i] = -mu[j] * inv_s[j]
            for p in range(indptr[j], indptr[j + 1]):
                col[indices[p]] += data[p] * inv_s[j]
        else:
            for i in range(n):
                col[i] = (dense[i, j] - mu[j]) * inv_s[j]
        best_t, best_f = 0.0, f0
        for side in range(2):
            sign = 1.0 if side == 0 else -1.0
            t = 0.0
            for _ in range(30):
                for i in range(n):
                    m[i] = margin[i] + y[i] * t * col[i]
                refresh_q(m, y, w, loss_kind, q)
                d1 = sign * lam1 + 2.0 * lam2 * t
                d2 = 2.0 * lam2
                for i in range(n):
                    d1 -= col[i] * q[i]
                    if loss_kind == 0:
                        s = _sigmoid(m[i])
                        d2 += w[i] * col[i] * col[i] * s * (1.0 - s)
                    elif m[i] < 1.0:
                        d2 += 2.0 * w[i] * col[i] * col[i]
                if d2 <= 0.0:
                    break
                t_new = t - d1 / d2
                t_new = max(t_new, 0.0) if sign > 0 else min(t_new, 0.0)
                t_new = min(max(t_new, lower[j]), upper[j])
                if abs(t_new - t) <= 1e-12 * (1.0 + abs(t)):
                    t = t_new
                    break
                t = t_new
            for i in range(n):
                m[i] = margin[i] + y[i] * t * col[i]
            f = loss_value(m, w, loss_kind) + lam1 * abs(t) + lam2 * t * t
            if f < best_f:
                best_t, best_f = t, f
        t_out[k] = best_t
        f_out[k] = best_f
