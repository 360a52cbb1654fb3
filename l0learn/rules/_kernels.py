"""Greedy block coordinate descent for sparse, fused rule weights (FIRE).

Rules are the leaves of a tree ensemble; tree ``t`` is block ``t``.  Row ``i``
falls in exactly one leaf per tree, so the rule matrix is never stored: the
kernels keep ``codes[i, t]`` (the leaf of row ``i`` in tree ``t``, numbered
0..m_t-1 in node order) and the leaf values ``v`` (flat, tree after tree,
block ``t`` owning ``offsets[t]:offsets[t+1]``).  Column ``j`` of the rule
matrix is ``v_j * 1[row in leaf j]``; as rows are partitioned by the leaves of
a tree, ``M_t' M_t`` is diagonal and the loss restricted to one block is

    ½ Σ_j q_j (w_j − a_j)² + const,   q_j = c_j v_j²,  a_j = w_j + S_j / (c_j v_j),

with ``c_j`` the leaf's share of the (normalised) sample weight and ``S_j`` the
weighted residual sum in the leaf.  For the logistic loss (:class:`FIREClassifier`)
the same block problem is the quadratic majoriser of the loss (curvature 1/4, so
``q_j = c_j v_j² / 4`` and ``a_j = w_j + 4 S_j / (c_j v_j)`` with the residual
``y − σ(η)``), minimised repeatedly per block update (majorise-minimise: the
objective decreases monotonically).  After one O(n) aggregation, each block
subproblem (loss + sparsity + fusion of neighbouring leaves) involves only its
m_t leaves and is solved to high accuracy by proximal gradient steps (FISTA for
ℓ1) whose prox is the exact fused lasso (Johnson's DP) followed by ℓ1 or MCP
thresholding, as in FIRE.  MCP uses the per-block concavity ``gamma / Q_t``
with ``Q_t = max_j q_j`` (the block's Lipschitz constant).
"""

import numpy as np
from numba import njit

from .._shared.levels import level_sums
from .._shared.fused import flsa

PENALTY_L1 = 0
PENALTY_MCP = 1
LOSS_SQUARED = 0
LOSS_LOGISTIC = 1
# majorise-minimise rounds per logistic block update (one is exact for squared error)
MM_ROUNDS = 20


@njit(cache=True, nogil=True)
def threshold(z, lam, gamma, penalty):
    """Prox of ``lam * |.|`` (ℓ1) or of MCP with ``lam`` and concavity ``gamma`` (step-scaled)."""
    az = abs(z)
    if az <= lam:
        return 0.0
    if penalty == PENALTY_L1:
        return z - lam if z > 0 else z + lam
    if az <= lam * gamma:
        s = az - lam
        s = s * gamma / (gamma - 1.0)
        return s if z > 0 else -s
    return z


@njit(cache=True, nogil=True)
def mcp_value(w, lam, gamma_t):
    if lam == 0.0:  # no sparsity (gamma_t may be inf: avoid inf * 0)
        return 0.0
    aw = abs(w)
    if aw <= lam * gamma_t:
        return lam * aw - aw * aw / (2.0 * gamma_t)
    return 0.5 * gamma_t * lam * lam


@njit(cache=True, nogil=True)
def block_penalty(w, lam_s, lam_f, gamma_t, penalty):
    acc = 0.0
    for j in range(w.shape[0]):
        if penalty == PENALTY_L1:
            acc += lam_s * abs(w[j])
        else:
            acc += mcp_value(w[j], lam_s, gamma_t)
        if j > 0:
            acc += lam_f * abs(w[j] - w[j - 1])
    return acc


@njit(cache=True, nogil=True)
def _prox(z, step_lam_s, step_lam_f, gamma, penalty, out, tmp):
    """threshold(FLSA(z, lam_f * step)) : the exact prox for ℓ1 + fusion, FIRE's map for MCP."""
    m = z.shape[0]
    if step_lam_f > 0.0 and m > 1:
        ones = np.ones(m)
        flsa(z, ones, step_lam_f, tmp)
    else:
        tmp[:] = z
    for j in range(m):
        out[j] = threshold(tmp[j], step_lam_s, gamma, penalty)


@njit(cache=True, nogil=True)
def _block_loss(q, a, w):
    acc = 0.0
    for j in range(w.shape[0]):
        d = w[j] - a[j]
        acc += 0.5 * q[j] * d * d
    return acc


