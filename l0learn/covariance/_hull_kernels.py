"""The diagonal-aware ("hull") relaxation of the l0l2 pseudolikelihood.

Row ``i``'s loss term splits, for any ``shift_i >= 0`` (``shift_ij`` on entry ``j``)::

    theta_i' S theta_i / theta_ii = theta_i' S'_i theta_i / theta_ii + shift_ii theta_ii
                                    + sum_{j != i} shift_ij theta_ij^2 / theta_ii,

with ``S'_i = S - diag(shift_i)``.  The first term is linear in ``theta_ii`` plus a
quadratic-over-linear term in the off-diagonal entries, jointly convex as long as the
block ``S'_i[-i, -i]`` is positive semidefinite (``shift_ii`` only moves a linear
term).  Every optimal ``Theta`` has its diagonal at the closed-form minimiser, so
``theta_ii >= L_i = 1 / S_ii``.  The convex hull of ``{z = 1, s >= c theta^2 / t, t >= L}``
and ``{z = 0, theta = 0, t >= L}`` gives the term ``c theta_ij^2 / (theta_ii - (1 - z_ij) L_i)``
(exact at ``z = 1``; for fractional ``z`` much larger than the perspective alone).  The
node relaxation is therefore::

    min  sum_i [-log theta_ii + theta_i' S'_i theta_i / theta_ii + shift_ii theta_ii]
       + sum_{i<j} [lam0 z_ij + lam2 theta_ij^2 / z_ij + h_ij(theta_ij, theta_ii, z_ij)
                    + h_ji(theta_ij, theta_jj, z_ij)],
    h_ij = shift_ij theta^2 / (theta_ii - (1 - z) L_i),  |theta_ij| <= M z_ij,  theta_ii >= L_i,

with ``z`` in [0, 1] (fixed to 0 or 1 by the node).  The state is ``Theta``, ``H`` (row
``i``: ``theta_i' S'_i``), ``q_i = theta_i' S'_i theta_i`` and ``Z``.  Pair steps minimise
over ``(theta_ij, z_ij)`` jointly (closed form in ``theta`` for fixed ``z``, golden
section in ``z``); diagonal steps are safeguarded Newton on a convex 1-D function.  The
lower bound linearises the (jointly convex) hull terms at the current point and takes
the Fenchel bound of the rest (module function :func:`hull_dual_bound`): valid at any
point, equal to the relaxation's value at its optimum.
"""

import numpy as np
from numba import njit

from ._kernels import _append_pair

_GOLDEN = 0.6180339887498949


@njit(cache=True, nogil=True)
def _pair_value(z, a, b, lam0, lam2, big_m, d_i, l_i, d_j, l_j, s_ij, s_ji):
    """Best ``(theta, value)`` of the pair for a fixed ``z > 0``."""
    quad = a + lam2 / z + s_ij / (d_i - (1.0 - z) * l_i) + s_ji / (d_j - (1.0 - z) * l_j)
    t = -b / (2.0 * quad)
    cap = big_m * z
    if t > cap:
        t = cap
    elif t < -cap:
        t = -cap
    return t, quad * t * t + b * t + lam0 * z


