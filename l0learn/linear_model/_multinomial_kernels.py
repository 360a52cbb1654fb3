"""Numba kernels of multinomial logistic regression with a group (row) L0 penalty.

The coefficients are a matrix ``B`` (features x classes); feature ``j`` is in the
model when its row ``B_j`` is nonzero.  Columns of ``X`` are normalised
(``sum_i w_i x_ij^2 = 1``) and the state keeps the linear predictor
``eta = b0 + X B`` (n x K, C order) and the class probabilities ``P = softmax(eta)``.

Row updates, others fixed (``j = -1`` is the intercept row, a column of ones):

* a row in the support, without a group norm: damped Newton steps on the K x K
  problem (:func:`newton_row`), then the exact drop test: the row is removed when
  the loss without it is below the loss with it plus its L0 price;
* a zero row, or any row with the group norm ``lam1 |b|_2``: a proximal step on
  the quadratic model ``g'(b - B_j) + (L/2)|b - B_j|^2 + lam2 |b|^2 + lam1 |b|_2
  + price 1[b != 0]`` (closed form: ridge, group soft-threshold, keep-or-drop).
  ``L`` starts from the curvature at the current point (``max_k 2 p_k (1 - p_k)``
  per unit of ``x^2``, Gershgorin) and doubles until the exact loss is below the
  model, capped by Böhning's global bound 1/2 (:func:`prox_row`).

Every accepted step lowers the objective, evaluated exactly.  Rows stay
orthogonal to the all-ones vector, along which the loss is flat.

Most of the time goes into ``exp``: :func:`_exp_nonpositive` is a polynomial
``exp`` that the compiler vectorises (libm's is scalar), and each trial point's
probabilities are kept so an accepted step needs no second pass.
"""

import numpy as np
from numba import njit

GLOBAL_CURVATURE = 0.5  # Böhning: diag(p) - p p' <= (I - 11'/K) / 2
NEWTON_PER_SWEEP = 1  # Newton steps per support row and sweep (the sweeps converge jointly)
NEWTON_SWAP = 4  # Newton steps for a swap candidate's row (a swap is judged at the point reached)
_LOG2E = 1.4426950408889634
_LN2 = 0.6931471805599453


@njit(cache=True, nogil=True)
def _index(value):
    """``value`` as a plain int64.

    A constant argument reaches a callee as a literal type, and numba compiles the
    whole call chain once more for each literal; routing constants through here keeps
    one signature per kernel (the compile time of these kernels is dominated by
    ``trial_loss``, inlined into every chain).
    """
    return np.int64(value)


@njit(cache=True, nogil=True)
def _exp_nonpositive(z, ibuf):
    """``z <- exp(z)`` in place for ``z <= 0`` (2^k times a degree-13 Taylor polynomial
    on ``|r| <= ln 2 / 2``: relative error below 3e-15; below -708 gives ~1e-308)."""
    fbuf = ibuf.view(np.float64)
    for i in range(z.size):
        x = max(z[i], -708.0)
        k = np.floor(x * _LOG2E + 0.5)
        r = x - k * _LN2
        z[i] = 1.0 + r * (1.0 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (
            1 / 120 + r * (1 / 720 + r * (1 / 5040 + r * (1 / 40320 + r * (
                1 / 362880 + r * (1 / 3628800 + r * (1 / 39916800 + r / 479001600)))))))))))
        ibuf[i] = (np.int64(k) + 1023) << 52
    for i in range(z.size):
        z[i] *= fbuf[i]


@njit(cache=True, nogil=True)
def trial_loss(Xn, j, delta, eta, Y, w, P_out):
    """Weighted cross-entropy at ``eta + x_j delta'`` (``j = -1``: intercept column,
    ``j = -2``: ``eta`` itself); fills ``P_out`` with the softmax there."""
    n, K = eta.shape
    Z = P_out.reshape(n * K)
    ibuf = np.empty(n * K, dtype=np.int64)
    tops = np.empty(n)
    lin = 0.0
    for i in range(n):
        x = 1.0 if j == -1 else (0.0 if j == -2 else Xn[i, j])
        top = -np.inf
        for k in range(K):
            v = eta[i, k] + x * delta[k]
            P_out[i, k] = v
            lin += w[i] * Y[i, k] * v
            top = max(top, v)
        tops[i] = top
        for k in range(K):
            P_out[i, k] -= top
    _exp_nonpositive(Z, ibuf)
    total = 0.0
    for i in range(n):
        s = 0.0
        for k in range(K):
            s += P_out[i, k]
        inv = 1.0 / s
        for k in range(K):
            P_out[i, k] *= inv
        total += w[i] * (tops[i] + np.log(s))
    return total - lin