@njit(cache=True, nogil=True)
def solve_block(q, a, w, lam_s, lam_f, gamma, penalty, Q, max_inner, inner_tol):
    """Minimise ½ Σ q (w − a)² + sparsity + lam_f TV(w) over one block, in place.

    Proximal gradient with step 1/Q (accelerated for ℓ1, monotone for MCP),
    warm-started at ``w``; stops when an iterate moves less than ``inner_tol``.
    Returns the number of inner iterations.
    """
    m = w.shape[0]
    z = np.empty(m)
    new = np.empty(m)
    tmp = np.empty(m)
    y = w.copy()
    t = 1.0
    accelerate = penalty == PENALTY_L1
    gamma_t = gamma / Q
    prev_value = _block_loss(q, a, w) + block_penalty(w, lam_s, lam_f, gamma_t, penalty)
    for it in range(max_inner):
        for j in range(m):
            z[j] = y[j] - (q[j] / Q) * (y[j] - a[j])
        _prox(z, lam_s / Q, lam_f / Q, gamma, penalty, new, tmp)
        if accelerate:
            value = _block_loss(q, a, new) + block_penalty(new, lam_s, lam_f, gamma_t, penalty)
            if value > prev_value:  # restart the momentum (keeps FISTA monotone)
                t = 1.0
                y[:] = w
                continue
            prev_value = value
        move = 0.0
        for j in range(m):
            move = max(move, abs(new[j] - w[j]))
        if accelerate:
            t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            beta = (t - 1.0) / t_next
            for j in range(m):
                y[j] = new[j] + beta * (new[j] - w[j])
            t = t_next
        else:
            y[:] = new
        w[:] = new
        if move <= inner_tol:
            return it + 1
    return max_inner


@njit(cache=True, nogil=True)
def curvature(loss):
    """Upper bound on the loss's second derivative in the linear predictor."""
    return 1.0 if loss == LOSS_SQUARED else 0.25


@njit(cache=True, nogil=True)
def _expit(x):
    if x >= 0.0:
        return 1.0 / (1.0 + np.exp(-x))
    e = np.exp(x)
    return e / (1.0 + e)


@njit(cache=True, nogil=True)
def _softplus(x):
    if x > 0.0:
        return x + np.log1p(np.exp(-x))
    return np.log1p(np.exp(x))


@njit(cache=True, nogil=True)
def refresh_residual(eta, y, b0, resid):
    """Logistic residual ``y − σ(η + b0)``."""
    for i in range(resid.shape[0]):
        resid[i] = y[i] - _expit(eta[i] + b0)


@njit(cache=True, nogil=True)
def _block_data(t, codes, offsets, v, c, w_flat, wt, resid, sums, q, a, kappa, lam_2):
    """The block's (majorised) loss plus ridge as ``½ Σ q (w − a)² + const``; returns (m, Q)."""
    off = offsets[t]
    m = offsets[t + 1] - off
    level_sums(t, codes, wt, resid, m, sums)
    Q = 0.0
    for j in range(m):
        vj = v[off + j]
        curv = kappa * c[off + j] * vj * vj
        q[j] = curv + lam_2
        if q[j] > 0.0:
            a[j] = (curv * w_flat[off + j] + vj * sums[j]) / q[j]
        else:
            a[j] = w_flat[off + j]
        if q[j] > Q:
            Q = q[j]
    return m, Q


@njit(cache=True, nogil=True)
def block_score(t, codes, offsets, v, c, w_flat, wt, resid, lam_s, lam_f, gamma, penalty,
                sums, q, a, kappa, lam_2):
    """Largest entry of the block's proximal-gradient mapping ``Q (w − prox(w − ∇/Q))``.

    Zero exactly at block-stationary points; for a zero block without fusion it is
    the soft-thresholded gradient, i.e. the minimum-norm subgradient.  ``kappa`` is
    the loss's curvature bound (1 squared error, 1/4 logistic), ``lam_2`` the ridge weight.
    """
    m, Q = _block_data(t, codes, offsets, v, c, w_flat, wt, resid, sums, q, a, kappa, lam_2)
    if Q <= 0.0:
        return 0.0
    off = offsets[t]
    z = np.empty(m)
    new = np.empty(m)
    tmp = np.empty(m)
    for j in range(m):
        wj = w_flat[off + j]
        z[j] = wj - (q[j] / Q) * (wj - a[j])
    _prox(z, lam_s / Q, lam_f / Q, gamma, penalty, new, tmp)
    score = 0.0
    for j in range(m):
        score = max(score, Q * abs(w_flat[off + j] - new[j]))
    return score


