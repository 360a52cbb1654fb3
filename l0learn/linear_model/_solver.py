"""Coordinate descent with active sets, swap local search and regularisation paths.

Everything here works on the normalised problem of :mod:`l0learn.linear_model._design`::

    min_b  0.5 * sum_i w_i (y~_i - x~_i' b)^2 + lambda_0 ||b||_0
           + lambda_1 ||b||_1 + lambda_2 ||b||_2^2,   lo <= b <= hi,  ||b||_0 <= cap

(the L0 term skips the first ``n_excluded`` coordinates).  The numba kernel does
the sweeps; this module decides which coordinates the kernel sweeps, checks
the optimality conditions over all coordinates, runs the local search (swaps,
and adds/drops with refit) and walks the lambda_0 grid.
"""

from dataclasses import dataclass

import numpy as np

from .._shared.threads import single_blas_thread
from ._cd_kernels import best_swap, cd_sweeps, update_residual
from ._design import Design, weighted_norm

# Safety net for the outer active-set loop: each round adds at least one
# violating coordinate and lowers the objective, so it ends long before this.
_MAX_ACTIVE_SET_ROUNDS = 1000
# The backward pass starts from a denser solution below the last lambda_0: up to
# _TAIL_STEPS solves, each at _TAIL_FACTOR times the previous lambda_0.
_TAIL_FACTOR = 0.7
_TAIL_STEPS = 10
# Relative margin by which an entry gain must beat its L0 price to count as a violation.
_TIE_RTOL = 1e-9
# Gram columns kept between local searches (p floats each).
_GRAM_CACHE_COLUMNS = 256
# Gradient updates from cached Gram columns (see CoordinateDescent._refresh_gradient):
# at most this many moved coordinates per update, this many updates between exact ones.
_MAX_MOVED_FOR_UPDATE = 64
_MAX_GRADIENT_UPDATES = 20
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
    intercept: float = 0.0     # normalised intercept (classification; regression centres)


class NormalisedProblem:
    """The data of one fit, normalised as L0Learn does, plus the map back.

    With ``normalize=False`` the penalties act on the caller's (raw) coefficients, as
    in L0BnB's ``normalize=False``: with ``b_j = s b~_j / d_j`` (``s`` the response
    scale, ``d_j`` the column norm) the raw objective is ``s^2`` times the normalised
    one with L0 price ``lambda_0 / s^2`` and per-coordinate ridge ``lambda_2 / d_j^2``,
    so the kernels keep their unit-norm columns and only the penalty weights change.

    Parameters
    ----------
    X : validated F-ordered float64 array or CSC matrix
    y : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,), non-negative
    fit_intercept : bool
    lower, upper : ndarray of shape (n_features,)
        Bounds on the original scale (``lower <= 0 <= upper``).
    normalize : bool, default=True
        Whether ``lambda_0`` and ``lambda_2`` act on the normalised problem (L0Learn)
        or on the caller's scale.
    """

    def __init__(self, X, y, sample_weight, fit_intercept, lower, upper, normalize=True):
        self.design = Design(X, sample_weight, fit_intercept)
        self.lower_original, self.upper_original = lower, upper
        w = sample_weight
        self.fit_intercept = fit_intercept
        self.normalize = normalize
        self.y_offset = float(w @ y / w.sum()) if fit_intercept else 0.0
        yc = y - self.y_offset
        self.y_scale = weighted_norm(yc, w)
        self.degenerate = not self.y_scale > 0.0  # y is constant: the empty model is exact
        scale = self.y_scale if not self.degenerate else 1.0
        self.y_tilde = yc / scale
        # b_orig = b~ * y_scale / norm  =>  b~ = b_orig * norm / y_scale
        norm = np.where(self.design.constant, 0.0, self.design.norm)
        with np.errstate(over="ignore", under="ignore"):
            factor = norm / scale  # out of range only where the coefficients are, see to_original
        with np.errstate(invalid="ignore", over="ignore"):
            self.lower = np.where(np.isinf(lower), lower, lower * factor)
            self.upper = np.where(np.isinf(upper), upper, upper * factor)
        p = self.design.n_features
        if normalize:
            self.objective_scale = 1.0
            self._ridge_weight = np.ones(p)
            self._box_weight = np.ones(p)
        else:
            # A constant column never enters; its weights only need to be finite.
            safe = np.where(self.design.constant, 1.0, norm)
            with np.errstate(over="ignore", under="ignore", divide="ignore"):
                self.objective_scale = scale * scale
                self._ridge_weight = 1.0 / (safe * safe)
                self._box_weight = np.where(self.design.constant, 1.0, factor)
            _check_raw_scales(self.objective_scale, self._ridge_weight,
                              self.design.constant, self.design.norm)

    def ridge(self, lam2):
        """The per-coordinate ridge weights of the normalised problem for ``lambda_2``.

        Capped at 1e300: a coordinate with a larger ridge is held at zero either way
        (its best value is ``|g| / (1 + 2 lambda_2j)`` with ``|g| <= 1``), and the cap keeps
        ``0 * ridge`` a number.
        """
        with np.errstate(over="ignore"):
            return np.minimum(lam2 * self._ridge_weight, 1e300)

    def box(self, big_m):
        """A box ``|b_j| <= big_m`` on the caller's coefficients, per coordinate here."""
        return big_m * self._box_weight

    def largest_box(self, box):
        """The widest of the per-coordinate boxes ``box``, on the caller's scale."""
        usable = ~self.design.constant
        return float(np.max(box[usable] / self._box_weight[usable])) if usable.any() else 0.0

    def make_solver(self, lam1, lam2, settings):
        """The coordinate-descent solver for this problem."""
        return CoordinateDescent(self, lam1, lam2, settings)

    def max_abs_gradient(self):
        """``max_j |x~_j' W y~|``: the data-driven top of the L0L1 gamma grid."""
        return float(np.abs(self.design.gradient(self.design.w * self.y_tilde)).max())

    def with_weights(self, y, sample_weight):
        """The same problem with other sample weights (e.g. a cross-validation fold)."""
        return NormalisedProblem(self.design.X, y, sample_weight, self.fit_intercept,
                                 self.lower_original, self.upper_original, self.normalize)

    def to_original(self, support, values, intercept=0.0):
        """Coefficients and intercept on the caller's scale (``intercept`` is implicit here)."""
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            coef_values = values * self.y_scale * self.design.inv_s[support]
            intercept = self.y_offset - self.design.mu[support] @ coef_values
        lost = (values != 0.0) & ((coef_values == 0.0) | ~np.isfinite(coef_values))
        if lost.any() or not np.isfinite(intercept):
            raise ValueError(
                "The fitted coefficients do not fit in float64 on the caller's scale (the "
                "ratio of y's scale to a column's scale is beyond about 1e+-300); rescale X "
                "or y.")
        return coef_values, float(intercept)


