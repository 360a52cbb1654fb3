"""Exact one-dimensional fusion problems: the fused-lasso signal approximator and segmentation.

Shared by FAST (additive step functions) and FIRE (rule extraction):

* :func:`flsa` solves the weighted fused-lasso signal approximator

  .. math:: \\min_\\theta \\tfrac12 \\sum_k c_k (a_k - \\theta_k)^2
            + \\lambda \\sum_k |\\theta_{k+1} - \\theta_k|

  exactly in O(m) by Johnson's (2013) dynamic programme;
* :func:`segment_l0` solves the same problem with the *number* of jumps
  priced instead of their size (optimal partitioning, exact, with PELT pruning);
* :func:`star_fusion` fuses unordered levels (categories) to a free common
  centre, the shift-invariant analogue of total variation without an order;
* :func:`smooth_chain` and :func:`smooth_star` price the *squares* of the
  differences instead (a discrete smoothing spline of order one: shapes with
  many small steps rather than a few large ones), exactly in O(m).

All five keep the weighted mean of ``a``: their solutions satisfy
``sum(c * theta) == sum(c * a)``.  Entries with ``c_k == 0`` carry no data; they
are given the value of the nearest weighted neighbour on the left (on the right
for leading ones), which is optimal since it adds no penalty.
"""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _flsa_positive(a, c, lam, out):
    """Johnson's DP for ``c > 0`` everywhere (see :func:`flsa`).

    Forward pass: the derivative ``D`` of the optimal cost-to-come is continuous,
    increasing and piecewise linear.  It is stored as the coefficients of its
    leftmost piece ``(al, bl)`` (``D = al*t + bl``) and rightmost piece
    ``(ar, br)``, plus a deque of knots; crossing knot ``q`` from left to right
    adds ``(ks[q], kb[q])`` to the coefficients.  Clipping ``D`` to
    ``[-lam, lam]`` (the message through ``lam*|t' - t|``) pops knots from both
    ends, amortised O(1) per step.  Backward pass: ``theta_k`` is
    ``theta_{k+1}`` clipped to ``[lo_k, hi_k]``.
    """
    m = a.shape[0]
    size = 2 * m + 2
    kx = np.empty(size)
    ks = np.empty(size)
    kb = np.empty(size)
    lo = np.empty(m)
    hi = np.empty(m)
    left = m + 1  # deque occupies [left, right)
    right = m + 1
    al = c[0]
    bl = -c[0] * a[0]
    ar = al
    br = bl
    for k in range(m - 1):
        # lower end: D(t) = -lam
        sa = al
        sb = bl
        while left < right and sa * kx[left] + sb <= -lam:
            sa += ks[left]
            sb += kb[left]
            left += 1
        t_lo = (-lam - sb) / sa
        # upper end: D(t) = +lam
        ea = ar
        eb = br
        while right > left and ea * kx[right - 1] + eb >= lam:
            ea -= ks[right - 1]
            eb -= kb[right - 1]
            right -= 1
        t_hi = (lam - eb) / ea
        lo[k] = t_lo
        hi[k] = t_hi
        # new knots: constant -lam left of t_lo, constant +lam right of t_hi
        left -= 1
        kx[left] = t_lo
        ks[left] = sa
        kb[left] = sb + lam
        kx[right] = t_hi
        ks[right] = -ea
        kb[right] = lam - eb
        right += 1
        # add the next data term c (t - a)
        ck = c[k + 1]
        al = ck
        bl = -lam - ck * a[k + 1]
        ar = ck
        br = lam - ck * a[k + 1]
    # last: D(t) = 0
    sa = al
    sb = bl
    while left < right and sa * kx[left] + sb <= 0.0:
        sa += ks[left]
        sb += kb[left]
        left += 1
    t = -sb / sa
    out[m - 1] = t
    for k in range(m - 2, -1, -1):
        if t < lo[k]:
            t = lo[k]
        elif t > hi[k]:
            t = hi[k]
        out[k] = t


@njit(cache=True, nogil=True)
def _fill_unweighted(c, out, n_pos, idx, tmp):
    """Scatter the solution of the positive-weight entries back, filling the gaps."""
    m = c.shape[0]
    if n_pos == 0:
        out[:] = 0.0
        return
    q = 0
    last = tmp[0]
    for k in range(m):
        if q < n_pos and idx[q] == k:
            last = tmp[q]
            q += 1
        out[k] = last


@njit(cache=True, nogil=True)
def flsa(a, c, lam, out):
    """Weighted fused-lasso signal approximator, exact, O(m).

    Parameters
    ----------
    a : float64 array (m,)
        Data.
    c : float64 array (m,)
        Non-negative weights.
    lam : float
        Fusion weight (>= 0).
    out : float64 array (m,)
        Receives the minimiser.
    """
    m = a.shape[0]
    if m == 0:
        return
    n_pos = 0
    for k in range(m):
        if c[k] > 0.0:
            n_pos += 1
    if n_pos == m:
        _flsa_positive(a, c, lam, out)
        return
    idx = np.empty(n_pos, dtype=np.int64)
    q = 0
    for k in range(m):
        if c[k] > 0.0:
            idx[q] = k
            q += 1
    tmp = np.empty(n_pos)
    if n_pos > 0:
        _flsa_positive(a[idx], c[idx], lam, tmp)
    _fill_unweighted(c, out, np.int64(n_pos), idx, tmp)  # int64: never a literal 0


