"""Drivers for the l0l2 pseudolikelihood: active-set CD, swap local search, paths.

The kernels (``l0learn.covariance._kernels``) work on a state ``(Theta, H, q)``; this
module decides which pairs to sweep, when to screen all pairs, and when to stop.
"""

from dataclasses import dataclass

import time

import numpy as np

from .._shared.threads import single_blas_thread
from ._kernels import (build_state, l0l2_objective, listed_objective, primal_sweeps,
                       primal_sweeps_residual, primal_violations, residuals, row_swaps,
                       upper_pairs)

# With fewer samples than features / this, coordinate descent runs on the residuals
# X Theta (a pair costs O(n)) instead of on H = Theta S (O(p)); H is rebuilt after.
_RESIDUAL_RATIO = 4
# Pairs that may enter the working set per round, at most (per feature, or twice the
# current edges): from an empty graph at small n, half of all pairs can violate at once.
_ENTERING_PER_FEATURE = 10


@dataclass
class GraphState:
    """``Theta`` with its maintained products (see :mod:`l0learn.covariance._kernels`)."""

    theta: np.ndarray
    H: np.ndarray
    q: np.ndarray

    @classmethod
    def from_theta(cls, S, theta):
        """The state of a symmetric ``theta`` with a positive diagonal."""
        rows, cols = np.nonzero(np.triu(theta, 1))
        return cls.from_pairs(S, np.diag(theta).copy(), rows, cols, theta[rows, cols])

    @classmethod
    def from_pairs(cls, S, diag, rows, cols, values):
        theta, H, q = build_state(S, np.ascontiguousarray(diag, dtype=float),
                                  np.ascontiguousarray(rows, dtype=np.int64),
                                  np.ascontiguousarray(cols, dtype=np.int64),
                                  np.ascontiguousarray(values, dtype=float))
        return cls(theta, H, q)

    @classmethod
    def empty(cls, S):
        """The edgeless optimum ``Theta = diag(1 / S_ii)``."""
        none = np.zeros(0, dtype=np.int64)
        return cls.from_pairs(S, 1.0 / np.diag(S), none, none, np.zeros(0))

    def edges(self):
        """``(rows, cols)`` of the nonzero pairs, ``rows < cols``, row-major."""
        return upper_pairs(self.theta)

    def compact(self):
        """``(diag, rows, cols, values)``: enough to rebuild the state."""
        rows, cols = self.edges()
        return np.diag(self.theta).copy(), rows, cols, self.theta[rows, cols]


def merge_pairs(pairs_a, pairs_b):
    """Union of two ``(rows, cols)`` lists (``rows < cols``), sorted row-major."""
    rows = np.concatenate([pairs_a[0], pairs_b[0]]).astype(np.int64)
    cols = np.concatenate([pairs_a[1], pairs_b[1]]).astype(np.int64)
    if rows.size == 0:
        return rows, cols
    key = np.unique(rows * (cols.max() + 1) + cols)
    width = cols.max() + 1
    return key // width, key % width


@dataclass
class PrimalResult:
    state: GraphState
    objective: float
    n_iter: int
    converged: bool
    n_swaps: int