def _check_raw_scales(objective_scale, ridge_weight, constant, norm):
    """``normalize=False`` squares the response's and the columns' norms: both must fit."""
    if not 1e-300 <= objective_scale <= 1e300:
        raise ValueError(
            f"normalize=False: the response's (weighted, centred) sum of squares "
            f"{objective_scale:.3g} is outside float64's safe range; rescale y or use "
            "normalize=True.")
    bad = np.flatnonzero(~constant & ~((ridge_weight >= 1e-300) & (ridge_weight <= 1e300)))
    if bad.size:
        j = int(bad[0])
        raise ValueError(
            f"normalize=False: column {j} has norm {norm[j]:.3g}, whose square is outside "
            "float64's safe range (so is any ridge on its coefficient); rescale X or use "
            "normalize=True.")


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


class ActiveSetSolver:
    """What every coordinate-descent solver shares: the active-set rounds around a kernel.

    Subclasses hold ``beta``, ``penalised``, ``usable``, ``settings`` and the gradient
    ``g``, and implement ``entry_gains()``, ``_run_sweeps(coords, price, cap)`` (the
    kernel call, returning ``(n_sweeps, converged)``) and ``_refresh_gradient()``.
    """

    def __init__(self, problem, lam1, lam2, settings, *, unpenalised=None, forbidden=None):
        self.problem = problem
        self.design = problem.design
        self.lam1, self.lam2 = lam1, lam2
        self.settings = settings
        self.penalised = np.arange(self.design.n_features) >= settings.n_excluded
        self.usable = ~self.design.constant
        if unpenalised is not None:  # e.g. variables fixed to one in a branch-and-bound node
            self.penalised[unpenalised] = False
        if forbidden is not None:  # e.g. variables fixed to zero
            self.usable[forbidden] = False

    def max_entry_gain(self):
        """Largest gain over penalised zero coordinates: the lambda_0 at which one enters."""
        gain = self.entry_gains()[self.penalised]
        return float(gain.max()) if gain.size else 0.0

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
        price = np.where(self.penalised, lam0, 0.0)
        gain = self.entry_gains()
        n_sweeps, converged = 0, True
        for _ in range(_MAX_ACTIVE_SET_ROUNDS):
            sweeps, ok = self._run_sweeps(self._sweep_set(gain, price), price, cap)
            n_sweeps += sweeps
            converged &= ok
            self._refresh_gradient()
            gain = self.entry_gains()
            # The kernel and NumPy round differently: a coordinate whose gain ties
            # its price (e.g. at lambda_0 = the largest entry gain) is not a violator.
            violators = gain > price + _TIE_RTOL * np.maximum(price, 1e-300)
            if np.count_nonzero(self.beta) >= cap or not np.any(violators):
                return n_sweeps, converged
        return n_sweeps, False