@njit(cache=True, nogil=True)
def _shift_rows(t, codes, d, loss, resid, eta, y, b0):
    """Add the per-leaf change ``d`` of tree ``t``'s contribution to every row's fit."""
    if loss == LOSS_SQUARED:
        for i in range(codes.shape[0]):
            resid[i] -= d[codes[i, t]]
    else:
        for i in range(codes.shape[0]):
            eta[i] += d[codes[i, t]]
            resid[i] = y[i] - _expit(eta[i] + b0)


@njit(cache=True, nogil=True)
def update_block(t, codes, offsets, v, c, w_flat, wt, resid, lam_s, lam_f, gamma, penalty,
                 max_inner, inner_tol, sums, q, a, loss, eta, y, b0, lam_2):
    """Solve block ``t`` (given the others) and update the fit; returns inner iterations.

    ``inner_tol`` is in gradient units: the inner iterations stop once a step moves
    the weights by less than ``inner_tol / Q``.  For the logistic loss the block
    problem is re-majorised at the new weights up to ``MM_ROUNDS`` times, until a
    round moves the weights by less than that.
    """
    kappa = curvature(loss)
    rounds = 1 if loss == LOSS_SQUARED else MM_ROUNDS
    iters = 0
    for _ in range(rounds):
        m, Q = _block_data(t, codes, offsets, v, c, w_flat, wt, resid, sums, q, a, kappa, lam_2)
        if Q <= 0.0:
            return iters
        off = offsets[t]
        w = w_flat[off:off + m].copy()
        iters += solve_block(q[:m], a[:m], w, lam_s, lam_f, gamma, penalty, Q, max_inner,
                             inner_tol / Q)
        move = 0.0
        for j in range(m):
            move = max(move, abs(w[j] - w_flat[off + j]))
            sums[j] = (w[j] - w_flat[off + j]) * v[off + j]  # change of each leaf's contribution
            w_flat[off + j] = w[j]
        if move > 0.0:
            _shift_rows(t, codes, sums, loss, resid, eta, y, b0)
        if move <= inner_tol / Q:
            break
    return iters


@njit(cache=True, nogil=True)
def _anderson_candidate(history, n_hist, out):
    """Anderson extrapolation of the last ``n_hist`` iterates (rows of ``history``).

    Finds weights c (sum 1) minimising ||sum_k c_k (x_{k+1} - x_k)|| and returns
    ``sum_k c_k x_{k+1}`` in ``out``; False when the small system is singular.
    """
    k = n_hist - 1
    m = history.shape[1]
    U = np.empty((k, m))
    for a in range(k):
        for j in range(m):
            U[a, j] = history[a + 1, j] - history[a, j]
    G = U @ U.T
    scale = 0.0
    for a in range(k):
        scale = max(scale, G[a, a])
    if scale <= 0.0:
        return False
    for a in range(k):
        G[a, a] += 1e-10 * scale
    ones = np.ones(k)
    z = np.linalg.solve(G, ones)
    total = z.sum()
    if not np.isfinite(total) or total == 0.0:
        return False
    for j in range(m):
        out[j] = 0.0
    for a in range(k):
        c = z[a] / total
        for j in range(m):
            out[j] += c * history[a + 1, j]
    return True


@njit(cache=True, nogil=True)
def _apply_change(codes, offsets, v, active, w_old, w_new, loss, resid, eta, y, b0):
    """Move the fit from ``M w_old`` to ``M w_new`` over the active blocks."""
    for t in range(offsets.shape[0] - 1):
        if not active[t]:
            continue
        off = offsets[t]
        m = offsets[t + 1] - off
        d = np.empty(m)
        changed = False
        for j in range(m):
            d[j] = (w_new[off + j] - w_old[off + j]) * v[off + j]
            if d[j] != 0.0:
                changed = True
        if changed:
            _shift_rows(t, codes, d, loss, resid, eta, y, b0)


@njit(cache=True, nogil=True)
def data_loss(loss, wt, resid, eta, y, b0):
    """½ Σ ω r² (squared error) or Σ ω [log(1 + e^u) − y u], u = η + b0 (logistic)."""
    acc = 0.0
    if loss == LOSS_SQUARED:
        for i in range(resid.shape[0]):
            acc += 0.5 * wt[i] * resid[i] * resid[i]
    else:
        for i in range(eta.shape[0]):
            u = eta[i] + b0
            acc += wt[i] * (_softplus(u) - y[i] * u)
    return acc