@njit(cache=True, nogil=True)
def softmax_loss(eta, Y, w, P):
    """Weighted cross-entropy at ``eta``; fills ``P`` with its softmax."""
    # A placeholder design (never read for j = -2) of the layout every caller passes.
    placeholder = np.asfortranarray(np.zeros((eta.shape[0], 1)))
    return trial_loss(placeholder, _index(-2), np.zeros(eta.shape[1]), eta, Y, w, P)


@njit(cache=True, nogil=True)
def row_gradient(Xn, j, w, P, Y, g):
    """``g = sum_i w_i x_ij (P_i - Y_i)`` (``j = -1``: intercept); returns the local curvature."""
    n, K = P.shape
    for k in range(K):
        g[k] = 0.0
    curv = 0.0
    for i in range(n):
        x = 1.0 if j < 0 else Xn[i, j]
        if x == 0.0:
            continue
        top = 0.0
        for k in range(K):
            g[k] += w[i] * x * (P[i, k] - Y[i, k])
            top = max(top, 2.0 * P[i, k] * (1.0 - P[i, k]))
        curv += w[i] * x * x * min(top, GLOBAL_CURVATURE)
    return curv


@njit(cache=True, nogil=True)
def _apply(Xn, j, delta, eta):
    n, K = eta.shape
    for i in range(n):
        x = 1.0 if j < 0 else Xn[i, j]
        if x == 0.0:
            continue
        for k in range(K):
            eta[i, k] += x * delta[k]


@njit(cache=True, nogil=True)
def _is_zero(row):
    for k in range(row.shape[0]):
        if row[k] != 0.0:
            return False
    return True


@njit(cache=True, nogil=True)
def _squared_norm(row):
    sq = 0.0
    for k in range(row.shape[0]):
        sq += row[k] * row[k]
    return sq


# -- proximal steps (entries, group norm) ----------------------------------------------------
@njit(cache=True, nogil=True)
def _proposal(g, row, L, price, lam1, lam2, out):
    """Minimiser of the row's quadratic model (module docstring) and its model value
    relative to the unchanged row (so it compares directly with dropping the row)."""
    K = g.shape[0]
    c = L + 2.0 * lam2
    norm = 0.0
    for k in range(K):
        out[k] = (L * row[k] - g[k]) / c
        norm += out[k] * out[k]
    norm = np.sqrt(norm)
    shrink = 0.0 if norm == 0.0 else max(0.0, 1.0 - lam1 / (c * norm))
    value = 0.0
    nrm = 0.0
    for k in range(K):
        out[k] *= shrink
        d = out[k] - row[k]
        value += g[k] * d + 0.5 * L * d * d + lam2 * out[k] * out[k]
        nrm += out[k] * out[k]
    if nrm == 0.0:
        return value
    return value + lam1 * np.sqrt(nrm) + price


@njit(cache=True, nogil=True)
def _drop_value(g, row, L):
    value = 0.0
    for k in range(g.shape[0]):
        value += -g[k] * row[k] + 0.5 * L * row[k] * row[k]
    return value


@njit(cache=True, nogil=True)
def prox_row(Xn, j, Y, w, B, eta, P, P_try, loss, price, lam1, lam2, forbid_entry):
    """Backtracking proximal step on row ``j >= 0``; returns the new loss.

    ``price`` is the row's L0 price; a zero row stays zero when ``forbid_entry``
    (the support cap is reached).
    """
    K = eta.shape[1]
    row = B[j].copy()
    if forbid_entry and _is_zero(row):
        return loss
    g = np.empty(K)
    curv = row_gradient(Xn, j, w, P, Y, g)
    L = max(curv, 1e-12 * GLOBAL_CURVATURE)
    new = np.empty(K)
    delta = np.empty(K)
    while True:
        keep = _proposal(g, row, L, price, lam1, lam2, new)
        if _drop_value(g, row, L) <= keep:
            new[:] = 0.0
        change = 0.0
        model = 0.0
        for k in range(K):
            delta[k] = new[k] - row[k]
            change = max(change, abs(delta[k]))
            model += g[k] * delta[k] + 0.5 * L * delta[k] * delta[k]
        if change == 0.0:
            return loss
        trial = trial_loss(Xn, j, delta, eta, Y, w, P_try)
        if trial <= loss + model + 1e-15 * abs(loss) or L >= GLOBAL_CURVATURE:
            break
        L = min(2.0 * L, GLOBAL_CURVATURE)
    _apply(Xn, j, delta, eta)
    B[j, :] = new
    P[:, :] = P_try
    return trial