class CoordinateDescent(ActiveSetSolver):
    """State and moves of the solver for one ``(problem, gamma)``.

    Holds the current normalised coefficients ``beta``, the residual ``r``
    (and ``wr = w * r``) and the gradient ``g = X~' W r`` at the end of the last
    solve.
    """

    def __init__(self, problem, lam1, lam2, settings, *, unpenalised=None, forbidden=None):
        # lam2 is the caller's ridge weight; the kernels take it per coordinate.
        super().__init__(problem, lam1, problem.ridge(lam2), settings,
                         unpenalised=unpenalised, forbidden=forbidden)
        self._gram = {}  # i -> X~' W x~_i, shared by the local searches of a path
        self.reset()

    def reset(self):
        """Start from ``beta = 0``."""
        self.beta = np.zeros(self.design.n_features)
        self.r = self.problem.y_tilde.copy()
        self.wr = self.design.w * self.r
        self._exact_gradient()

    def set_state(self, beta):
        """Start from given normalised coefficients."""
        self.beta = np.array(beta, dtype=float)
        self.r = self.problem.y_tilde - self.design.predict_normalised(self.beta)
        self.wr = self.design.w * self.r
        self._exact_gradient()

    def _exact_gradient(self):
        self.g = self.design.gradient(self.wr)
        self._g_beta = self.beta.copy()  # the coefficients g belongs to
        self._g_updates = 0

    # -- quantities -------------------------------------------------------------
    def objective(self, lam0):
        b = self.beta
        return (0.5 * float(self.r @ self.wr)
                + lam0 * np.count_nonzero(b[self.penalised])
                + self.lam1 * np.abs(b).sum() + float((self.lam2 * b) @ b))

    def entry_gains(self):
        """Objective decrease from letting each zero coordinate enter alone."""
        _, gain = coordinate_gains(self.g, self.lam1, self.lam2, self.problem.lower,
                                   self.problem.upper)
        gain[(self.beta != 0.0) | ~self.usable] = 0.0
        return gain

    # -- moves ------------------------------------------------------------------
    def _run_sweeps(self, coords, price, cap):
        s = self.settings
        return cd_sweeps(*self.design.kernel_args(), self.r, self.wr, self.beta, coords, price,
                         self.lam1, self.lam2, self.problem.lower, self.problem.upper, cap,
                         s.max_iter, s.tol, s.atol, s.active_set_num)

    def _refresh_gradient(self):
        """``g = X~' W r`` for the current coefficients.

        ``r`` changed by ``-X~ d`` (``d`` the change of ``beta`` since ``g`` was last
        set), so ``g`` changes by ``-sum_i G_i d_i`` with ``G_i = X~' W x~_i``.  When
        every coordinate that moved has its Gram column cached (the local search
        keeps them), that update costs ``O(p |moved|)`` instead of a pass over ``X``;
        every ``_MAX_GRADIENT_UPDATES`` updates (and otherwise) the gradient is
        recomputed exactly, so rounding cannot accumulate.
        """
        moved = np.flatnonzero(self.beta != self._g_beta)
        gram = self._gram
        if (0 < moved.size <= _MAX_MOVED_FOR_UPDATE and self._g_updates < _MAX_GRADIENT_UPDATES
                and all(i in gram for i in moved.tolist())):
            for i, d in zip(moved.tolist(), (self.beta[moved] - self._g_beta[moved]).tolist()):
                self.g -= gram[i] * d
            self._g_beta[moved] = self.beta[moved]
            self._g_updates += 1
        elif moved.size:
            self._exact_gradient()

    def local_search(self, lam0, cap, tol=1e-10):
        """Best-improvement local search (CDPSI), with coordinate descent after each move.

        Moves, each scored by the objective decrease it buys:

        * **swap** (L0Learn's CDPSI): a penalised ``i`` leaves the support and a
          penalised ``j`` enters at its best single-coordinate value, the others
          fixed; the objective falls by at least ``gain_j - gain_i`` (L0 prices cancel).
        * **add with refit**: ``j`` enters and the whole support is refitted; for the
          ridge fit on ``S`` the smooth part falls by ``g_j^2 / (2 (lip - q_j))`` with
          ``q_j = G_jS A^{-1} G_Sj``, ``A = X~_S' W X~_S + 2 lambda_2 I``.
        * **drop with refit**: ``i`` leaves and the support is refitted; the smooth part
          rises by ``b_i^2 / (2 (A^{-1})_ii)``.

        Swaps keep the support size; the refit moves let the search change it, which
        swaps alone cannot (they need ``lambda_1 = 0`` and no active bounds, where the
        refit has this closed form).  A move is kept only if, after coordinate descent,
        the objective fell by more than ``tol * max(1, objective)``.
        Returns ``(n_moves, n_sweeps, converged)``.
        """
        gram = self._gram
        n_moves = n_sweeps = 0
        converged = True
        lo, hi = self.problem.lower, self.problem.upper
        closed_form_refit = (self.lam1 == 0.0 and not np.isfinite(lo[self.usable]).any()
                             and not np.isfinite(hi[self.usable]).any())
        while n_moves < self.settings.max_swaps:
            active = np.flatnonzero(self.beta)
            if active.size == 0:
                break
            self._cache_gram_columns(active)
            G = np.column_stack([gram[i] for i in active])
            f_now = self.objective(lam0)
            threshold = tol * max(1.0, f_now)
            moves = [self._best_swap(G, active)]
            if closed_form_refit:
                moves += self._best_refit_moves(G, active, lam0, cap)
            gain, changes = max(moves, key=lambda m: m[0])
            if gain <= threshold:
                break
            saved = (self.beta.copy(), self.r.copy(), self.wr.copy(), self.g.copy())
            args = self.design.kernel_args()
            for j, value in changes:
                update_residual(j, value - self.beta[j], *args, self.r, self.wr)
                self.beta[j] = value
            # the newcomers' Gram columns: the next round needs them, and with them the
            # gradient after this move is an update rather than a pass over X
            self._cache_gram_columns(np.flatnonzero(self.beta))
            sweeps, ok = self.solve(lam0, cap)
            n_sweeps += sweeps
            if self.objective(lam0) >= f_now - threshold:  # the estimate did not pan out
                self.beta, self.r, self.wr, self.g = saved
                self._g_beta = self.beta.copy()  # the saved g belongs to the saved beta
                break
            converged &= ok
            n_moves += 1
        return n_moves, n_sweeps, converged

    def _cache_gram_columns(self, active):
        """Make ``X~' W x~_i`` available for every ``i`` in ``active``.

        Columns are kept across calls (warm-started path points share most of their
        support); once more than ``_GRAM_CACHE_COLUMNS`` are held, those outside the
        current support are dropped.
        """
        gram = self._gram
        missing = [i for i in active if i not in gram]
        if len(gram) + len(missing) > _GRAM_CACHE_COLUMNS:
            keep = set(active.tolist())
            for i in [i for i in gram if i not in keep]:
                del gram[i]
        if missing:
            cols = self.design.gram_columns(np.asarray(missing))
            for k, i in enumerate(missing):
                gram[i] = cols[:, k]

    def _best_swap(self, G, active):
        """``(gain, changes)`` of the best single swap, others fixed."""
        pen = self.penalised[active]
        support = active[pen]
        outside = self.penalised & self.usable & (self.beta == 0.0)
        if support.size == 0 or not outside.any():
            return -np.inf, []
        Gs = G if pen.all() else np.ascontiguousarray(G[:, pen])
        gain, k, j, t_j = best_swap(self.g, Gs,
                                    self.beta[support], support, outside, self.lam1,
                                    self.lam2, self.problem.lower, self.problem.upper)
        if k < 0:
            return -np.inf, []
        return float(gain), [(int(support[k]), 0.0), (int(j), float(t_j))]

    def _best_refit_moves(self, G, active, lam0, cap):
        """``[(gain, changes)]`` of the best add-with-refit and drop-with-refit moves."""
        lip = 1.0 + 2.0 * self.lam2
        A = G[active] + np.diag(2.0 * self.lam2[active])
        try:
            A_inv = np.linalg.inv(A)
        except np.linalg.LinAlgError:
            return []
        if not np.all(np.isfinite(A_inv)):
            return []
        b = self.beta[active]
        moves = []
        outside = np.flatnonzero(self.penalised & self.usable & (self.beta == 0.0))
        if active.size < cap and outside.size:
            # q_j = G_jS A^{-1} G_Sj for every row, then the outside ones (no copy of G's rows)
            q = np.einsum("ij,ij->i", G @ A_inv, G)[outside]
            denom = lip[outside] - q
            ok = denom > 1e-10 * lip[outside]
            delta = np.where(ok, self.g[outside] ** 2 / (2.0 * np.where(ok, denom, 1.0)), 0.0)
            m = int(np.argmax(delta))
            if ok[m]:
                b_j = self.g[outside[m]] / denom[m]
                b_new = b - A_inv @ G[outside[m]] * b_j
                moves.append((float(delta[m] - lam0),
                              list(zip(active.tolist(), b_new.tolist()))
                              + [(int(outside[m]), float(b_j))]))
        diag = np.diag(A_inv)
        pen = self.penalised[active] & (diag > 0)
        if pen.any():
            rise = np.where(pen, b * b / (2.0 * np.where(pen, diag, 1.0)), np.inf)
            k = int(np.argmin(rise))
            b_new = b - A_inv[:, k] * (b[k] / A_inv[k, k])
            b_new[k] = 0.0
            moves.append((float(lam0 - rise[k]), list(zip(active.tolist(), b_new.tolist()))))
        return moves

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
        swaps, more, ok = cd.local_search(lam0, cap)
        sweeps += more
        converged &= ok
    return sweeps, swaps, converged


