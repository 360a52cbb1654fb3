"""Numba kernels of the multi-task node relaxation (see :mod:`._exact` for the maths).

Plain arrays in and out, in one of two forms (``gram``):

* residual form: every task k is a block of rows ``start[k]:start[k+1]`` of one
  Fortran-ordered design ``D`` (its centred rows, or a square root of its Gram matrix
  when it has more rows than features); ``r`` holds the residuals ``t - D B`` and a
  coordinate's gradient costs a column's length;
* covariance form (every task has at least as many rows as features): ``G`` (K, p, p)
  holds ``X_k' X_k / n_k``, ``b`` (K, p) ``X_k' y_k / n_k`` and ``GB[k] = G_k beta_k``
  is kept current: reading a gradient is free, a move costs ``p``, which pays when
  sweeps visit many coordinates that stay at zero.

``scale[k]`` is ``n_k`` (the loss is ``||t_k - D_k beta_k||^2 / (2 n_k)``),
``sq[k, j] = ||X_kj||^2 / n_k``.  ``state`` marks each binary: 0 free, 1 fixed to one,
-1 fixed to zero.
"""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _perspective_step(v, a, mu, cost, fixed_one):
    """Minimiser of ``(a/2) t^2 - v t + rho(t)``, rho the relaxed penalty of one coefficient.

    ``rho(t) = min_{z in [0, 1]} (mu/2) t^2 / z + cost z``: the reverse Huber
    ``sqrt(2 cost mu)|t|`` up to ``|t| = sqrt(2 cost / mu)``, then ``(mu/2) t^2 + cost``
    (``cost <= 0`` or a fixed one: always the latter).
    """
    if fixed_one or cost <= 0.0:
        return v / (a + mu)
    slope = np.sqrt(2.0 * cost * mu)
    x = abs(v)
    if x <= slope:
        return 0.0
    knee = np.sqrt(2.0 * cost / mu)
    if x >= (a + mu) * knee:
        return v / (a + mu)
    # Between the two: the shrunk value, at most the knee.  The region is empty when
    # a = 0 in exact arithmetic; rounding can leave a sliver, where t = knee.
    t = (x - slope) / a if a > 0.0 else knee
    if not t <= knee:
        t = knee
    return t if v > 0.0 else -t


@njit(cache=True, nogil=True)
def _column_dot(D, r, lo, hi, j):
    acc = 0.0
    for i in range(lo, hi):
        acc += D[i, j] * r[i]
    return acc


@njit(cache=True, nogil=True)
def _column_update(D, r, lo, hi, j, delta):
    for i in range(lo, hi):
        r[i] -= D[i, j] * delta


@njit(cache=True, nogil=True)
def _loss_gradient(gram, D, start, scale, r, G, GB, b, k, j):
    """``d/d beta_kj`` of task k's loss."""
    if gram:
        return GB[k, j] - b[k, j]
    return -_column_dot(D, r, start[k], start[k + 1], j) / scale[k]


@njit(cache=True, nogil=True)
def _move(gram, D, start, r, G, GB, k, j, delta):
    """Keep ``r`` (or ``GB``) current after ``beta_kj += delta``."""
    if gram:
        Gk = G[k]  # symmetric: row j is column j, read contiguously
        p = GB.shape[1]
        for i in range(p):
            GB[k, i] += Gk[j, i] * delta
    else:
        _column_update(D, r, start[k], start[k + 1], j, delta)


@njit(cache=True, nogil=True)
def _column_sums(B):
    K, p = B.shape
    total = np.zeros(p)
    for k in range(K):
        for j in range(p):
            total[j] += B[k, j]
    return total


@njit(cache=True, nogil=True)
def _settled(largest, tol, full):
    """Sweeps over the nonzero coordinates until no step exceeds ``tol``, then one over all:
    ``(done, whether the next sweep is a full one)``."""
    if largest <= tol:
        return full, True
    return False, False


@njit(cache=True, nogil=True)
def _set(gram, D, start, r, G, GB, B, total, k, j, new, curvature):
    """``B[k, j] = new`` with the sums kept current; returns the curvature-scaled squared step."""
    delta = new - B[k, j]
    if delta == 0.0:
        return 0.0
    B[k, j] = new
    total[j] += delta
    _move(gram, D, start, r, G, GB, k, j, delta)
    return curvature * delta * delta


