"""Coordinate descent with active sets, swap local search and regularisation paths.

Everything here works on the normalised problem of :mod:`l0learn._design`::

    min_b  0.5 * sum_i w_i (y~_i - x~_i' b)^2 + lambda_0 ||b||_0
           + lambda_1 ||b||_1 + lambda_2 ||b||_2^2,   lo <= b <= hi,  ||b||_0 <= cap

(the L0 term skips the first ``n_excluded`` coordinates).  The numba kernel does
the sweeps; this module decides which coordinates the kernel sweeps, checks
the optimality conditions over all coordinates, runs the swap search and walks
the lambda_0 grid.
"""

from dataclasses import dataclass

import numpy as np

from ._design import Design
from ._kernels._cd import cd_sweeps, update_residual

# Safety net for the outer active-set loop: each round adds at least one
# violating coordinate and lowers the objective, so it ends long before this.
_MAX_ACTIVE_SET_ROUNDS = 1000
# Grid steps taken to warm-start a single fit before jumping to its lambda_0.
_MAX_WARM_START_STEPS = 200


@dataclass
class Settings:
    """Solver controls (L0Learn's names in comments)."""

    max_iter: int = 200          # max_iter: sweeps per CD call
    tol: float = 1e-6            # rtol: relative objective change
    atol: float = 1e-9           # atol
    screen_size: int = 1000      # screen_size
    active_set_num: int = 3      # active_set_num
    max_swaps: int = 100         # max_swaps
    n_excluded: int = 0          # exclude_first_k


@dataclass
class Point:
    """One solution of the normalised problem."""

    lambda_0: float
    gamma: float
    support: np.ndarray        # int indices of nonzeros
    values: np.ndarray         # normalised coefficients on the support
    objective: float
    converged: bool
    n_sweeps: int
    n_swaps: int


class NormalisedProblem:
    """The data of one fit, normalised as L0Learn does, plus the map back.

    Parameters
    ----------
    X : validated F-ordered float64 array or CSC matrix
    y : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,), non-negative
    fit_intercept : bool
    lower, upper : ndarray of shape (n_features,)
        Bounds on the original scale (``lower <= 0 <= upper``).
    """

    def __init__(self, X, y, sample_weight, fit_intercept, lower, upper):
        self.design = Design(X, sample_weight, fit_intercept)
        self.lower_original, self.upper_original = lower, upper
        w = sample_weight
        self.fit_intercept = fit_intercept
        self.y_offset = float(w @ y / w.sum()) if fit_intercept else 0.0
        yc = y - self.y_offset
        self.y_scale = float(np.sqrt(w @ (yc * yc)))
        self.degenerate = not self.y_scale > 0.0  # y is constant: the empty model is exact
        scale = self.y_scale if not self.degenerate else 1.0
        self.y_tilde = yc / scale
        # b_orig = b~ * y_scale / norm  =>  b~ = b_orig * norm / y_scale
        factor = np.where(self.design.constant, 0.0, self.design.norm) / scale
        with np.errstate(invalid="ignore"):
            self.lower = np.where(np.isinf(lower), lower, lower * factor)
            self.upper = np.where(np.isinf(upper), upper, upper * factor)

    def with_weights(self, y, sample_weight):
        """The same problem with other sample weights (e.g. a cross-validation fold)."""
        return NormalisedProblem(self.design.X, y, sample_weight, self.fit_intercept,
                                 self.lower_original, self.upper_original)

    def to_original(self, support, values):
        """Coefficients and intercept on the caller's scale."""
        coef_values = values * self.y_scale * self.design.inv_s[support]
        intercept = self.y_offset - self.design.mu[support] @ coef_values
        return coef_values, float(intercept)


def coordinate_gains(c, lam1, lam2, lower, upper):
    """Vectorised best value and objective decrease of single coordinates.

    For coordinate j alone, with the others fixed and ``c_j = x~_j' W r_(-j)``,
    the best value is ``t_j = clip(sign(c)(|c| - lam1)_+ / lip, lo, hi)`` and it lowers
    the smooth part by ``0.5 lip (v^2 - (t - v)^2)`` where ``v`` is the unclipped value.
    """
    lip = 1.0 + 2.0 * lam2
    v = np.sign(c) * np.maximum(np.abs(c) - lam1, 0.0) / lip
    t = np.clip(v, lower, upper)
    return t, 0.5 * lip * (v * v - (t - v) ** 2)