@single_blas_thread
def compute_path(problem, penalty, gamma, settings, *, algorithm="CD", lambda_grid=None,
                 num_lambda=100, max_support_size=100, scale_down_factor=0.8):
    """The lambda_0 path at one ``gamma``, warm-started from point to point.

    With ``lambda_grid=None`` the grid is L0Learn's automatic one: it starts at the
    smallest lambda_0 giving the empty model (beyond excluded coordinates) and
    stops after ``num_lambda`` points or once the support reaches
    ``max_support_size`` (``None``: no such stop).  A point whose support
    overshoots ``max_support_size`` is dropped (L0Learn keeps it).  A user grid is
    solved in the given order with the same support stop.  With ``"CDPSI"`` a
    backward pass then gives every point a second start from its denser neighbour.
    """
    lam1, lam2 = penalty.split(gamma)
    cd = problem.make_solver(lam1, lam2, settings)
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
    else:
        for lam in lambda_grid:
            sweeps, swaps, converged = _fit_at(cd, lam, p, algorithm)
            if np.count_nonzero(cd.beta) > max_support_size:
                break
            points.append(cd.point(lam, gamma, sweeps, swaps, converged))
            if np.count_nonzero(cd.beta) >= max_support_size:
                break
    if algorithm == "CDPSI" and points:
        # A denser start for the last point: continue down the grid until the support
        # grows (pointless when the last point is already at the support limit).
        lam, size = points[-1].lambda_0, points[-1].support.size
        for _ in range(_TAIL_STEPS if size < max_support_size else 0):
            lam *= _TAIL_FACTOR
            cd.solve(lam, p)
            if np.count_nonzero(cd.beta) > size:
                break
        _backward_pass(cd, points, cd.beta.copy(), max_support_size)
    return points