@njit(cache=True, nogil=True)
def relax_tasks(gram, D, start, scale, r, G, GB, b, sq, B, state, cost, mu, lam1, lam2, tol,
                max_sweeps):
    """Coordinate descent on the priced relaxation (per-task supports), in place.

    Minimises ``q~(B) + sum_kj rho_kj(B_kj)`` with ``q~`` the smooth part of the
    objective less ``(mu_k/2)||beta_k||^2`` and ``rho_kj`` the relaxed penalty at
    ``cost[k, j]``; ``sq[k, j] = ||D_kj||^2 / n_k``.  Sweeps over the nonzero
    coordinates until they settle, then one over all; stops when a full sweep moves
    no coordinate by more than ``tol`` (curvature-scaled squared step).  Returns the
    number of sweeps.
    """
    K, p = B.shape
    total = _column_sums(B)
    sweeps = 0
    full = True
    while sweeps < max_sweeps:
        sweeps += 1
        largest = 0.0
        for k in range(K):
            for j in range(p):
                if state[k, j] < 0:
                    continue
                old = B[k, j]
                if not full and old == 0.0:
                    continue
                a = sq[k, j] + lam1 - mu[k] + lam2 * (1.0 - 1.0 / K)
                if a < 0.0:
                    a = 0.0
                g = (_loss_gradient(gram, D, start, scale, r, G, GB, b, k, j)
                     + (lam1 - mu[k]) * old + lam2 * (old - total[j] / K))
                new = _perspective_step(a * old - g, a, mu[k], cost[k, j], state[k, j] == 1)
                largest = max(largest, _set(gram, D, start, r, G, GB, B, total, k, j, new,
                                            a + mu[k]))
        done, full = _settled(largest, tol, full == 1)  # a runtime bool, not a literal
        if done:
            break
    return sweeps


@njit(cache=True, nogil=True)
def relax_groups(gram, D, start, scale, r, G, GB, b, sq, B, state, cost, mu, lam1, lam2, tol,
                 max_sweeps):
    """Block coordinate descent on the priced common-support relaxation, in place.

    One block per feature (its K coefficients), relaxed penalty
    ``min_{u in [0, 1]} sum_k (mu/2) B_kj^2 / u + cost_j u`` with one ``mu`` for all
    tasks (``mu[0]``); each block step minimises a separable quadratic majoriser with
    curvature ``L_j`` (the largest diagonal of the block's Hessian) plus the group
    penalty, whose solution shrinks the block's norm.  ``state`` and ``cost`` are per
    feature.  Returns the number of sweeps.
    """
    K, p = B.shape
    m = mu[0]
    total = _column_sums(B)
    v = np.zeros(K)
    sweeps = 0
    full = True
    while sweeps < max_sweeps:
        sweeps += 1
        largest = 0.0
        for j in range(p):
            if state[j] < 0:
                continue
            if not full:
                nonzero = False
                for k in range(K):
                    if B[k, j] != 0.0:
                        nonzero = True
                if not nonzero:
                    continue
            L = 0.0
            for k in range(K):
                a = sq[k, j] + lam1 - m + lam2 * (1.0 - 1.0 / K)
                if a > L:
                    L = a
            norm = 0.0
            for k in range(K):
                old = B[k, j]
                g = (_loss_gradient(gram, D, start, scale, r, G, GB, b, k, j)
                     + (lam1 - m) * old + lam2 * (old - total[j] / K))
                v[k] = L * old - g
                norm += v[k] * v[k]
            norm = np.sqrt(norm)
            t = _perspective_step(norm, L, m, cost[j], state[j] == 1)
            ratio = t / norm if norm > 0.0 else 0.0
            for k in range(K):
                largest = max(largest, _set(gram, D, start, r, G, GB, B, total, k, j,
                                            v[k] * ratio, L + m))
        done, full = _settled(largest, tol, full == 1)  # a runtime bool, not a literal
        if done:
            break
    return sweeps


@njit(cache=True, nogil=True)
def smooth_part(gram, D, start, scale, r, G, GB, b, const, B, mu, lam1, lam2):
    """``(q~(B), grad q~(B))``: the smooth objective less ``(mu_k/2)||beta_k||^2``.

    ``const[k]`` completes task k's loss: in covariance form ``||y_k||^2 / (2 n_k)``.
    """
    K, p = B.shape
    total = _column_sums(B)
    value = 0.0
    grad = np.empty((K, p))
    for k in range(K):
        value += const[k]
        if not gram:
            for i in range(start[k], start[k + 1]):
                value += 0.5 * r[i] * r[i] / scale[k]
        for j in range(p):
            beta = B[k, j]
            value += 0.5 * (lam1 - mu[k] + lam2) * beta * beta
            if gram:  # beta' G beta / 2 - b' beta
                value += 0.5 * beta * GB[k, j] - b[k, j] * beta
            grad[k, j] = (_loss_gradient(gram, D, start, scale, r, G, GB, b, k, j)
                          + (lam1 - mu[k]) * beta + lam2 * (beta - total[j] / K))
    for j in range(p):
        value -= 0.5 * lam2 * total[j] * total[j] / K
    return value, grad


