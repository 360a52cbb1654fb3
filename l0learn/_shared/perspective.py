"""The perspective envelope of the l0l2 penalty and its conjugates.

Both exact problems (L0L2 regression and GraphL0BnB) relax ``lambda_0 [b != 0] +
lambda_2 b^2`` on ``|b| <= M`` to its convex envelope ``psi``: the perspective
regime when ``sqrt(lambda_0 / lambda_2) <= M``, the big-M regime otherwise.  The
kernels here evaluate ``psi`` and its one-dimensional proximal step; the conjugate
``phi*`` gives the Fenchel dual bounds of both problems.
"""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def envelope_constants(lam0, lam2, big_m):
    """``(ratio, threshold, perspective)`` of the relaxed penalty.

    Perspective regime (``sqrt(lam0/lam2) <= M``): ``psi(b) = 2 sqrt(lam0 lam2)|b|``
    up to ``|b| = ratio``, then ``lam0 + lam2 b^2``.  Big-M regime: ``psi(b) =
    (lam0/M + lam2 M)|b|``.  ``threshold`` is the slope at zero.
    """
    ratio = np.sqrt(lam0 / lam2) if lam2 > 0.0 else np.inf
    if ratio <= big_m:
        return ratio, 2.0 * np.sqrt(lam0 * lam2), True
    return ratio, lam0 / big_m + lam2 * big_m, False


@njit(cache=True, nogil=True)
def relaxed_penalty(b, kind, lam0, lam2, ratio, threshold, perspective):
    a = abs(b)
    if kind == 0 or a == 0.0:
        return 0.0
    if kind == 2:
        return lam0 + lam2 * a * a
    if perspective and a >= ratio:
        return lam0 + lam2 * a * a
    return threshold * a


@njit(cache=True, nogil=True)
def relaxed_coordinate(a, kind, lam2, big_m, ratio, threshold, perspective):
    """Minimiser of ``0.5 t^2 - a t + penalty(t)`` over ``|t| <= M`` (unit-norm column)."""
    s = 1.0 if a >= 0.0 else -1.0
    x = abs(a)
    if kind == 2:
        return s * min(big_m, x / (1.0 + 2.0 * lam2))
    if x <= threshold:
        return 0.0
    t = x - threshold
    if perspective and t > ratio:
        t = x / (1.0 + 2.0 * lam2)
    return s * min(big_m, t)


@njit(cache=True, nogil=True)
def conjugate_at(a, lam0, lam2, big_m):
    """``phi*`` at ``a = |v|`` (scalar kernel form of :func:`conjugate_fixed_one`)."""
    if lam2 == 0.0:
        return big_m * a - lam0
    if a <= 2.0 * big_m * lam2:
        return a * a / (4.0 * lam2) - lam0
    return big_m * a - lam2 * big_m * big_m - lam0


def conjugate_fixed_one(v, lam0, lam2, big_m):
    """``phi*(v)``: conjugate of ``lambda_0 + lambda_2 b^2`` on ``|b| <= M`` (``M`` may be inf).

    ``lam2`` and ``big_m`` are scalars or arrays shaped like ``v`` (one per coordinate).
    """
    v = np.asarray(v, dtype=float)
    lam2 = np.broadcast_to(np.asarray(lam2, dtype=float), v.shape)
    big_m = np.broadcast_to(np.asarray(big_m, dtype=float), v.shape)
    out = np.empty(v.shape)
    _conjugate_into(v.ravel(), float(lam0), lam2.ravel(), big_m.ravel(), out.ravel())
    return out


@njit(cache=True, nogil=True)
def _conjugate_into(v, lam0, lam2, big_m, out):
    # One pass instead of numpy's half-dozen temporaries: the exact search evaluates
    # this on every free coordinate of every node, twice.
    for j in range(v.size):
        if lam2[j] > 0.0 or np.isfinite(big_m[j]):
            out[j] = conjugate_at(abs(v[j]), lam0, lam2[j], big_m[j])
        else:  # no ridge and no box: unbounded
            out[j] = np.inf


def envelope_arrays(lam0, lam2, big_m):
    """Vectorised :func:`envelope_constants`: ``(ratio, threshold, perspective)`` arrays."""
    lam2, big_m = np.broadcast_arrays(np.asarray(lam2, float), np.asarray(big_m, float))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(lam2 > 0.0, np.sqrt(lam0 / np.where(lam2 > 0.0, lam2, 1.0)), np.inf)
        perspective = ratio <= big_m
        threshold = np.where(perspective, 2.0 * np.sqrt(lam0 * lam2), lam0 / big_m + lam2 * big_m)
    return ratio, threshold, perspective