@njit(cache=True, nogil=True)
def _fill_gaps(c, out):
    """Zero-weight entries take the nearest weighted value on the left (right for leading
    ones): the unpenalised solution's convention, as :func:`flsa`'s."""
    m = c.shape[0]
    first = -1
    for k in range(m):
        if c[k] > 0.0:
            first = k
            break
    for k in range(first):
        out[k] = out[first]
    for k in range(first + 1, m):
        if not c[k] > 0.0:
            out[k] = out[k - 1]


@njit(cache=True, nogil=True)
def _segment_cost(s0, s1, s2, i, k):
    """Half the weighted sum of squares of a[i:k] about its weighted mean (prefix sums)."""
    w = s0[k] - s0[i]
    if w <= 0.0:
        return 0.0
    sx = s1[k] - s1[i]
    v = (s2[k] - s2[i]) - sx * sx / w
    return 0.5 * v if v > 0.0 else 0.0


@njit(cache=True, nogil=True)
def segment_l0(a, c, lam, out, prune):
    """Optimal partitioning: min ½ Σ c_k (a_k − θ_k)² + lam · #{k : θ_{k+1} ≠ θ_k}.

    Exact dynamic programme over the position of the last jump,
    ``F(k) = min_l F(l) + SSE(l..k) + lam`` with ``F(0) = -lam``; each segment
    takes the weighted mean of its entries.  With ``prune`` the PELT rule drops a
    candidate ``l`` once ``F(l) + SSE(l..k) > F(k)`` (it can never be optimal
    again because adding data to a segment never lowers its cost by more than
    splitting it would), giving near-linear time when jumps are frequent.

    Returns the optimal objective value.
    """
    m = a.shape[0]
    if m == 0:
        return 0.0
    s0 = np.zeros(m + 1)
    s1 = np.zeros(m + 1)
    s2 = np.zeros(m + 1)
    # centre for accurate prefix sums
    wsum = 0.0
    wa = 0.0
    for k in range(m):
        wsum += c[k]
        wa += c[k] * a[k]
    centre = wa / wsum if wsum > 0.0 else 0.0
    for k in range(m):
        d = a[k] - centre
        s0[k + 1] = s0[k] + c[k]
        s1[k + 1] = s1[k] + c[k] * d
        s2[k + 1] = s2[k] + c[k] * d * d
    F = np.empty(m + 1)
    F[0] = -lam
    last = np.zeros(m + 1, dtype=np.int64)
    cand = np.empty(m + 1, dtype=np.int64)
    n_cand = 1
    cand[0] = 0
    for k in range(1, m + 1):
        best = np.inf
        arg = 0
        for q in range(n_cand):
            l = cand[q]
            v = F[l] + _segment_cost(s0, s1, s2, l, k) + lam
            if v < best:
                best = v
                arg = l
        F[k] = best
        last[k] = arg
        if prune:
            kept = 0
            for q in range(n_cand):
                l = cand[q]
                if F[l] + _segment_cost(s0, s1, s2, l, k) <= F[k]:
                    cand[kept] = l
                    kept += 1
            n_cand = kept
        cand[n_cand] = k
        n_cand += 1
    # backtrack
    k = m
    while k > 0:
        l = last[k]
        w = s0[k] - s0[l]
        mean = centre + ((s1[k] - s1[l]) / w if w > 0.0 else 0.0)
        for q in range(l, k):
            out[q] = mean
        k = l
    if wsum <= 0.0:
        out[:] = 0.0
    else:
        _fill_gaps(c, out)
    return F[m]


@njit(cache=True, nogil=True)
def star_fusion(a, c, lam, out):
    """min ½ Σ c_k (a_k − θ_k)² + lam Σ_k |θ_k − μ| over θ and a free centre μ.

    For fixed μ, θ_k = μ + soft(a_k − μ, lam / c_k); the optimal μ is the root of
    the decreasing piecewise-linear φ(μ) = Σ_k clip(c_k (a_k − μ), −lam, lam),
    found by bisection and then solved exactly on its linear piece.  For two
    levels this is total variation: |θ_1 − μ| + |θ_2 − μ| ≥ |θ_2 − θ_1|.
    Returns μ.
    """
    m = a.shape[0]
    lo = np.inf
    hi = -np.inf
    cmin = np.inf
    for k in range(m):
        if c[k] > 0.0:
            lo = min(lo, a[k])
            hi = max(hi, a[k])
            cmin = min(cmin, c[k])
    if lo > hi:
        out[:] = 0.0
        return 0.0
    if lam <= 0.0:
        for k in range(m):
            out[k] = a[k] if c[k] > 0.0 else 0.0
        return 0.0
    lo -= lam / cmin
    hi += lam / cmin
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        phi = 0.0
        for k in range(m):
            if c[k] > 0.0:
                v = c[k] * (a[k] - mid)
                phi += min(max(v, -lam), lam)
        if phi > 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * (1.0 + abs(mid)):
            break
    mu = 0.5 * (lo + hi)
    # exact root on the linear piece containing mu
    num = 0.0
    den = 0.0
    for k in range(m):
        if c[k] > 0.0:
            v = c[k] * (a[k] - mu)
            if v >= lam:
                num += lam
            elif v <= -lam:
                num -= lam
            else:
                num += c[k] * a[k]
                den += c[k]
    if den > 0.0:
        mu = num / den
    for k in range(m):
        if c[k] > 0.0:
            d = a[k] - mu
            t = lam / c[k]
            if d > t:
                out[k] = mu + d - t
            elif d < -t:
                out[k] = mu + d + t
            else:
                out[k] = mu
        else:
            out[k] = mu
    return mu