@njit(cache=True, nogil=True)
def lp_value(w, state, slots):
    """``sum_k LP_k``: per row the fixed ones' ``w`` plus the ``slots[k]`` most negative free ``w``."""
    rows, p = w.shape
    total = 0.0
    buffer = np.empty(p)
    for k in range(rows):
        m = 0
        for j in range(p):
            if state[k, j] == 1:
                total += w[k, j]
            elif state[k, j] == 0 and w[k, j] < 0.0:
                buffer[m] = w[k, j]
                m += 1
        take = min(max(slots[k], 0), m)
        if take > 0:
            chosen = np.sort(buffer[:m])
            for i in range(take):
                total += chosen[i]
    return total


@njit(cache=True, nogil=True)
def relaxed_binaries(B, cost, state, mu, common):
    """The relaxed ``z`` that go with ``B`` at per-binary ``cost`` (rows: tasks, or one)."""
    rows, p = cost.shape
    K = B.shape[0]
    z = np.empty((rows, p))
    for k in range(rows):
        for j in range(p):
            if state[k, j] == 1:
                z[k, j] = 1.0
                continue
            if state[k, j] == -1:
                z[k, j] = 0.0
                continue
            if common:
                mag = 0.0
                for l in range(K):
                    mag += B[l, j] * B[l, j]
                mag = np.sqrt(mag)
            else:
                mag = abs(B[k, j])
            c = cost[k, j]
            z[k, j] = 1.0 if c <= 0.0 else min(1.0, mag * np.sqrt(mu[k] / (2.0 * c)))
    return z


@njit(cache=True, nogil=True)
def relaxed_penalty(B, z, state, sigma, mu, slots, common):
    """Perspective and secant terms at ``B`` with ``z`` scaled into the cardinality constraints.

    Returns the penalty (``inf`` when a nonzero coefficient meets ``z = 0``) and, per
    row, the free binaries' relaxed count before scaling.
    """
    rows, p = z.shape
    K = B.shape[0]
    counts = np.zeros(rows)
    value = 0.0
    for k in range(rows):
        for j in range(p):
            if state[k, j] == 0:
                counts[k] += z[k, j]
        factor = 1.0
        if counts[k] > slots[k]:
            factor = max(slots[k], 0) / counts[k]
        for j in range(p):
            zz = z[k, j] * factor if state[k, j] == 0 else z[k, j]
            if common:
                mag2 = 0.0
                for l in range(K):
                    mag2 += B[l, j] * B[l, j]
            else:
                mag2 = B[k, j] * B[k, j]
                value += sigma[k, j] * zz
            if mag2 > 0.0:
                value += np.inf if zz <= 0.0 else 0.5 * mu[k] * mag2 / zz
    return value, counts


@njit(cache=True, nogil=True)
def _feature_min(a, state, j, tau, zbar, forced_task, forced_value, order, chosen):
    """``phi_j``: the cheapest 0/1 column of feature j (module docstring of ``_exact``).

    ``a[k, j] + tau[k]`` is the price of ``z_kj = 1``, ``zbar[c]`` the Zbar term at count
    c; the node's fixings hold, and ``forced_task`` (>= 0) is held at ``forced_value``
    too.  Fills ``chosen`` (per task, 1 when in the best column).  Returns the value
    (``inf`` when the forcing contradicts a fixing).
    """
    K = a.shape[0]
    base = 0.0
    ones = 0
    m = 0
    for k in range(K):
        chosen[k] = 0
        fixed = state[k, j]
        if k == forced_task:
            if fixed != 0 and fixed != (1 if forced_value == 1 else -1):
                return np.inf
            fixed = 1 if forced_value == 1 else -1
        if fixed == 1:
            base += a[k, j] + tau[k]
            ones += 1
            chosen[k] = 1
        elif fixed == 0:
            order[m] = k
            m += 1
    # the m free tasks by increasing price: the best column of each count takes a prefix
    for i in range(1, m):
        key = order[i]
        price = a[key, j] + tau[key]
        q = i - 1
        while q >= 0 and a[order[q], j] + tau[order[q]] > price:
            order[q + 1] = order[q]
            q -= 1
        order[q + 1] = key
    best = base + zbar[ones]
    best_m = 0
    running = base
    for i in range(m):
        running += a[order[i], j] + tau[order[i]]
        value = running + zbar[ones + i + 1]
        if value < best:
            best, best_m = value, i + 1
    for i in range(best_m):
        chosen[order[i]] = 1
    return best


