"""Block coordinate descent for additive step-function models (FAST).

Every feature ``j`` is encoded once as integer level codes (``codes[:, j]``):
levels ``0 .. n_chain[j]-1`` are its sorted values or bins (``kind 0``) or its
categories (``kind 1``); when the feature has missing values they form one
extra level ``n_chain[j]``, which is unpenalised and never fused.  The shape
values of all features live in one flat array ``beta`` (feature ``j`` owns
``beta[offsets[j]:offsets[j+1]]``) next to the level weights ``cw`` (sum of
sample weights per level).  Sample weights ``w`` sum to one, so the loss is a
weighted mean.

A block update aggregates the residual per level (O(n)), solves the block
problem exactly on the level means (O(m) for total variation) and pushes the
change back into the residual (O(n)).
"""

import numpy as np
from numba import njit

from .._shared.fused import (flsa, segment_l0, smooth_chain, smooth_star, squared_deviations,
                             squared_differences, star_fusion)
from .._shared.levels import level_sums

FUSION_TV = 0
FUSION_L0 = 1
FUSION_L2 = 2  # ½ lam Σ (θ_{k+1} − θ_k)²: smooth shapes
KIND_ORDERED = 0
KIND_CATEGORICAL = 1


@njit(cache=True, nogil=True)
def _penalty(theta, kind, fusion, lam):
    if lam == 0.0 or theta.shape[0] < 2:
        return 0.0
    if fusion == FUSION_L2:
        if kind == KIND_ORDERED:
            return 0.5 * lam * squared_differences(theta)
        return 0.5 * lam * squared_deviations(theta)
    if fusion == FUSION_L0:
        if kind == KIND_ORDERED:
            n = 0
            for k in range(theta.shape[0] - 1):
                if theta[k + 1] != theta[k]:
                    n += 1
            return lam * n
        # categorical: number of distinct values minus one
        vals = np.sort(theta)
        n = 0
        for k in range(vals.shape[0] - 1):
            if vals[k + 1] != vals[k]:
                n += 1
        return lam * n
    if kind == KIND_ORDERED:
        acc = 0.0
        for k in range(theta.shape[0] - 1):
            acc += abs(theta[k + 1] - theta[k])
        return lam * acc
    # categorical total variation about the best centre: solve for it
    return lam * _star_tv(theta)


