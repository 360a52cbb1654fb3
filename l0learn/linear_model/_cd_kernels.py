"""Coordinate descent for the L0/L1/L2-penalised least-squares problem.

The design is *implicitly* normalised: column ``j`` of the working matrix is
``(x_j - mu_j) * inv_s_j``, with weighted mean ``mu_j`` and inverse weighted norm
``inv_s_j``, so the caller's ``X`` is never copied or modified.  Next to the
residual ``r`` the kernels keep ``wr = w * r``: the gradient ``x~_j' W r`` is then
a plain dot product with the raw column, and ``sum(wr) == 0`` whenever the
problem is centred, which removes the centring term.  Zero weights are allowed
(cross-validation folds are weight masks, so ``X`` is never copied per fold).

Dense and CSC designs share one signature: a dense design passes empty
``data/indices/indptr`` arrays, a sparse one a small F-ordered placeholder.
"""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def column_dot(j, dense, data, indices, indptr, is_sparse, v):
    """Return ``x_j' v`` for the raw column ``j``."""
    acc = 0.0
    if is_sparse:
        for k in range(indptr[j], indptr[j + 1]):
            acc += data[k] * v[indices[k]]
    else:
        for i in range(dense.shape[0]):
            acc += dense[i, j] * v[i]
    return acc


@njit(cache=True, nogil=True)
def update_residual(j, step, dense, data, indices, indptr, is_sparse, mu, inv_s, w,
                    r, wr):
    """The residuals after ``beta_j += step``: ``r -= step * x~_j`` and ``wr = w * r``."""
    c = step * inv_s[j]
    m = mu[j]
    if is_sparse:
        for k in range(indptr[j], indptr[j + 1]):
            i = indices[k]
            d = c * data[k]
            r[i] -= d
            wr[i] -= w[i] * d
        if m != 0.0:
            cm = c * m
            for i in range(r.shape[0]):
                r[i] += cm
                wr[i] += cm * w[i]
    else:
        for i in range(dense.shape[0]):
            d = c * (dense[i, j] - m)
            r[i] -= d
            wr[i] -= w[i] * d


@njit(cache=True, nogil=True)
def coordinate_gain(c, lam1, lip, lo, hi):
    """Best value of one coordinate and the objective decrease it buys.

    Minimises ``0.5*lip*t**2 - c*t + lam1*|t|`` over ``lo <= t <= hi``
    (``lo <= 0 <= hi``).  Returns ``(t, gain)`` where ``gain`` is the decrease
    relative to ``t = 0``; the caller keeps ``t`` only if ``gain`` beats the
    coordinate's L0 price.
    """
    a = abs(c) - lam1
    if a <= 0.0:
        return 0.0, 0.0
    v = a / lip
    if c < 0.0:
        v = -v
    t = v
    if t < lo:
        t = lo
    elif t > hi:
        t = hi
    d = t - v
    return t, 0.5 * lip * (v * v - d * d)


@njit(cache=True, nogil=True)
def penalised_objective(r, wr, beta, price, lam1, lam2):
    """``0.5 * sum(w r^2) + sum_{beta_j != 0} price_j + lam1|b|_1 + sum_j lam2_j b_j^2``."""
    loss = 0.0
    for i in range(r.shape[0]):
        loss += r[i] * wr[i]
    pen = 0.0
    for j in range(beta.shape[0]):
        b = beta[j]
        if b != 0.0:
            pen += price[j] + lam1 * abs(b) + lam2[j] * b * b
    return 0.5 * loss + pen


# Relative width of a tie between a coordinate's gain and its L0 price.
_TIE = 1e-9