@njit(cache=True, nogil=True)
def smooth_chain(a, c, lam, out):
    """min ½ Σ c_k (a_k − θ_k)² + ½ lam Σ_k (θ_{k+1} − θ_k)², exact, O(m).

    The normal equations ``(diag(c) + lam L) θ = c a`` (``L`` the path
    Laplacian) are tridiagonal and positive definite once some ``c_k > 0``; they
    are solved by the Thomas algorithm for the deviation from the weighted mean
    of ``a`` (``L`` annihilates constants), which keeps the mean exact when
    ``lam`` dwarfs the weights.  Zero-weight entries are interpolated linearly
    between their weighted neighbours (and take the nearest one's value at the
    ends), which is what the penalty asks for.
    """
    m = a.shape[0]
    if m == 0:
        return
    total = 0.0
    mean = 0.0
    for k in range(m):
        if c[k] > 0.0:
            total += c[k]
            mean += c[k] * a[k]
    if total <= 0.0:
        out[:] = 0.0
        return
    mean /= total
    if lam <= 0.0 or m == 1:
        for k in range(m):
            out[k] = a[k] - mean if c[k] > 0.0 else np.nan
        _fill_gaps(c, out)
    else:
        # forward elimination on the rows of (diag(c) + lam L); sub- and
        # super-diagonals are -lam
        diag = np.empty(m)
        for k in range(m):
            diag[k] = c[k] + lam * ((k > 0) + (k < m - 1))
        cp = np.empty(m)
        piv = diag[0]
        cp[0] = -lam / piv
        out[0] = c[0] * (a[0] - mean) / piv if c[0] > 0.0 else 0.0
        for k in range(1, m):
            piv = diag[k] + lam * cp[k - 1]
            cp[k] = -lam / piv
            rhs = c[k] * (a[k] - mean) if c[k] > 0.0 else 0.0
            out[k] = (rhs + lam * out[k - 1]) / piv
        for k in range(m - 2, -1, -1):
            out[k] -= cp[k] * out[k + 1]
    for k in range(m):
        out[k] += mean


@njit(cache=True, nogil=True)
def smooth_star(a, c, lam, out):
    """min ½ Σ c_k (a_k − θ_k)² + ½ lam Σ_k (θ_k − μ)² over θ and a free centre μ.

    For fixed μ, θ_k = (c_k a_k + lam μ) / (c_k + lam); the optimal μ is the
    plain mean of θ, which gives μ = Σ_k c_k a_k / (c_k + lam) / Σ_k c_k / (c_k
    + lam).  Zero-weight levels take μ.  Returns μ.
    """
    m = a.shape[0]
    num = 0.0
    den = 0.0
    for k in range(m):
        if c[k] > 0.0:
            num += c[k] * a[k] / (c[k] + lam)
            den += c[k] / (c[k] + lam)
    if den <= 0.0:
        out[:] = 0.0
        return 0.0
    mu = num / den
    for k in range(m):
        out[k] = (c[k] * a[k] + lam * mu) / (c[k] + lam) if c[k] > 0.0 else mu
    return mu


@njit(cache=True, nogil=True)
def squared_differences(theta):
    acc = 0.0
    for k in range(theta.shape[0] - 1):
        d = theta[k + 1] - theta[k]
        acc += d * d
    return acc


@njit(cache=True, nogil=True)
def squared_deviations(theta):
    """Σ_k (θ_k − mean θ)²: the star penalty at its best centre."""
    mu = 0.0
    for k in range(theta.shape[0]):
        mu += theta[k]
    mu /= max(theta.shape[0], 1)
    acc = 0.0
    for k in range(theta.shape[0]):
        acc += (theta[k] - mu) ** 2
    return acc


@njit(cache=True, nogil=True)
def total_variation(theta):
    acc = 0.0
    for k in range(theta.shape[0] - 1):
        acc += abs(theta[k + 1] - theta[k])
    return acc


@njit(cache=True, nogil=True)
def count_jumps(theta):
    n = 0
    for k in range(theta.shape[0] - 1):
        if theta[k + 1] != theta[k]:
            n += 1
    return n