@njit(cache=True, nogil=True)
def hull_pair_step(a, b, kind, lam0, lam2, big_m, d_i, l_i, d_j, l_j, s_ij, s_ji, threshold):
    """Minimiser ``(theta, z)`` of ``a t^2 + b t + lam0 z + lam2 t^2 / z + h_i + h_j``."""
    if kind == 2:
        t, _ = _pair_value(1.0, a, b, lam0, lam2, big_m, d_i, l_i, d_j, l_j, s_ij, s_ji)
        return t, 1.0
    if abs(b) <= threshold:  # the envelope's slope at 0 is at least the plain one
        return 0.0, 0.0
    lo, hi = 0.0, 1.0
    x1 = hi - _GOLDEN * (hi - lo)
    x2 = lo + _GOLDEN * (hi - lo)
    f1 = _pair_value(x1, a, b, lam0, lam2, big_m, d_i, l_i, d_j, l_j, s_ij, s_ji)[1]
    f2 = _pair_value(x2, a, b, lam0, lam2, big_m, d_i, l_i, d_j, l_j, s_ij, s_ji)[1]
    for _ in range(80):
        # the pair's value is flat (quadratic) at its minimum: z to 1e-8 leaves ~1e-16
        # of it (1e-13 cost twice the evaluations; p = 200: 18 % more nodes a second)
        if hi - lo <= 1e-8:
            break
        if f1 <= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - _GOLDEN * (hi - lo)
            f1 = _pair_value(x1, a, b, lam0, lam2, big_m, d_i, l_i, d_j, l_j, s_ij, s_ji)[1]
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + _GOLDEN * (hi - lo)
            f2 = _pair_value(x2, a, b, lam0, lam2, big_m, d_i, l_i, d_j, l_j, s_ij, s_ji)[1]
    z = 0.5 * (lo + hi)
    t, value = _pair_value(z, a, b, lam0, lam2, big_m, d_i, l_i, d_j, l_j, s_ij, s_ji)
    t1, v1 = _pair_value(1.0, a, b, lam0, lam2, big_m, d_i, l_i, d_j, l_j, s_ij, s_ji)
    if v1 < value:
        t, value, z = t1, v1, 1.0
    if value >= 0.0:  # theta = 0, z = 0 has value 0
        return 0.0, 0.0
    return t, z


@njit(cache=True, nogil=True)
def shifted_pair_coefficients(S, shift, theta, H, i, j):
    """``(a, b)`` of the pair's quadratic in ``theta_ij`` with row ``i`` on ``S - diag(shift[i])``."""
    tii, tjj, t = theta[i, i], theta[j, j], theta[i, j]
    sjj = S[j, j] - shift[i, j]
    sii = S[i, i] - shift[j, i]
    a = sjj / tii + sii / tjj
    b = 2.0 * (H[i, j] - t * sjj) / tii + 2.0 * (H[j, i] - t * sii) / tjj
    return a, b


@njit(cache=True, nogil=True)
def shifted_set_pair(S, shift, theta, H, q, i, j, value):
    """Set ``theta_ij = theta_ji = value``; ``H`` row ``i`` is ``theta_i' (S - diag(shift[i]))``."""
    d = value - theta[i, j]
    if d == 0.0:
        return
    p = S.shape[0]
    q[i] += 2.0 * d * H[i, j] + d * d * (S[j, j] - shift[i, j])
    q[j] += 2.0 * d * H[j, i] + d * d * (S[i, i] - shift[j, i])
    theta[i, j] = value
    theta[j, i] = value
    for k in range(p):
        H[i, k] += d * S[j, k]
        H[j, k] += d * S[i, k]
    H[i, j] -= d * shift[i, j]
    H[j, i] -= d * shift[j, i]


@njit(cache=True, nogil=True)
def shift_state(shift, theta, H, q, rows, cols):
    """Turn a state on ``S`` (``H = Theta S``) into one on the shifted rows, in place.

    Row ``i`` of ``H`` becomes ``theta_i' (S - diag(shift[i]))`` and ``q_i = H_i . theta_i``;
    only the nonzero entries (the diagonal and the pairs ``rows, cols``) change them.
    """
    for i in range(theta.shape[0]):
        t = theta[i, i]
        H[i, i] -= t * shift[i, i]
        q[i] -= shift[i, i] * t * t
    for e in range(rows.shape[0]):
        i, j = rows[e], cols[e]
        v = theta[i, j]
        if v == 0.0 or i == j:
            continue
        H[i, j] -= v * shift[i, j]
        H[j, i] -= v * shift[j, i]
        q[i] -= shift[i, j] * v * v
        q[j] -= shift[j, i] * v * v