@njit(cache=True, nogil=True)
def _intercept_derivatives(wt, eta, y, b):
    """First and second derivative of the logistic loss in the intercept (sign: descent)."""
    g = 0.0
    h = 0.0
    for i in range(eta.shape[0]):
        p = _expit(eta[i] + b)
        g += wt[i] * (y[i] - p)
        h += wt[i] * p * (1.0 - p)
    return g, h


@njit(cache=True, nogil=True)
def refit_intercept(wt, resid, loss, eta, y, b0):
    """Optimal intercept given the rules; returns its change (the residual is updated).

    Squared error: the weighted mean residual.  Logistic: Newton's method on the
    one-dimensional convex problem, each step halved until the derivative shrinks (and the loss does not grow).
    """
    if loss == LOSS_SQUARED:
        s = 0.0
        for i in range(resid.shape[0]):
            s += wt[i] * resid[i]
        for i in range(resid.shape[0]):
            resid[i] -= s
        return s
    b = b0
    g, h = _intercept_derivatives(wt, eta, y, b)
    value = data_loss(loss, wt, resid, eta, y, b)
    slack = 4e-16 * (abs(value) + 1.0)  # loss values cannot resolve smaller decreases
    for _ in range(100):
        if abs(g) <= 1e-15 or h <= 0.0:
            break
        # Newton step, halved until the derivative shrinks in magnitude and the loss does
        # not increase beyond rounding: the derivative stays accurate near the root,
        # where loss values no longer resolve the decrease
        step = g / h
        accepted = False
        for _ in range(60):
            g_new, h_new = _intercept_derivatives(wt, eta, y, b + step)
            trial = data_loss(loss, wt, resid, eta, y, b + step)
            if abs(g_new) < abs(g) and trial <= value + slack:
                b += step
                g, h, value = g_new, h_new, min(value, trial)
                accepted = True
                break
            step *= 0.5
        if not accepted:
            break
    refresh_residual(eta, y, b, resid)
    return b - b0


@njit(cache=True, nogil=True)
def objective(codes, offsets, v, c, w_flat, wt, resid, lam_s, lam_f, gamma, penalty,
              loss, eta, y, b0, lam_2):
    """Loss + ½ lam_2 ‖w‖² + Σ_t [sparsity_t(w_t) + lam_f TV(w_t)], per-block MCP concavity."""
    acc = data_loss(loss, wt, resid, eta, y, b0)
    for j in range(w_flat.shape[0]):
        acc += 0.5 * lam_2 * w_flat[j] * w_flat[j]
    kappa = curvature(loss)
    for t in range(offsets.shape[0] - 1):
        off = offsets[t]
        m = offsets[t + 1] - off
        Q = 0.0
        for j in range(m):
            Q = max(Q, kappa * c[off + j] * v[off + j] * v[off + j] + lam_2)
        gamma_t = gamma / Q if Q > 0.0 else np.inf
        acc += block_penalty(w_flat[off:off + m], lam_s, lam_f, gamma_t, penalty)
    return acc