class CoordinateDescent:
    """State and moves of the solver for one ``(problem, gamma)``.

    Holds the current normalised coefficients ``beta``, the residual ``r``
    (and ``wr = w * r``) and the gradient ``g = X~' W r`` at the end of the last
    solve.
    """

    def __init__(self, problem, lam1, lam2, settings):
        self.problem = problem
        self.design = problem.design
        self.lam1, self.lam2 = lam1, lam2
        self.settings = settings
        p = self.design.n_features
        self.penalised = np.arange(p) >= settings.n_excluded
        self.usable = ~self.design.constant
        self.reset()

    def reset(self):
        """Start from ``beta = 0``."""
        self.beta = np.zeros(self.design.n_features)
        self.r = self.problem.y_tilde.copy()
        self.wr = self.design.w * self.r
        self.g = self.design.gradient(self.wr)

    def set_state(self, beta):
        """Start from given normalised coefficients."""
        self.beta = np.array(beta, dtype=float)
        self.r = self.problem.y_tilde - self.design.predict_normalised(self.beta)
        self.wr = self.design.w * self.r
        self.g = self.design.gradient(self.wr)

    # -- quantities -------------------------------------------------------------
    def objective(self, lam0):
        b = self.beta
        return (0.5 * float(self.r @ self.wr)
                + lam0 * np.count_nonzero(b[self.penalised])
                + self.lam1 * np.abs(b).sum() + self.lam2 * float(b @ b))

    def entry_gains(self):
        """Objective decrease from letting each zero coordinate enter alone."""
        _, gain = coordinate_gains(self.g, self.lam1, self.lam2, self.problem.lower,
                                   self.problem.upper)
        gain[(self.beta != 0.0) | ~self.usable] = 0.0
        return gain

    def max_entry_gain(self):
        """Largest gain over penalised zero coordinates: the lambda_0 at which one enters."""
        gain = self.entry_gains()[self.penalised]
        return float(gain.max()) if gain.size else 0.0

    # -- moves ------------------------------------------------------------------
    def _sweep_set(self, gain, price):
        """Support plus the zero coordinates close to entering.

        A zero coordinate is swept when its entry gain is at least half its L0
        price; at most ``screen_size`` of them, the most promising first.  The
        optimality check after the sweeps catches anything this leaves out.
        """
        support = np.flatnonzero(self.beta)
        candidates = np.flatnonzero((self.beta == 0.0) & self.usable
                                    & (gain > 0.0) & (gain >= 0.5 * price))
        m = self.settings.screen_size
        if candidates.size > m:
            top = np.argpartition(-gain[candidates], m - 1)[:m]
            candidates = candidates[top]
        candidates = candidates[np.argsort(-gain[candidates], kind="stable")]
        return np.concatenate([support, candidates]).astype(np.int64)

    def solve(self, lam0, cap):
        """Coordinate descent to a coordinate-wise optimum at ``lam0`` with ``||b||_0 <= cap``.

        Sweeps run over an active set; afterwards every coordinate is checked and
        violators are added until none is left.  Returns ``(n_sweeps, converged)``.
        """
        s = self.settings
        price = np.where(self.penalised, lam0, 0.0)
        gain = self.entry_gains()
        n_sweeps, converged = 0, True
        for _ in range(_MAX_ACTIVE_SET_ROUNDS):
            coords = self._sweep_set(gain, price)
            sweeps, ok = cd_sweeps(
                *self.design.kernel_args(), self.r, self.wr, self.beta, coords,
                lam0, self.lam1, self.lam2, self.problem.lower, self.problem.upper,
                s.n_excluded, cap, s.max_iter, s.tol, s.atol, s.active_set_num)
            n_sweeps += sweeps
            converged &= ok
            self.g = self.design.gradient(self.wr)
            gain = self.entry_gains()
            if np.count_nonzero(self.beta) >= cap or not np.any(gain > price):
                return n_sweeps, converged
        return n_sweeps, False

    def swap_search(self, lam0, cap, swap_tol=1e-10):
        """Best-improvement single-swap local search (CDPSI), then CD after each swap.

        A swap takes a penalised ``i`` out of the support and puts a penalised
        ``j`` in at its best single-coordinate value.  With the others fixed, the
        objective falls by at least ``gain_j - gain_i`` (L0 prices cancel), where
        ``gain_i`` is what ``i`` currently buys; the swap is made when that exceeds
        ``swap_tol * max(1, objective)``.  Returns ``(n_swaps, n_sweeps, converged)``.
        """
        gram = {}
        n_swaps = n_sweeps = 0
        converged = True
        lo, hi = self.problem.lower, self.problem.upper
        outside_ok = self.penalised & self.usable
        while n_swaps < self.settings.max_swaps:
            support = np.flatnonzero((self.beta != 0.0) & self.penalised)
            if support.size == 0:
                break
            missing = [i for i in support if i not in gram]
            if missing:
                cols = self.design.gram_columns(np.asarray(missing))
                for k, i in enumerate(missing):
                    gram[i] = cols[:, k]
            b_s = self.beta[support]
            # Gradient once i is removed: g + b_i * X~' W x~_i, for every i at once.
            c_all = self.g[:, None] + np.column_stack([gram[i] for i in support]) * b_s
            outside = outside_ok & (self.beta == 0.0)
            _, gain_in = coordinate_gains(c_all[outside], self.lam1, self.lam2,
                                          lo[outside, None], hi[outside, None])
            c_own = c_all[support, np.arange(support.size)]
            _, gain_out = coordinate_gains(c_own, self.lam1, self.lam2, lo[support],
                                           hi[support])
            if gain_in.shape[0] == 0:
                break
            best_rows = np.argmax(gain_in, axis=0)
            improvement = gain_in[best_rows, np.arange(support.size)] - gain_out
            k = int(np.argmax(improvement))
            threshold = swap_tol * max(1.0, self.objective(lam0))
            if improvement[k] <= threshold:
                break
            i = int(support[k])
            j = int(np.flatnonzero(outside)[best_rows[k]])
            t_j, _ = coordinate_gains(np.array([c_all[j, k]]), self.lam1, self.lam2,
                                      lo[j:j + 1], hi[j:j + 1])
            args = self.design.kernel_args()
            update_residual(i, -self.beta[i], *args, self.r, self.wr)
            self.beta[i] = 0.0
            update_residual(j, t_j[0], *args, self.r, self.wr)
            self.beta[j] = t_j[0]
            n_swaps += 1
            sweeps, ok = self.solve(lam0, cap)
            n_sweeps += sweeps
            converged &= ok
        return n_swaps, n_sweeps, converged

    def point(self, lam0, gamma, n_sweeps, n_swaps, converged):
        support = np.flatnonzero(self.beta)
        return Point(lambda_0=float(lam0), gamma=float(gamma), support=support,
                     values=self.beta[support].copy(), objective=self.objective(lam0),
                     converged=bool(converged), n_sweeps=int(n_sweeps),
                     n_swaps=int(n_swaps))