@njit(cache=True, nogil=True)
def hull_diagonal_step(S, shift, theta, H, q, Z, lower, i):
    """Minimise over ``theta_ii >= L_i`` (safeguarded Newton); returns the change."""
    p = S.shape[0]
    t = theta[i, i]
    sii = S[i, i] - shift[i, i]  # row i's shifted diagonal entry
    c = max(q[i] - 2.0 * t * H[i, i] + t * t * sii, 0.0)
    a = S[i, i]  # the shifted entry plus the linear shift[i, i] theta_ii term
    li = lower[i]
    # Hull terms of the row: shift_ij theta_ij^2 / (x - (1 - z_ij) L_i).
    num = np.empty(p)
    off = np.empty(p)
    m = 0
    for j in range(p):
        if j != i and theta[i, j] != 0.0:
            num[m] = shift[i, j] * theta[i, j] * theta[i, j]
            off[m] = (1.0 - Z[i, j]) * li
            m += 1

    def slope(x):
        g = -1.0 / x - c / (x * x) + a
        for k in range(m):
            r = x - off[k]
            g -= num[k] / (r * r)
        return g

    if slope(li) >= 0.0:
        new = li
    else:
        lo = li
        hi = max((1.0 + np.sqrt(1.0 + 4.0 * a * c)) / (2.0 * a), li) * 2.0
        while slope(hi) < 0.0:
            lo = hi
            hi *= 2.0
        new = 0.5 * (lo + hi)
        for _ in range(200):
            g = slope(new)
            if g < 0.0:
                lo = new
            else:
                hi = new
            if hi - lo <= 1e-15 * hi:
                break
            curv = 1.0 / (new * new) + 2.0 * c / (new * new * new)
            for k in range(m):
                r = new - off[k]
                curv += 2.0 * num[k] / (r * r * r)
            step = new - g / curv
            new = step if lo < step < hi else 0.5 * (lo + hi)
    delta_t = new - t
    if delta_t != 0.0:
        q[i] += 2.0 * delta_t * H[i, i] + delta_t * delta_t * sii
        theta[i, i] = new
        for k in range(p):
            H[i, k] += delta_t * S[i, k]
        H[i, i] -= delta_t * shift[i, i]
    return delta_t


@njit(cache=True, nogil=True)
def hull_objective(shift, theta, q, Z, kind, lower, lam0, lam2):
    """The relaxation's value at ``(Theta, Z)`` (``Z`` is 1 on pairs fixed to one)."""
    p = q.shape[0]
    f = 0.0
    for i in range(p):
        f += -np.log(theta[i, i]) + q[i] / theta[i, i] + shift[i, i] * theta[i, i]
    for i in range(p):
        for j in range(i + 1, p):
            if kind[i, j] == 0:
                continue
            z = 1.0 if kind[i, j] == 2 else Z[i, j]
            f += lam0 * z
            t = theta[i, j]
            if t != 0.0:
                f += lam2 * t * t / z
                f += shift[i, j] * t * t / (theta[i, i] - (1.0 - z) * lower[i])
                f += shift[j, i] * t * t / (theta[j, j] - (1.0 - z) * lower[j])
    return f


@njit(cache=True, nogil=True)
def hull_sweeps(S, shift, theta, H, q, Z, rows, cols, kind, lower, lam0, lam2, big_m, threshold,
                max_sweeps, rtol):
    """Block CD on the hull relaxation: pairs ``(theta_ij, z_ij)``, then every diagonal."""
    p = S.shape[0]
    f_old = hull_objective(shift, theta, q, Z, kind, lower, lam0, lam2)
    f = f_old
    for sweep in range(max_sweeps):
        for e in range(rows.shape[0]):
            i, j = rows[e], cols[e]
            if kind[i, j] == 0:
                continue
            a, b = shifted_pair_coefficients(S, shift, theta, H, i, j)
            t, z = hull_pair_step(a, b, kind[i, j], lam0, lam2, big_m, theta[i, i], lower[i],
                                  theta[j, j], lower[j], shift[i, j], shift[j, i], threshold)
            shifted_set_pair(S, shift, theta, H, q, i, j, t)
            Z[i, j] = Z[j, i] = z
        for i in range(p):
            hull_diagonal_step(S, shift, theta, H, q, Z, lower, i)
        f = hull_objective(shift, theta, q, Z, kind, lower, lam0, lam2)
        if abs(f_old - f) <= rtol * max(abs(f), 1.0):
            return sweep + 1, f
        f_old = f
    return max_sweeps, f