@njit(cache=True, nogil=True)
def _star_tv(theta):
    """min_mu sum |theta_k - mu| (attained at a median)."""
    vals = np.sort(theta)
    mu = vals[(vals.shape[0] - 1) // 2]
    acc = 0.0
    for k in range(vals.shape[0]):
        acc += abs(vals[k] - mu)
    return acc


@njit(cache=True, nogil=True)
def _block_value(a, c, theta, kind, fusion, lam, m_chain):
    """½ Σ c (a − θ)² over all levels + the fusion penalty of the chain part."""
    acc = 0.0
    for k in range(a.shape[0]):
        d = a[k] - theta[k]
        acc += 0.5 * c[k] * d * d
    return acc + _penalty(theta[:m_chain], kind, fusion, lam)


@njit(cache=True, nogil=True)
def _solve_chain(a, c, kind, fusion, lam, out):
    m = a.shape[0]
    if m == 0:
        return
    if fusion == FUSION_L2:
        if kind == KIND_ORDERED:
            smooth_chain(a, c, lam, out)
        else:
            smooth_star(a, c, lam, out)
        return
    if kind == KIND_ORDERED:
        if fusion == FUSION_TV:
            flsa(a, c, lam, out)
        else:
            segment_l0(a, c, lam, out, True)
    else:
        if fusion == FUSION_TV:
            star_fusion(a, c, lam, out)
        else:
            # optimal groupings of 1-D points are contiguous in sorted order
            order = np.argsort(a)
            tmp = np.empty(m)
            segment_l0(a[order], c[order], lam, tmp, True)
            for q in range(m):
                out[order[q]] = tmp[q]


@njit(cache=True, nogil=True)
def ordered_tv_kkt(sums, theta, m_chain, lam):
    """Largest minimum-norm subgradient over the jumps of an ordered TV chain.

    ``sums`` are the level sums of ``w * residual`` (full residual).  The loss
    gradient with respect to the jump between levels ``l-1`` and ``l`` is
    ``-sum_{k >= l} sums[k]``.
    """
    worst = 0.0
    g = 0.0
    for l in range(m_chain - 1, 0, -1):
        g -= sums[l]
        jump = theta[l] - theta[l - 1]
        if jump > 0.0:
            d = abs(g + lam)
        elif jump < 0.0:
            d = abs(g - lam)
        else:
            d = abs(g) - lam
        if d > worst:
            worst = d
    return worst


@njit(cache=True, nogil=True)
def smooth_kkt(sums, theta, m_chain, kind, lam):
    """Largest gradient entry of the loss plus the squared-difference penalty (smooth).

    ``sums`` are the level sums of ``w * residual``; the penalty's gradient is
    ``lam`` times the path Laplacian of ``theta`` (ordered) or ``lam (θ_k − mean θ)``
    (categories, at the best centre).
    """
    worst = 0.0
    mu = 0.0
    if kind != KIND_ORDERED:
        for k in range(m_chain):
            mu += theta[k]
        mu /= max(m_chain, 1)
    for k in range(m_chain):
        if kind == KIND_ORDERED:
            lap = 0.0
            if k > 0:
                lap += theta[k] - theta[k - 1]
            if k < m_chain - 1:
                lap += theta[k] - theta[k + 1]
        else:
            lap = theta[k] - mu
        d = abs(lam * lap - sums[k])
        if d > worst:
            worst = d
    return worst


@njit(cache=True, nogil=True)
def block_update(j, codes, offsets, n_chain, kind, cw, w, resid, beta, lam, lam_group,
                 fusion, allowed, apply, sums, a, new):
    """Exact minimisation over feature ``j``'s shape; returns (decrease, kkt).

    The block objective is ``½ Σ_k c_k (a_k − β_k)² + lam · fusion(β) +
    lam_group · 1(β ≠ 0)`` with ``a`` the level means of the partial residual.
    With ``allowed`` false the shape is set to zero.  With ``apply`` false only
    the decrease is computed (for greedy block selection).  ``kkt`` is the
    minimum-norm subgradient of the current point for an ordered TV chain, the
    gradient's largest entry for squared-difference fusion (and the unpenalised
    missing level's in both), 0 otherwise.
    """
    off = offsets[j]
    n_lev = offsets[j + 1] - off
    m = n_chain[j]
    kd = kind[j]
    c = cw[off:off + n_lev]
    b = beta[off:off + n_lev]
    level_sums(j, codes, w, resid, n_lev, sums)
    is_active = False
    for k in range(n_lev):
        if b[k] != 0.0:
            is_active = True
    # stationarity of the current point; a shape held at zero by the group
    # penalty or by ``allowed`` is judged by its decrease alone
    kkt = 0.0
    if allowed and (is_active or lam_group == 0.0):
        if fusion == FUSION_TV and kd == KIND_ORDERED:
            kkt = ordered_tv_kkt(sums, b, m, lam)
        elif fusion == FUSION_L2:
            kkt = smooth_kkt(sums, b, m, kd, lam)
        if n_lev > m and abs(sums[m]) > kkt:
            kkt = abs(sums[m])
    for k in range(n_lev):
        a[k] = (sums[k] / c[k] + b[k]) if c[k] > 0.0 else b[k]
    old_value = _block_value(a[:n_lev], c, b, kd, fusion, lam, m)
    if is_active:
        old_value += lam_group
    zero_value = 0.0
    for k in range(n_lev):
        zero_value += 0.5 * c[k] * a[k] * a[k]
    chosen_value = zero_value
    use_zero = True
    if allowed:
        _solve_chain(a[:m], c[:m], kd, fusion, lam, new[:m])
        for k in range(m, n_lev):
            new[k] = a[k] if c[k] > 0.0 else 0.0
        constant = True
        for k in range(1, n_lev):
            if new[k] != new[0]:
                constant = False
                break
        if not constant:
            value = _block_value(a[:n_lev], c, new[:n_lev], kd, fusion, lam, m) + lam_group
            if value < zero_value:
                chosen_value = value
                use_zero = False
    if use_zero:
        for k in range(n_lev):
            new[k] = 0.0
    decrease = old_value - chosen_value
    if apply and (decrease > 0.0 or not allowed):
        changed = False
        for k in range(n_lev):
            a[k] = new[k] - b[k]  # reuse a as the change
            if a[k] != 0.0:
                changed = True
        if changed:
            for i in range(codes.shape[0]):
                resid[i] -= a[codes[i, j]]
            for k in range(n_lev):
                b[k] = new[k]
    return decrease, kkt


@njit(cache=True, nogil=True)
def cyclic_bcd(features, codes, offsets, n_chain, kind, cw, w, resid, beta, lam, lam_group,
               fusion, allowed, max_sweeps, tol_kkt, tol_decrease, sums, a, new):
    """Cyclic sweeps of exact block updates over ``features``.

    Stops after a sweep in which every block's decrease is <= ``tol_decrease``
    and its stationarity measure <= ``tol_kkt``.  Returns (sweeps, converged,
    largest kkt in the last sweep).
    """
    sweeps = 0
    last_kkt = 0.0
    for sweep in range(max_sweeps):
        sweeps = sweep + 1
        worst_dec = 0.0
        worst_kkt = 0.0
        for q in range(features.shape[0]):
            j = features[q]
            dec, kkt = block_update(j, codes, offsets, n_chain, kind, cw, w, resid, beta,
                                    lam, lam_group, fusion, allowed[j], True, sums, a, new)
            if dec > worst_dec:
                worst_dec = dec
            if kkt > worst_kkt:
                worst_kkt = kkt
        last_kkt = worst_kkt
        if worst_dec <= tol_decrease and worst_kkt <= tol_kkt:
            return sweeps, True, last_kkt
    return sweeps, False, last_kkt


@njit(cache=True, nogil=True)
def greedy_bcd(features, codes, offsets, n_chain, kind, cw, w, resid, beta, lam, lam_group,
               fusion, allowed, max_updates, tol_kkt, tol_decrease, sums, a, new):
    """Greedy (Gauss–Southwell-q) block coordinate descent.

    Each step scores every block by the exact decrease its update would give
    (one O(n) aggregation per block) and updates only the best one.  Stops when
    no block would decrease the objective by more than ``tol_decrease`` and every
    stationarity measure is <= ``tol_kkt``.  Returns (updates, converged, kkt).
    """
    n_feat = features.shape[0]
    for step in range(max_updates):
        best = -1
        best_dec = 0.0
        worst_kkt = 0.0
        for q in range(n_feat):
            j = features[q]
            dec, kkt = block_update(j, codes, offsets, n_chain, kind, cw, w, resid, beta,
                                    lam, lam_group, fusion, allowed[j], False, sums, a, new)
            if kkt > worst_kkt:
                worst_kkt = kkt
            if dec > best_dec:
                best_dec = dec
                best = j
        if best_dec <= tol_decrease and worst_kkt <= tol_kkt:
            return step, True, worst_kkt
        if best < 0:
            return step, False, worst_kkt
        block_update(best, codes, offsets, n_chain, kind, cw, w, resid, beta, lam, lam_group,
                     fusion, allowed[best], True, sums, a, new)
    return max_updates, False, 0.0


@njit(cache=True, nogil=True)
def objective(codes, offsets, n_chain, kind, w, resid, beta, lam, lam_group, fusion):
    """½ Σ w r² + lam Σ_j fusion(β_j) + lam_group · #active shapes."""
    acc = 0.0
    for i in range(resid.shape[0]):
        acc += 0.5 * w[i] * resid[i] * resid[i]
    for j in range(offsets.shape[0] - 1):
        off = offsets[j]
        b = beta[off:offsets[j + 1]]
        active = False
        for k in range(b.shape[0]):
            if b[k] != 0.0:
                active = True
                break
        if active:
            acc += lam_group + _penalty(b[:n_chain[j]], kind[j], fusion, lam)
    return acc


@njit(cache=True, nogil=True)
def add_shapes(codes, offsets, beta, out):
    """``out[i] += sum_j beta_j[codes[i, j]]`` (codes < 0 contribute nothing)."""
    for j in range(offsets.shape[0] - 1):
        off = offsets[j]
        for i in range(codes.shape[0]):
            k = codes[i, j]
            if k >= 0:
                out[i] += beta[off + k]