# -- Newton steps (support rows without a group norm, intercepts) ----------------------------
@njit(cache=True, nogil=True)
def _cholesky_solve(H, g, floor, out):
    """``out = -H^{-1} g`` for symmetric positive (semi)definite ``H`` (overwritten by
    its Cholesky factor); pivots below ``floor`` are raised to it.  Written out
    rather than ``np.linalg.solve``, whose LAPACK binding costs seconds of compile."""
    K = H.shape[0]
    for j in range(K):
        d = H[j, j]
        for m in range(j):
            d -= H[j, m] * H[j, m]
        d = np.sqrt(max(d, floor))
        H[j, j] = d
        for i in range(j + 1, K):
            v = H[i, j]
            for m in range(j):
                v -= H[i, m] * H[j, m]
            H[i, j] = v / d
    for i in range(K):  # L z = -g
        v = -g[i]
        for m in range(i):
            v -= H[i, m] * out[m]
        out[i] = v / H[i, i]
    for i in range(K - 1, -1, -1):  # L' x = z
        v = out[i]
        for m in range(i + 1, K):
            v -= H[m, i] * out[m]
        out[i] = v / H[i, i]


@njit(cache=True, nogil=True)
def _newton_direction(Xn, j, Y, w, P, b, lam2, d):
    """Newton direction of ``loss + lam2 |b|^2`` in row ``j`` at the point whose
    probabilities are ``P``; returns the directional derivative (>= 0: none)."""
    n, K = P.shape
    g = np.zeros(K)
    H = np.zeros((K, K))
    for i in range(n):
        x = 1.0 if j < 0 else Xn[i, j]
        if x == 0.0:
            continue
        wx = w[i] * x
        wxx = wx * x
        for k in range(K):
            pk = P[i, k]
            g[k] += wx * (pk - Y[i, k])
            c = wxx * pk
            for l in range(K):
                H[k, l] -= c * P[i, l]
            H[k, k] += c
    scale = 0.0
    gmax = 0.0
    for k in range(K):
        g[k] += 2.0 * lam2 * b[k]
        H[k, k] += 2.0 * lam2
        scale = max(scale, H[k, k])
        gmax = max(gmax, abs(g[k]))
    if scale <= 0.0 or gmax == 0.0:
        d[:] = 0.0
        return 0.0
    for k in range(K):  # the flat direction 11' gets curvature too (never moved along)
        for l in range(K):
            H[k, l] += scale / K
    sol = np.empty(K)
    _cholesky_solve(H, g, scale * 1e-12, sol)
    mean = sol.mean()
    slope = 0.0
    for k in range(K):
        d[k] = sol[k] - mean
        slope += g[k] * d[k]
    return slope


@njit(cache=True, nogil=True)
def _newton_steps(Xn, j, Y, w, eta, P, P_try, b, loss, lam2, max_newton, eta_holds_b):
    """Up to ``max_newton`` damped Newton steps on row ``j`` (value ``b``, in place),
    Armijo backtracking on the exact objective; ``P`` follows ``b``.  With
    ``eta_holds_b`` the linear predictor ``eta`` includes ``x_j b'`` and follows it;
    otherwise ``eta`` is the fixed rest and the predictor is ``eta + x_j b'``.
    Returns the loss at the final ``b``."""
    K = eta.shape[1]
    d = np.empty(K)
    cand = np.empty(K)
    shift = np.empty(K)  # what trial_loss adds to eta along x_j
    for _ in range(max_newton):
        f = loss + lam2 * _squared_norm(b)
        slope = _newton_direction(Xn, j, Y, w, P, b, lam2, d)
        if slope >= -1e-15 * max(1.0, abs(f)):
            break
        step = 1.0
        accepted = False
        for _ in range(40):
            for k in range(K):
                cand[k] = b[k] + step * d[k]
                shift[k] = step * d[k] if eta_holds_b else cand[k]
            trial = trial_loss(Xn, j, shift, eta, Y, w, P_try)
            f_new = trial + lam2 * _squared_norm(cand)
            if f_new <= f + 1e-4 * step * slope:
                accepted = True
                break
            step *= 0.5
        if not accepted:
            break
        b[:] = cand
        if eta_holds_b:
            _apply(Xn, j, shift, eta)
        P[:, :] = P_try
        loss = trial
        if f - f_new <= 1e-15 * max(1.0, abs(f)):
            break
    return loss