@njit(cache=True, nogil=True)
def lagrangian(a, state, tau, zbar, s):
    """``L(tau) = sum_j phi_j(tau) - s sum_k tau_k`` and each row's count in the minimiser."""
    K, p = a.shape
    order = np.empty(K, dtype=np.int64)
    chosen = np.empty(K, dtype=np.int64)
    counts = np.zeros(K)
    value = 0.0
    for j in range(p):
        value += _feature_min(a, state, j, tau, zbar, np.int64(-1), np.int64(0), order, chosen)
        for k in range(K):
            counts[k] += chosen[k]
    for k in range(K):
        value -= s * tau[k]
    return value, counts


@njit(cache=True, nogil=True)
def best_prices(a, state, tau, zbar, s, cycles, steps):
    """Maximise the concave ``L(tau)`` over ``tau >= 0`` by cyclic bisection on each row's
    supergradient (its count minus s); returns the best value seen and its prices."""
    K, p = a.shape
    tau = tau.copy()
    best, counts = lagrangian(a, state, tau, zbar, s)
    best_tau = tau.copy()
    top = 0.0
    for k in range(K):
        for j in range(p):
            if -a[k, j] > top:
                top = -a[k, j]
    top += zbar.max() + 1e-12  # no column wants a task at this price or above
    for _ in range(cycles):
        for k in range(K):
            lo, hi = 0.0, top
            value, counts = lagrangian(a, state, tau, zbar, s)
            if counts[k] <= s and tau[k] == 0.0:
                continue
            for _ in range(steps):
                if counts[k] > s:
                    lo = tau[k]
                elif counts[k] < s:
                    hi = tau[k]
                else:
                    break
                tau[k] = 0.5 * (lo + hi)
                value, counts = lagrangian(a, state, tau, zbar, s)
                if value > best:
                    best = value
                    best_tau[:] = tau
                if hi - lo <= 1e-12 * max(hi, 1e-300):
                    break
            tau[:] = best_tau
    return best, best_tau


@njit(cache=True, nogil=True)
def forcing_costs(a, state, tau, zbar):
    """Per free binary: how much ``L(tau)`` rises when it is forced to 1 and to 0."""
    K, p = a.shape
    order = np.empty(K, dtype=np.int64)
    chosen = np.empty(K, dtype=np.int64)
    up_one = np.zeros((K, p))
    up_zero = np.zeros((K, p))
    for j in range(p):
        free_value = _feature_min(a, state, j, tau, zbar, np.int64(-1), np.int64(0), order, chosen)
        for k in range(K):
            if state[k, j] != 0:
                continue
            # (int64 values: literal ones would compile _feature_min once per literal)
            up_one[k, j] = _feature_min(a, state, j, tau, zbar, k, np.int64(1), order,
                                        chosen) - free_value
            up_zero[k, j] = _feature_min(a, state, j, tau, zbar, k, np.int64(0), order,
                                         chosen) - free_value
    return up_one, up_zero


@njit(cache=True, nogil=True)
def zbar_slopes(z, state, zbar):
    """A linear minorant ``const + sum sigma_kj z_kj`` of the Zbar term on the node's box,
    tight at ``z`` (the greedy vertex of its base polytope; ties share their increments).

    Per feature, the free binaries in decreasing order of ``z`` take the successive
    increments ``zbar[lo + i] - zbar[lo + i - 1]`` (``lo`` its fixed ones); fixed
    binaries cost nothing and ``const = sum_j zbar[lo_j]``.  With all ``z`` equal this
    is the secant on the count range.
    """
    K, p = z.shape
    sigma = np.zeros((K, p))
    order = np.empty(K, dtype=np.int64)
    const = 0.0
    for j in range(p):
        lo = 0
        m = 0
        for k in range(K):
            if state[k, j] == 1:
                lo += 1
            elif state[k, j] == 0:
                order[m] = k
                m += 1
        const += zbar[lo]
        for i in range(1, m):  # insertion sort, decreasing z
            key = order[i]
            q = i - 1
            while q >= 0 and z[order[q], j] < z[key, j]:
                order[q + 1] = order[q]
                q -= 1
            order[q + 1] = key
        i = 0
        while i < m:
            e = i
            while e + 1 < m and abs(z[order[e + 1], j] - z[order[i], j]) <= 1e-12:
                e += 1
            share = (zbar[lo + e + 1] - zbar[lo + i]) / (e - i + 1)
            for q in range(i, e + 1):
                sigma[order[q], j] = share
            i = e + 1
    return sigma, const