@single_blas_thread
def primal_solve(S, lambda_0, lambda_2, big_m, state=None, *, allowed=None, swaps=True,
                 max_iter=100, max_swaps=10, tol=1e-9, deadline=np.inf, X=None):
    """Coordinate descent over an active set of pairs, then row-wise swaps (CDPSI).

    Parameters
    ----------
    S : ndarray of shape (p, p)
        Sample covariance (positive diagonal).
    lambda_0, lambda_2, big_m : float
        Penalties and the box on off-diagonal entries (``numpy.inf`` for none).
    state : GraphState, optional
        Warm start (modified in place); the edgeless optimum by default.
    allowed : ndarray of bool, shape (p, p), optional
        Pairs that may be nonzero (symmetric); all by default.
    swaps : bool
        Run the swap local search after CD (``"CDPSI"``) or not (``"CD"``).
    max_iter : int
        Rounds of "CD on the active set, then screen every pair".
    max_swaps : int
        Rounds of swap passes.
    tol : float
        Relative tolerance of a CD run; a screened pair enters when its exact
        one-dimensional step lowers ``F`` by more than ``tol * max(|F|, 1)``.
    deadline : float
        ``time.perf_counter()`` value after which no further round or swap pass
        starts (the result is then not ``converged``).
    X : ndarray of shape (n, p), optional
        The centred data (``S = X'X / n``).  With far fewer samples than features the
        coordinate descent then runs on the residuals ``X Theta`` (the same steps, O(n)
        per pair instead of O(p)).

    Returns
    -------
    PrimalResult
        ``converged`` means the final point is coordinate-wise optimal (no pair and
        no diagonal entry can be improved alone) within the tolerances.
    """
    p = S.shape[0]
    if state is None:
        state = GraphState.empty(S)
    if allowed is None:
        allowed = np.ones((p, p), dtype=bool)
    st = (S, state.theta, state.H, state.q)
    residual = X is not None and _RESIDUAL_RATIO * X.shape[0] < p
    if residual:
        X = np.asfortranarray(X, dtype=float)
        sdiag = np.ascontiguousarray(np.diag(S))

    def nonzero(rows, cols):
        """The listed pairs that are edges (every edge is listed: O(list), not O(p^2))."""
        keep = state.theta[rows, cols] != 0.0
        return rows[keep], cols[keep]

    def sweeps(rows, cols):
        if not residual:
            primal_sweeps(*st, rows, cols, allowed, lambda_0, lambda_2, big_m, 1000, tol)
            return
        R = residuals(X, state.theta, *nonzero(rows, cols))
        primal_sweeps_residual(X, sdiag, state.theta, R, state.q, rows, cols, allowed,
                               lambda_0, lambda_2, big_m, 1000, tol)
        np.matmul(R.T, X, out=state.H)  # H[i, k] = x_k' R_i / n
        state.H /= X.shape[0]
        state.q[:] = np.einsum("ij,ij->j", R, R) / X.shape[0]

    n_iter = 0
    n_swaps = 0
    converged = False

    def descend():
        nonlocal n_iter, converged
        converged = False
        active = state.edges()
        for _ in range(max_iter):
            n_iter += 1
            active = (active[0].astype(np.int64), active[1].astype(np.int64))
            sweeps(*active)
            edges = nonzero(*active)
            scale = max(abs(listed_objective(state.theta, state.q, *edges, lambda_0,
                                             lambda_2)), 1.0)
            rows, cols, gains = primal_violations(*st[:3], allowed, lambda_0, lambda_2,
                                                  big_m, tol * scale)
            if rows.size == 0:
                converged = True
                return
            if time.perf_counter() >= deadline:
                return
            cap = max(_ENTERING_PER_FEATURE * p, 2 * edges[0].size)
            if rows.size > cap:  # the most improving first: sweeps stay on a working set
                keep = np.argpartition(gains, cap)[:cap]
                rows, cols = rows[keep], cols[keep]
            active = merge_pairs(edges, (rows, cols))

    descend()
    if swaps and p > 2:
        for _ in range(max_swaps):
            if time.perf_counter() >= deadline:
                converged = False
                break
            scale = max(abs(l0l2_objective(state.theta, state.q, lambda_0, lambda_2)), 1.0)
            made = row_swaps(*st, allowed, lambda_0, lambda_2, big_m, tol * scale)
            n_swaps += made
            if made == 0:
                break
            descend()
    value = float(l0l2_objective(state.theta, state.q, lambda_0, lambda_2))
    return PrimalResult(state, value, n_iter, converged, n_swaps)


def lambda_0_max(S, lambda_2, big_m=np.inf):
    """The smallest ``lambda_0`` at which the edgeless graph is coordinate-wise optimal.

    At ``Theta = diag(1 / S_ii)`` the quadratic of pair ``(i, j)`` has ``a = 2 S_ii
    S_jj`` and ``b = 4 S_ij``, so a pair enters iff ``lambda_0 < b^2 / (4 (a +
    lambda_2))`` (without a binding box).
    """
    d = np.diag(S)
    a = 2.0 * np.outer(d, d) + lambda_2
    b = 4.0 * np.abs(S)
    t = np.minimum(b / (2.0 * a), big_m)
    gain = b * t - a * t * t  # best decrease of (a + lambda_2) t^2 + b t without lambda_0
    np.fill_diagonal(gain, 0.0)
    return float(gain.max()) if S.shape[0] > 1 else 0.0


def pseudo_log_likelihood(X_centred, theta):
    """Mean Gaussian pseudo-log-likelihood of the rows of ``X_centred`` under ``theta``.

    ``sum_i log N(x_i | -sum_{j != i} theta_ij x_j / theta_ii, 1 / theta_ii)``,
    averaged over rows.
    """
    d = np.diag(theta)
    r = X_centred @ theta  # column i: theta_i' x for every row
    per_node = 0.5 * np.log(d) - 0.5 * np.log(2 * np.pi) - (r * r) / (2.0 * d)
    return float(per_node.sum(axis=1).mean())