def next_lambda(lam_prev, max_gain, support_changed, scale_down_factor=0.8):
    """L0Learn's automatic grid step (Hazimeh & Mazumder 2020, eq. 31).

    ``max_gain`` is ``(max_j |x~_j' r| - lambda_1)^2 / (2 lip)`` over coordinates
    outside the support: the largest lambda_0 at which one of them would enter.
    """
    if support_changed:
        lam = 0.99 * max_gain
        if lam >= lam_prev:
            lam = 0.97 * lam_prev
        return lam
    return min(scale_down_factor * lam_prev, 0.97 * max_gain)


def _fit_at(cd, lam0, cap, algorithm):
    """CD at ``lam0``, then the swap search for CDPSI: ``(n_sweeps, n_swaps, converged)``."""
    sweeps, converged = cd.solve(lam0, cap)
    swaps = 0
    if algorithm == "CDPSI":
        swaps, more, ok = cd.swap_search(lam0, cap)
        sweeps += more
        converged &= ok
    return sweeps, swaps, converged


def compute_path(problem, penalty, gamma, settings, *, algorithm="CD", lambda_grid=None,
                 num_lambda=100, max_support_size=100, scale_down_factor=0.8):
    """The lambda_0 path at one ``gamma``, warm-started from point to point.

    With ``lambda_grid=None`` the grid is L0Learn's automatic one: it starts at the
    smallest lambda_0 giving the empty model (beyond excluded coordinates) and
    stops after ``num_lambda`` points or once the support reaches
    ``max_support_size`` (``None``: no such stop).  A point whose support overshoots ``max_support_size``
    is dropped (L0Learn keeps it).  A user grid is solved in the given order
    with the same support stop.
    """
    lam1, lam2 = penalty.split(gamma)
    cd = CoordinateDescent(problem, lam1, lam2, settings)
    p = problem.design.n_features
    if max_support_size is None:  # no support-size stop
        max_support_size = p + 1
    points = []
    if problem.degenerate:
        lams = [0.0] if lambda_grid is None else lambda_grid
        return [cd.point(lam, gamma, 0, 0, True) for lam in lams]

    if lambda_grid is None:
        # The empty model (excluded coordinates fitted) and the lambda_0 it holds up to.
        sweeps, converged = cd.solve(np.inf, p)
        lam = cd.max_entry_gain()
        if lam <= 0.0:  # nothing can ever enter (e.g. lambda_1 too large)
            return [cd.point(0.0, gamma, sweeps, 0, converged)]
        points.append(cd.point(lam, gamma, sweeps, 0, converged))
        support_prev = np.flatnonzero(cd.beta)
        changed = True
        while len(points) < num_lambda:
            max_gain = cd.max_entry_gain()
            if max_gain <= 0.0:
                break
            lam = next_lambda(lam, max_gain, changed, scale_down_factor)
            sweeps, swaps, converged = _fit_at(cd, lam, p, algorithm)
            support = np.flatnonzero(cd.beta)
            if support.size > max_support_size:
                break
            points.append(cd.point(lam, gamma, sweeps, swaps, converged))
            if support.size >= max_support_size:
                break
            changed = not np.array_equal(support, support_prev)
            support_prev = support
        return points

    for lam in lambda_grid:
        sweeps, swaps, converged = _fit_at(cd, lam, p, algorithm)
        if np.count_nonzero(cd.beta) > max_support_size:
            break
        points.append(cd.point(lam, gamma, sweeps, swaps, converged))
        if np.count_nonzero(cd.beta) >= max_support_size:
            break
    return points