@njit(cache=True, nogil=True)
def newton_row(Xn, j, Y, w, B, b0, eta, P, P_try, loss, price, lam2, max_newton, drop_test):
    """Newton steps on a support row (or the intercepts, ``j = -1``), then, with
    ``drop_test``, the exact drop test for a feature row; returns the new loss."""
    b = b0 if j < 0 else B[j]
    loss = _newton_steps(Xn, j, Y, w, eta, P, P_try, b, loss, 0.0 if j < 0 else lam2,
                         _index(max_newton), j > -2)  # (always True, typed as a runtime bool)
    if j < 0 or not drop_test:
        return loss
    minus = -b
    f_0 = trial_loss(Xn, j, minus, eta, Y, w, P_try)
    if f_0 <= loss + lam2 * _squared_norm(b) + price:
        _apply(Xn, j, minus, eta)
        B[j, :] = 0.0
        P[:, :] = P_try
        return f_0
    return loss


@njit(cache=True, nogil=True)
def exact_row(Xn, j, Y, w, eta_base, lam2, b, max_newton):
    """Minimise ``loss(eta_base + x_j b') + lam2 |b|^2`` over row ``b`` (in place,
    Newton from the given ``b``); returns the minimum value."""
    P = np.empty_like(eta_base)
    P_try = np.empty_like(eta_base)
    loss = trial_loss(Xn, j, b, eta_base, Y, w, P)
    loss = _newton_steps(Xn, j, Y, w, eta_base, P, P_try, b, loss, lam2, _index(max_newton),
                         j < -2)  # (always False, typed as a runtime bool)
    return loss + lam2 * _squared_norm(b)


@njit(cache=True, nogil=True)
def penalty_value(B, price, lam1, lam2):
    """sum_j price_j 1[B_j != 0] + lam1 |B_j|_2 + lam2 |B_j|^2."""
    total = 0.0
    for j in range(B.shape[0]):
        sq = _squared_norm(B[j])
        if sq > 0.0:
            total += price[j] + lam1 * np.sqrt(sq) + lam2 * sq
    return total


@njit(cache=True, nogil=True)
def sweeps(Xn, Y, w, B, b0, eta, P, coords, price, lam1, lam2, fit_intercept, cap, max_sweeps,
           tol):
    """Cyclic row updates over ``coords`` (and the intercept) until the objective settles.

    Returns (sweeps, converged, loss).  Stops when a sweep that tested every support
    row for dropping lowers the objective by less than ``tol`` times its value.  The
    drop test costs a full softmax per row; the first sweep runs it, then only the
    sweep after one that has settled (the support rarely changes in between, and a
    drop found there starts the cycle again), so the end point is still one where
    no row pays its price's worth by leaving.
    """
    P_try = np.empty_like(P)
    loss = softmax_loss(eta, Y, w, P)
    value = loss + penalty_value(B, price, lam1, lam2)
    check = True  # this sweep runs the drop tests of the support rows
    for s in range(max_sweeps):
        size = 0
        for j in range(B.shape[0]):
            if not _is_zero(B[j]):
                size += 1
        for c in range(coords.shape[0]):
            j = coords[c]
            was_zero = _is_zero(B[j])
            if lam1 == 0.0 and not was_zero:
                loss = newton_row(Xn, j, Y, w, B, b0, eta, P, P_try, loss, price[j], lam2,
                                  _index(NEWTON_PER_SWEEP), check)
            else:
                loss = prox_row(Xn, j, Y, w, B, eta, P, P_try, loss, price[j], lam1, lam2,
                                size >= cap)
            now_zero = _is_zero(B[j])
            size += int(was_zero and not now_zero) - int(now_zero and not was_zero)
        if fit_intercept:
            loss = newton_row(Xn, _index(-1), Y, w, B, b0, eta, P, P_try, loss, 0.0, 0.0,
                              _index(NEWTON_PER_SWEEP), check)
        new_value = loss + penalty_value(B, price, lam1, lam2)
        settled = value - new_value <= tol * max(abs(new_value), 1e-300)
        if settled and check:
            return s + 1, True, loss
        check = settled
        value = new_value
    return max_sweeps, False, loss


@njit(cache=True, nogil=True)
def entry_gains(Xn, Y, w, P, B, price, lam1, lam2, usable, out):
    """Decrease of each zero row's quadratic model from entering (<= 0: none).

    The model's curvature is the local one, where :func:`prox_row` starts its
    backtracking: the global bound 1/2 understates the gain by about K/2 when the
    K classes are balanced, so a path grid built on it would admit many features
    at its first point once the exact objective judges the entry."""
    K = B.shape[1]
    g = np.empty(K)
    zero = np.zeros(K)
    new = np.empty(K)
    for j in range(B.shape[0]):
        out[j] = 0.0
        if not usable[j] or not _is_zero(B[j]):
            continue
        curv = row_gradient(Xn, j, w, P, Y, g)
        L = max(curv, 1e-12 * GLOBAL_CURVATURE)
        out[j] = -_proposal(g, zero, L, price[j], lam1, lam2, new)