@njit(cache=True, nogil=True)
def _kappa(v, lam2, big_m):
    """``-min_{|t| <= M} (v t + lam2 t^2)`` for ``v >= 0`` (per unit of ``z``)."""
    if lam2 == 0.0:
        return big_m * v
    if v <= 2.0 * lam2 * big_m:
        return v * v / (4.0 * lam2)
    return big_m * v - lam2 * big_m * big_m


@njit(cache=True, nogil=True)
def hull_dual_bound(S, shift, theta, H, q, Z, kind, lower, lam0, lam2, big_m):
    """A lower bound on the hull relaxation, valid at any ``(Theta, Z)`` with ``theta_ii >= L_i``.

    Each hull term ``h(t, x, z) = delta t^2 / (x - (1 - z) L)`` is jointly convex, so it is
    above its tangent plane at the current point; what remains is the loss (bounded by
    the Fenchel step of :func:`l0learn.covariance._kernels.dual_bound` with ``nu_i = 2 R_i /
    theta_ii``) plus terms linear in ``theta_ii`` and in each ``(theta_ij, z_ij)`` with the
    perspective: separable and minimised in closed form.
    """
    p = S.shape[0]
    cdiag = np.empty(p)
    for i in range(p):
        tii = theta[i, i]
        cdiag[i] = 2.0 * H[i, i] / tii - q[i] / (tii * tii) + shift[i, i]
    total = 0.0
    for i in range(p):
        for j in range(i + 1, p):
            k = kind[i, j]
            if k == 0:
                continue
            t = theta[i, j]
            w = 2.0 * H[i, j] / theta[i, i] + 2.0 * H[j, i] / theta[j, j]
            gz = 0.0
            const = 0.0
            if t != 0.0:
                z = 1.0 if k == 2 else Z[i, j]
                for side in range(2):
                    s = i if side == 0 else j
                    sh = shift[i, j] if side == 0 else shift[j, i]
                    den = theta[s, s] - (1.0 - z) * lower[s]
                    h = sh * t * t / den
                    g_t = 2.0 * sh * t / den
                    g_x = -h / den
                    g_z = -h * lower[s] / den
                    w += g_t
                    gz += g_z
                    cdiag[s] += g_x
                    const += h - g_t * t - g_x * theta[s, s] - g_z * z
            slope = lam0 + gz - _kappa(abs(w), lam2, big_m)
            total += const + (slope if k == 2 else min(0.0, slope))
    for i in range(p):
        c = cdiag[i]
        if not c > 0.0:
            return -np.inf
        if 1.0 / c >= lower[i]:
            total += 1.0 + np.log(c)
        else:
            total += -np.log(lower[i]) + c * lower[i]
    return total


@njit(cache=True, nogil=True)
def hull_violations(S, shift, theta, H, kind, lower, lam0, lam2, big_m, threshold):
    """Free zero pairs whose joint ``(theta, z)`` step would leave zero."""
    p = S.shape[0]
    count = 0
    out_i = np.empty(16, dtype=np.int64)
    out_j = np.empty(16, dtype=np.int64)
    for i in range(p):
        for j in range(i + 1, p):
            if kind[i, j] != 1 or theta[i, j] != 0.0:
                continue
            a, b = shifted_pair_coefficients(S, shift, theta, H, i, j)
            if abs(b) <= threshold:
                continue
            t, _ = hull_pair_step(a, b, np.int8(1), lam0, lam2, big_m, theta[i, i], lower[i],
                                  theta[j, j], lower[j], shift[i, j], shift[j, i], threshold)
            if t != 0.0:
                out_i, out_j = _append_pair(out_i, out_j, np.int64(count), i, j)
                count += 1
    return out_i[:count], out_j[:count]