@njit(cache=True, nogil=True)
def active_set_gbcd(codes, offsets, v, c, w_flat, wt, resid, lam_s, lam_f, gamma, penalty,
                    fit_intercept, max_passes, max_sweeps, tol, n_add, max_inner, anderson,
                    scores, loss, eta, y, b0, lam_2):
    """Greedy block selection with an active set, to a certified stationary point.

    Each pass scores every block by its proximal-gradient mapping (one O(n)
    aggregation per block), stops when the largest score is <= ``tol`` (the
    certificate), else adds the highest-scoring blocks above ``tol`` to the
    active set (greedy, Gauss–Southwell; at least ``n_add`` and at most as many
    as are already active) and sweeps the active blocks cyclically until a
    sweep lowers the objective by at most ``max(tol, 0.1 * largest score)**2``; every
    ``anderson`` sweeps the iterates are extrapolated (Anderson acceleration, as
    for coordinate descent in skglm/celer) and the extrapolation is kept only
    if it lowers the objective, so the descent stays monotone.

    ``loss`` selects squared error (``resid`` is the residual; ``eta``, ``y`` and
    ``b0`` unused) or the logistic loss (``eta`` the rules' linear predictor, ``y``
    the 0/1 labels, ``b0`` the intercept, ``resid = y − σ(η + b0)``); ``lam_2`` adds
    the ridge ``½ lam_2 ‖w‖²`` to the smooth part.
    Returns (passes, block updates, converged, largest score, intercept shift).
    """
    n_blocks = offsets.shape[0] - 1
    kappa = curvature(loss)
    size = 1
    for t in range(n_blocks):
        size = max(size, offsets[t + 1] - offsets[t])
    sums = np.empty(size)
    q = np.empty(size)
    a = np.empty(size)
    active = np.zeros(n_blocks, dtype=np.bool_)
    for t in range(n_blocks):
        for j in range(offsets[t], offsets[t + 1]):
            if w_flat[j] != 0.0:
                active[t] = True
                break
    shift = 0.0
    if fit_intercept:
        shift += refit_intercept(wt, resid, loss, eta, y, b0 + shift)
    updates = 0
    worst = np.inf
    n_rules = w_flat.shape[0]
    history = np.empty((anderson + 1, n_rules))
    candidate = np.empty(n_rules)
    for p in range(max_passes):
        # full scoring pass: the certificate, and the blocks to add
        worst = 0.0
        n_active = 0
        for t in range(n_blocks):
            scores[t] = block_score(t, codes, offsets, v, c, w_flat, wt, resid, lam_s, lam_f,
                                    gamma, penalty, sums, q, a, kappa, lam_2)
            if scores[t] > worst:
                worst = scores[t]
            if active[t]:
                n_active += 1
        if worst <= tol:
            return p, updates, True, worst, shift
        order = np.argsort(-scores)
        added = 0
        limit = max(n_add, n_active)  # the working set at most doubles per pass
        for k in range(n_blocks):
            t = order[k]
            if scores[t] <= tol or added >= limit:
                break
            if not active[t]:
                active[t] = True
                added += 1
        # cyclic sweeps over the active blocks, solved only as accurately as the
        # current violation warrants; Anderson extrapolation every ``anderson``
        # sweeps, kept only if it lowers the objective (monotone descent)
        sweep_tol = max(tol, 0.1 * worst)
        inner_tol = 0.01 * sweep_tol
        n_hist = 0
        value = objective(codes, offsets, v, c, w_flat, wt, resid, lam_s, lam_f, gamma,
                          penalty, loss, eta, y, b0 + shift, lam_2)
        for sweep in range(max_sweeps):
            for t in range(n_blocks):
                if active[t]:
                    update_block(t, codes, offsets, v, c, w_flat, wt, resid, lam_s, lam_f,
                                 gamma, penalty, max_inner, inner_tol, sums, q, a, loss, eta,
                                 y, b0 + shift, lam_2)
                    updates += 1
                    if fit_intercept:
                        shift += refit_intercept(wt, resid, loss, eta, y, b0 + shift)
            new_value = objective(codes, offsets, v, c, w_flat, wt, resid, lam_s, lam_f, gamma,
                                  penalty, loss, eta, y, b0 + shift, lam_2)
            if value - new_value <= sweep_tol * sweep_tol:
                break
            value = new_value
            if anderson > 0:
                history[n_hist, :] = w_flat
                n_hist += 1
                if n_hist == anderson + 1:
                    n_hist = 0
                    if _anderson_candidate(history, anderson + 1, candidate):
                        trial = resid.copy()
                        trial_eta = eta.copy()
                        _apply_change(codes, offsets, v, active, w_flat, candidate, loss,
                                      trial, trial_eta, y, b0 + shift)
                        trial_shift = 0.0
                        if fit_intercept:
                            trial_shift = refit_intercept(wt, trial, loss, trial_eta, y,
                                                          b0 + shift)
                        trial_value = objective(codes, offsets, v, c, candidate, wt, trial,
                                                lam_s, lam_f, gamma, penalty, loss, trial_eta,
                                                y, b0 + shift + trial_shift, lam_2)
                        if trial_value < value:
                            w_flat[:] = candidate
                            resid[:] = trial
                            eta[:] = trial_eta
                            shift += trial_shift
                            value = trial_value
    worst = 0.0
    for t in range(n_blocks):
        scores[t] = block_score(t, codes, offsets, v, c, w_flat, wt, resid, lam_s, lam_f,
                                gamma, penalty, sums, q, a, kappa, lam_2)
        worst = max(worst, scores[t])
    return max_passes, updates, worst <= tol, worst, shift