def fit_single(problem, penalty, gamma, settings, *, lambda_0=None, k=None,
               algorithm="CDPSI", max_support_size=None, n_starts=8):
    """One solution, reached by warm starts along the automatic grid.

    Either ``lambda_0`` (Lagrangian form, with the optional constraint
    ``||b||_0 <= max_support_size``) or ``k`` (cardinality-constrained form
    ``||b||_0 <= k`` with no L0 price, which fills the support to ``k`` whenever
    a further coordinate lowers the objective).  The grid walk uses CD alone.

    Local search cannot change the support size, so in the Lagrangian form the
    walk goes on a little below ``lambda_0`` and the solution is polished at
    ``lambda_0`` from each of the last ``n_starts`` distinct supports met around
    it (smaller and larger); the best is returned.
    """
    lam1, lam2 = penalty.split(gamma)
    cd = CoordinateDescent(problem, lam1, lam2, settings)
    p = problem.design.n_features
    cap = p if max_support_size is None else int(max_support_size)
    if k is not None:
        cap, target = int(k), 0.0
    else:
        target = float(lambda_0)
    if problem.degenerate:
        return cd.point(target, gamma, 0, 0, True)
    total, converged = cd.solve(np.inf, cap)
    lam = cd.max_entry_gain()
    support_prev = np.flatnonzero(cd.beta)
    starts = []  # (support, beta) snapshots near the target
    floor = 0.25 * target  # how far below the target the walk looks for larger supports
    for _ in range(_MAX_WARM_START_STEPS):
        if lam <= floor or np.count_nonzero(cd.beta) >= cap:
            break
        sweeps, ok = cd.solve(lam, cap)
        total += sweeps
        converged &= ok
        support = np.flatnonzero(cd.beta)
        changed = not np.array_equal(support, support_prev)
        if changed or not starts:
            starts.append(cd.beta.copy())
        support_prev = support
        max_gain = cd.max_entry_gain()
        if max_gain <= floor:
            break
        lam = next_lambda(lam, max_gain, changed)
    starts = starts[-n_starts:] if target > 0.0 else starts[-1:]
    best = None
    for beta in starts or [cd.beta.copy()]:
        cd.set_state(beta)
        sweeps, swaps, ok = _fit_at(cd, target, cap, algorithm)
        total += sweeps
        candidate = cd.point(target, gamma, 0, swaps, converged and ok)
        if best is None or candidate.objective < best.objective - 1e-14:
            best = candidate
    best.n_sweeps = total
    return best