@njit(cache=True, nogil=True)
def cd_sweeps(dense, data, indices, indptr, is_sparse, mu, inv_s, w, r, wr, beta,
              coords, price, lam1, lam2, lo, hi, max_support, max_sweeps, rtol, atol,
              active_set_num):
    """Cyclic coordinate descent over ``coords`` until the objective settles.

    ``price[j]`` is coordinate ``j``'s L0 price (``lambda_0``, or 0 for coordinates
    exempt from the L0 term), ``lam2[j]`` its ridge weight.

    Once the support has been unchanged for ``active_set_num - 1`` sweeps, the
    sweeps run over the support only; convergence there is confirmed by one
    more sweep over all of ``coords``.  A coordinate outside the support may
    enter only while fewer than ``max_support`` coordinates are nonzero.

    ``beta``, ``r`` and ``wr`` are updated in place.  Returns ``(n_sweeps, converged)``.
    """
    nnz = 0
    for j in range(beta.shape[0]):
        if beta[j] != 0.0:
            nnz += 1
    f_old = penalised_objective(r, wr, beta, price, lam1, lam2)
    stable = 0
    restricted = False
    for sweep in range(max_sweeps):
        support_changed = False
        for idx in range(coords.shape[0]):
            j = coords[idx]
            b_old = beta[j]
            if restricted and b_old == 0.0:
                continue
            if inv_s[j] == 0.0:  # constant column: never enters
                continue
            if b_old == 0.0 and nnz >= max_support:
                continue
            g = inv_s[j] * column_dot(j, dense, data, indices, indptr, is_sparse, wr)
            t, gain = coordinate_gain(b_old + g, lam1, 1.0 + 2.0 * lam2[j], lo[j], hi[j])
            # A gain equal to the price up to rounding is a tie: the coordinate keeps its
            # state (in or out), so a tie cannot make it enter and leave on alternate sweeps.
            tie = _TIE * price[j]
            if gain <= price[j] - tie or (b_old == 0.0 and gain <= price[j] + tie):
                t = 0.0
            if t != b_old:
                update_residual(j, t - b_old, dense, data, indices, indptr, is_sparse,
                                mu, inv_s, w, r, wr)
                beta[j] = t
                if b_old == 0.0:
                    nnz += 1
                    support_changed = True
                elif t == 0.0:
                    nnz -= 1
                    support_changed = True
        f = penalised_objective(r, wr, beta, price, lam1, lam2)
        if support_changed:
            stable = 0
        else:
            stable += 1
        settled = abs(f_old - f) <= rtol * abs(f_old) or f <= atol
        f_old = f
        if settled:
            if restricted:
                restricted = False  # confirm with one sweep over all coords
                stable = 0
                continue
            if not support_changed:
                return sweep + 1, True
        elif not restricted and stable >= active_set_num - 1:
            restricted = True
    return max_sweeps, False


@njit(cache=True, nogil=True, fastmath={"reassoc", "nsz", "contract"})
def column_stats(dense, data, indices, indptr, is_sparse, n_features, w, center):
    """Weighted column means (zero unless ``center``) and weighted norms of ``x_j - mu_j``.

    Also returns the largest absolute entry of each column, used to decide
    whether a tiny norm means a constant column.
    """
    mu = np.zeros(n_features)
    norm = np.zeros(n_features)
    amax = np.zeros(n_features)
    w_sum = 0.0
    for i in range(w.shape[0]):
        w_sum += w[i]
    for j in range(n_features):
        if is_sparse:
            s = 0.0
            w_nz = 0.0
            for k in range(indptr[j], indptr[j + 1]):
                i = indices[k]
                s += w[i] * data[k]
                w_nz += w[i]
                if abs(data[k]) > amax[j]:
                    amax[j] = abs(data[k])
            m = s / w_sum if center else 0.0
            ss = 0.0
            for k in range(indptr[j], indptr[j + 1]):
                d = data[k] - m
                ss += w[indices[k]] * d * d
            ss += m * m * max(w_sum - w_nz, 0.0)
        else:
            s = 0.0
            a = 0.0
            for i in range(dense.shape[0]):  # branch-free, so the loop vectorises
                x = dense[i, j]
                s += w[i] * x
                a = max(a, abs(x))
            amax[j] = a
            m = s / w_sum if center else 0.0
            ss = 0.0
            for i in range(dense.shape[0]):
                d = dense[i, j] - m
                ss += w[i] * d * d
        mu[j] = m
        norm[j] = np.sqrt(ss)
    return mu, norm, amax


@njit(cache=True, nogil=True)
def best_swap(g, gram, beta_out, support, outside, lam1, lam2, lo, hi):
    """The best single swap: ``support[k]`` leaves, an ``outside`` coordinate enters.

    ``gram[:, k]`` is ``X~' W x~_i`` for ``i = support[k]``; once ``i`` is removed
    the gradient is ``g + beta_i * gram[:, k]``.  The entering coordinate takes its
    best single-coordinate value, the others stay fixed, so the objective falls by
    at least ``gain_in - gain_out``.  Returns ``(improvement, k, j, t_j)``; ``k = -1``
    when there is no candidate.  ``lam2[j]`` is coordinate ``j``'s ridge weight.
    """
    s = support.shape[0]
    gain_out = np.empty(s)
    for k in range(s):
        i = support[k]
        _, gain_out[k] = coordinate_gain(g[i] + beta_out[k] * gram[i, k], lam1,
                                         1.0 + 2.0 * lam2[i], lo[i], hi[i])
    best, best_k, best_j, best_t = -np.inf, -1, -1, 0.0
    for j in range(g.shape[0]):
        if not outside[j]:
            continue
        lip = 1.0 + 2.0 * lam2[j]
        for k in range(s):
            t, gain = coordinate_gain(g[j] + beta_out[k] * gram[j, k], lam1, lip, lo[j], hi[j])
            if gain - gain_out[k] > best:
                best, best_k, best_j, best_t = gain - gain_out[k], k, j, t
    return best, best_k, best_j, best_t