def _backward_pass(cd, points, successor, max_support_size):
    """Re-solve each point from its successor's solution; keep whichever is better.

    The forward pass reaches each lambda_0 from a sparser solution; local search
    moves one variable at a time, so a better optimum two variables larger can be
    out of its reach.  Starting again from the next (denser) solution gives every
    point a second start; improvements propagate down the path.
    ``successor`` is the state after the last point (e.g. an overshooting solution).
    """
    p = cd.design.n_features
    for k in range(len(points) - 1, -1, -1):
        pt = points[k]
        succ_support = np.flatnonzero(successor)
        # Same support as the forward solution: the restart would land on it again.
        if succ_support.size and not np.array_equal(succ_support, pt.support):
            cd.set_state(successor)
            sweeps, swaps, converged = _fit_at(cd, pt.lambda_0, p, "CDPSI")
            candidate = cd.point(pt.lambda_0, pt.gamma, pt.n_sweeps + sweeps,
                                 pt.n_swaps + swaps, pt.converged and converged)
            if (candidate.support.size <= max_support_size
                    and candidate.objective < pt.objective - 1e-12 * max(1.0, pt.objective)):
                points[k] = pt = candidate
        successor = np.zeros(p)
        successor[pt.support] = pt.values


@single_blas_thread
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
    cd = problem.make_solver(lam1, lam2, settings)
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
