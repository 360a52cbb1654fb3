"""Multinomial logistic regression with one L0 support for all classes: data, solver, path.

The problem, on columns normalised to weighted mean zero (with an intercept) and
unit weighted norm, with the loss summed over the (weighted) rows as in the binary
:class:`~l0learn.L0Classifier` (L0Learn's scale), is

    min_{b0, B}  sum_i w_i [logsumexp(b0 + x_i B) - (b0 + x_i B)_{y_i}]
                 + lambda_0 #{j : B_j != 0} + lambda_1 sum_j |B_j|_2 + lambda_2 |B|_F^2

(``B`` features x classes; ``lambda_1`` is a group norm, so a feature enters or
leaves for all classes at once).  :class:`MultinomialSolver` runs row-wise
coordinate descent with active sets (:mod:`._multinomial_kernels`: Newton steps on
support rows, proximal steps to enter) and a local search judged by the exact
objective: adds (a row refitted with the others fixed), joint adds (a newcomer and
its most correlated support rows refitted together) and group swaps.
:func:`multinomial_path` warm-starts a decreasing lambda_0 sequence chosen, as in
L0Learn, so that each point admits at least one new feature, refined where the
support jumps.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import log_softmax, softmax

from .._shared.threads import single_blas_thread
from . import _multinomial_kernels as K
from ._solver import _fit_at as fit_at, next_lambda

_SWAP_CANDIDATES = 5
_SWAP_STEPS = 30
_SWAP_PAIRS = 10  # (out, in) pairs refitted exactly per local-search round
_JOINT_NEIGHBOURS = 3  # support rows re-fitted with a joint add's candidate
_JOINT_SWEEPS = 3  # sweeps that judge a joint add (a screen: CD then converges)
_CDPSI_MIN_RATIO = 0.8  # smallest ratio of consecutive lambda_0 on a CDPSI path
_MAX_REFINE = 2  # extra lambda_0 values tried where the support jumps by more than one


@dataclass
class MultinomialPoint:
    """One solution: support, coefficients (normalised scale), intercepts and diagnostics."""

    lambda_0: float
    gamma: float
    B: np.ndarray
    b0: np.ndarray
    objective: float
    converged: bool
    n_sweeps: int
    n_swaps: int

    @property
    def support(self):
        return np.flatnonzero(np.any(self.B != 0.0, axis=1))


class MultinomialProblem:
    """Normalised design, one-hot labels and the map back to the caller's scale."""

    def __init__(self, X, y_index, n_classes, sample_weight, fit_intercept):
        X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=np.float64)
        self.w = np.ascontiguousarray(sample_weight, dtype=np.float64)
        self.fit_intercept = fit_intercept
        self.mu = self.w @ X / self.w.sum() if fit_intercept else np.zeros(X.shape[1])
        centred = X - self.mu
        scale = np.sqrt(self.w @ centred ** 2)
        # constant columns (scale-free test, as elsewhere) cannot enter
        size = np.maximum(np.abs(X).max(axis=0), 1e-300) if X.size else np.ones(X.shape[1])
        self.usable = scale > 1e-10 * size
        self.inv_s = np.where(self.usable, 1.0 / np.where(self.usable, scale, 1.0), 0.0)
        self.Xn = np.asfortranarray(centred * self.inv_s)
        self.Y = np.zeros((X.shape[0], n_classes))
        self.Y[np.arange(X.shape[0]), y_index] = 1.0
        self.n_classes = n_classes

    @property
    def n_features(self):
        return self.Xn.shape[1]

    def to_original(self, point):
        coef = (point.B * self.inv_s[:, None]).T  # classes x features
        intercept = point.b0 - coef @ self.mu
        return coef, intercept

    def to_normalised(self, coef, intercept):
        """``(B, b0)`` on the normalised scale of original-scale ``coef_, intercept_``."""
        scale = np.where(self.usable, 1.0 / np.where(self.usable, self.inv_s, 1.0), 0.0)
        B = np.asarray(coef, dtype=float).T * scale[:, None]
        b0 = np.asarray(intercept, dtype=float) + np.asarray(coef, dtype=float) @ self.mu
        return B, b0


class MultinomialSolver:
    """Coefficients, intercepts and the cached softmax state for one (problem, gamma)."""

    def __init__(self, problem, lam1, lam2, *, max_iter, tol, max_swaps):
        self.problem = problem
        self.lam1, self.lam2 = float(lam1), float(lam2)
        self.max_iter, self.tol, self.max_swaps = max_iter, tol, max_swaps
        p, k = problem.n_features, problem.n_classes
        self.B = np.zeros((p, k))
        self.b0 = np.zeros(k)
        self.eta = np.zeros((problem.Xn.shape[0], k))
        self.P = np.empty_like(self.eta)
        self.loss = K.softmax_loss(self.eta, problem.Y, problem.w, self.P)
        if problem.fit_intercept:  # the intercept-only model first
            self._sweeps(np.zeros(0, dtype=np.int64), 0.0, 0)

    # -- state --------------------------------------------------------------------------------
    def set_state(self, B, b0):
        self.B = np.array(B, dtype=float)
        self.b0 = np.array(b0, dtype=float)
        self.eta = self.b0[None, :] + self.problem.Xn @ self.B
        self.loss = K.softmax_loss(self.eta, self.problem.Y, self.problem.w, self.P)

    def support(self):
        return np.flatnonzero(np.any(self.B != 0.0, axis=1))

    def objective(self, lam0):
        rows = np.sum(self.B ** 2, axis=1)
        return float(self.loss + lam0 * np.count_nonzero(rows) + self.lam1 * np.sqrt(rows).sum()
                     + self.lam2 * rows.sum())

    def entry_gains(self, price=0.0):
        out = np.empty(self.problem.n_features)
        prices = np.full(self.problem.n_features, float(price))
        K.entry_gains(self.problem.Xn, self.problem.Y, self.problem.w, self.P, self.B, prices,
                      self.lam1, self.lam2, self.problem.usable, out)
        return out

    # -- coordinate descent -----------------------------------------------------------------
    def _sweeps(self, coords, lam0, cap):
        prices = np.full(self.problem.n_features, float(lam0))
        n, ok, self.loss = K.sweeps(self.problem.Xn, self.problem.Y, self.problem.w, self.B,
                                    self.b0, self.eta, self.P, coords.astype(np.int64), prices,
                                    self.lam1, self.lam2, self.problem.fit_intercept, cap,
                                    self.max_iter, self.tol)
        return n, ok

    def solve(self, lam0, cap):
        """Active-set CD: sweep the support plus entering rows until no zero row would enter.

        Returns ``(sweeps, converged)``; at the end no zero row lowers the global
        quadratic model of the objective by entering (or the support is at ``cap``).
        """
        total, converged = 0, True
        for _ in range(100):
            active = self.support()
            gains = self.entry_gains(lam0)
            entering = np.flatnonzero(gains > self.tol * max(1.0, abs(self.loss)))
            if active.size >= cap:
                entering = entering[:0]
            if entering.size == 0 and total > 0:
                return total, converged
            # the strongest few candidates join the sweep
            entering = entering[np.argsort(-gains[entering])][:max(10, active.size)]
            coords = np.union1d(active, entering)
            n, ok = self._sweeps(coords, lam0, cap)
            total += n
            converged &= ok
            # done when none of the candidates entered (the exact loss refused them)
            if not np.any(self.B[entering] != 0.0):
                return total, converged
        return total, False

    # -- local search -----------------------------------------------------------------------
    def _refit_row(self, j, eta_out):
        """Best row ``j`` with the others fixed at ``eta_out``; returns (row, objective part)."""
        pb = self.problem
        K_ = pb.n_classes
        if self.lam1 == 0.0:
            row = np.zeros(K_)
            value = K.exact_row(pb.Xn, j, pb.Y, pb.w, eta_out, self.lam2, row, K.NEWTON_SWAP)
            return row, value
        P = np.empty_like(eta_out)
        P_try = np.empty_like(eta_out)
        eta = eta_out.copy()
        B = np.zeros_like(self.B)
        loss = K.softmax_loss(eta, pb.Y, pb.w, P)
        for _ in range(_SWAP_STEPS):
            before = loss
            loss = K.prox_row(pb.Xn, j, pb.Y, pb.w, B, eta, P, P_try, loss, 0.0, self.lam1,
                              self.lam2, False)
            if before - loss <= 1e-12 * max(1.0, abs(loss)):
                break
        row = B[j].copy()
        sq = float(row @ row)
        return row, loss + self.lam1 * np.sqrt(sq) + self.lam2 * sq

    def _penalty_without(self, lam0, i):
        """The penalty of every row but ``i`` (``i = -1``: of every row)."""
        others = self.B.copy()
        if i >= 0:
            others[i] = 0.0
        rows = np.sum(others ** 2, axis=1)
        return (lam0 * np.count_nonzero(rows) + self.lam1 * np.sqrt(rows).sum()
                + self.lam2 * rows.sum())

    def _estimated_gains(self, eta_out, outside):
        """Loss at ``eta_out`` and, per zero row in ``outside``, the decrease of its
        quadratic model at the local curvature from entering (an estimate, not a bound:
        it ranks the candidates whose exact refit is then computed)."""
        pb = self.problem
        P_out = np.empty_like(eta_out)
        loss = K.softmax_loss(eta_out, pb.Y, pb.w, P_out)
        Xo = pb.Xn[:, outside]
        G = Xo.T @ (pb.w[:, None] * (P_out - pb.Y))
        c = pb.w * np.minimum((2.0 * P_out * (1.0 - P_out)).max(axis=1), K.GLOBAL_CURVATURE)
        L = np.maximum((Xo * Xo).T @ c, 1e-12) + 2.0 * self.lam2
        norm = np.maximum(np.sqrt(np.sum(G ** 2, axis=1)) - self.lam1, 0.0)
        return loss, norm ** 2 / (2.0 * L)

    def _best_move(self, lam0, cap, threshold):
        """The best exact add or swap below ``threshold``.

        Returns ``(value, (i, j, row), tried)`` (``i = -1`` for an add), or
        ``(threshold, None, tried)``; ``tried`` maps each move ``(i, j)`` refitted to
        its exact objective and refitted row (for :meth:`_best_joint_move`).

        Every (out, in) pair is ranked by its estimated value (the objective with
        ``i`` out, exactly, minus ``j``'s estimated gain); the best few adds and
        swaps are refitted exactly.
        """
        pb = self.problem
        support = self.support()
        outside = np.flatnonzero(~np.any(self.B != 0.0, axis=1) & pb.usable)
        best = (threshold, None)
        tried = {}
        if outside.size == 0:
            return (*best, tried)
        k = min(_SWAP_CANDIDATES, outside.size)
        # add: a zero row whose exact refit pays its price (the entry test of CD only
        # uses a quadratic model, so it can leave such rows out)
        if support.size < cap:
            rest = self._penalty_without(lam0, -1)
            _, gains = self._estimated_gains(self.eta, outside)
            for j in outside[np.argpartition(-gains, k - 1)[:k]]:
                row, f_j = self._refit_row(int(j), self.eta)
                value = rest + lam0 + f_j if np.any(row) else np.inf
                tried[(-1, int(j))] = (value, row)
                if value < best[0]:
                    best = (value, (-1, int(j), row))
        # swap: feature i out, j in; the pairs with the best estimates are refitted
        pairs = []
        for i in support:
            eta_out = self.eta - np.outer(pb.Xn[:, i], self.B[i])
            loss_out, gains = self._estimated_gains(eta_out, outside)
            base = loss_out + self._penalty_without(lam0, i) + lam0
            for j in outside[np.argpartition(-gains, k - 1)[:k]]:
                pairs.append((base - gains[np.searchsorted(outside, j)], int(i), int(j)))
        pairs.sort()
        for _, i, j in pairs[:_SWAP_PAIRS]:
            eta_out = self.eta - np.outer(pb.Xn[:, i], self.B[i])
            row, f_j = self._refit_row(j, eta_out)
            value = self._penalty_without(lam0, i) + lam0 + f_j if np.any(row) else np.inf
            tried[(i, j)] = (value, row)
            if value < best[0]:
                best = (value, (i, j, row))
        return (*best, tried)

    def _best_joint_move(self, lam0, cap, threshold, tried):
        """Adds and swaps judged after re-fitting the new row together with the rows
        nearest to it.

        With correlated columns a feature can pay its price only once the rows
        already in adjust to it; the moves with the best exact refits (from
        :meth:`_best_move`) are applied, the new row enters with price zero for a
        few sweeps over itself, the intercept and the support rows most correlated
        with it, and the objective then counts it at ``lam0``.  At the support cap
        only swaps are tried (the cap-constrained search has no adds).
        Returns ``(value, (B, b0))`` of the best move below ``threshold``, or
        ``(threshold, None)``.
        """
        pb = self.problem
        support = self.support()
        best = (threshold, None)
        full = support.size >= cap
        near = sorted((v, i, j) for (i, j), (v, _) in tried.items()
                      if np.isfinite(v) and not (full and i < 0))
        if not near:
            return best
        saved = self.B.copy(), self.b0.copy()
        for _, i, j in near[:_SWAP_CANDIDATES]:
            rows = support[support != i]
            corr = np.abs((pb.w[:, None] * pb.Xn[:, rows]).T @ pb.Xn[:, j])
            rows = rows[np.argsort(-corr)[:min(_JOINT_NEIGHBOURS, rows.size)]]
            B = saved[0].copy()
            if i >= 0:
                B[i] = 0.0
            B[j] = tried[(i, j)][1]  # its refit with the others fixed, from _best_move
            self.set_state(B, saved[1])
            prices = np.full(pb.n_features, float(lam0))
            prices[j] = 0.0
            _, _, self.loss = K.sweeps(pb.Xn, pb.Y, pb.w, self.B, self.b0, self.eta, self.P,
                                       np.append(rows, j).astype(np.int64), prices,
                                       self.lam1, self.lam2, pb.fit_intercept, cap + 1,
                                       min(self.max_iter, _JOINT_SWEEPS), self.tol)
            value = self.objective(lam0)
            if value < best[0] and np.any(self.B[j]):
                best = (value, (self.B.copy(), self.b0.copy()))
        self.set_state(*saved)
        return best

    def local_search(self, lam0, cap):
        """Exact adds and group swaps, then CD again, until no move pays.

        A move (add feature ``j``, or take ``i`` out and ``j`` in) is judged by the
        exact objective with the other rows and the intercepts fixed and ``j``'s row
        refitted; the best one is taken when it lowers the objective by more than
        ``tol`` relative.  Returns ``(n_swaps, n_sweeps, converged)``.
        """
        n_swaps = n_sweeps = 0
        converged = True
        while n_swaps < self.max_swaps:
            f_now = self.objective(lam0)
            threshold = f_now - self.tol * max(1.0, abs(f_now))
            _, move, tried = self._best_move(lam0, cap, threshold)
            if move is not None:
                i, j, row = move
                B = self.B.copy()
                if i >= 0:
                    B[i] = 0.0
                B[j] = row
                self.set_state(B, self.b0)
            else:
                value, state = self._best_joint_move(lam0, cap, threshold, tried)
                if state is None:
                    break
                self.set_state(*state)
            n_swaps += 1
            sweeps, ok = self.solve(lam0, cap)
            n_sweeps += sweeps
            converged &= ok
        return n_swaps, n_sweeps, converged

    def fit(self, lam0, cap, algorithm):
        """CD at ``lam0``, then for CDPSI the local search: ``(sweeps, swaps, converged)``."""
        return fit_at(self, lam0, cap, algorithm)

    def point(self, lam0, gamma, sweeps, swaps, converged):
        return MultinomialPoint(float(lam0), float(gamma), self.B.copy(), self.b0.copy(),
                                self.objective(lam0), bool(converged), int(sweeps), int(swaps))


def penalty_weights(penalty, gamma):
    """(lambda_1, lambda_2) of a penalty name and its gamma."""
    if penalty == "L0L1":
        return gamma, 0.0
    if penalty == "L0L2":
        return 0.0, gamma
    return 0.0, gamma  # "L0": the caller's silent ridge


@single_blas_thread
def multinomial_path(problem, penalty, gamma, *, algorithm, max_support_size, num_lambda,
                     max_iter, tol, max_swaps, lambda_grid=None):
    """Warm-started solutions over a decreasing lambda_0 sequence (one gamma).

    Without ``lambda_grid``, the sequence starts just above the largest entry gain of
    the intercept-only model and each next value is set below the largest gain at
    the current solution (so at least one feature can enter), as in L0Learn; where
    the support grows by more than one feature, values in between are tried first
    (up to ``_MAX_REFINE``), so the path skips few sizes.  It stops after
    ``num_lambda`` points or when the support exceeds ``max_support_size``.
    """
    lam1, lam2 = penalty_weights(penalty, gamma)
    solver = MultinomialSolver(problem, lam1, lam2, max_iter=max_iter, tol=tol,
                               max_swaps=max_swaps)
    cap = problem.n_features + 1  # along the path the stop is the support size
    points = []
    if lambda_grid is not None:
        for lam0 in lambda_grid:
            points.append(solver.point(lam0, gamma, *solver.fit(lam0, cap, algorithm)))
        return points
    top = float(solver.entry_gains(0.0).max(initial=0.0))
    if top <= 0.0:
        return [solver.point(0.0, gamma, 0, 0, True)]
    state = (solver.B.copy(), solver.b0.copy())  # the intercept-only model
    prev_lam, prev_size = np.inf, 0
    lam0 = top * 1.0001
    support_prev = None
    refinements = 0
    while len(points) < num_lambda:
        solver.set_state(*state)
        point = solver.point(lam0, gamma, *solver.fit(lam0, cap, algorithm))
        if point.support.size > prev_size + 1 and refinements < _MAX_REFINE:
            # the support jumped (features that pay only together, or a coarse step):
            # solve again from the same warm start at a lambda_0 between the two points
            # (above the first one when the first point already holds several features)
            refinements += 1
            lam0 = lam0 / _CDPSI_MIN_RATIO if np.isinf(prev_lam) else np.sqrt(lam0 * prev_lam)
            continue
        refinements = 0
        if point.support.size > max_support_size:
            break
        points.append(point)
        state = (solver.B.copy(), solver.b0.copy())
        prev_lam, prev_size = lam0, point.support.size
        gain = float(solver.entry_gains(0.0).max(initial=0.0))
        if gain <= 0.0 or point.support.size == max_support_size:
            break
        changed = support_prev is None or not np.array_equal(point.support, support_prev)
        support_prev = point.support
        lam0 = next_lambda(lam0, gain, changed)
        if algorithm == "CDPSI":
            # exact adds and swaps change the support above the CD entry gain: smaller
            # steps than CD's keep the refinements above rare
            lam0 = max(lam0, _CDPSI_MIN_RATIO * prev_lam)
    return points


@single_blas_thread
def fit_multinomial(problem, penalty, gamma, lambda_0, cap, *, algorithm, max_iter, tol,
                    max_swaps, start=None):
    """One solution at ``lambda_0``.

    From zero, warm-started down a short geometric sequence from the largest entry
    gain (coordinate descent there, ``algorithm`` at ``lambda_0``); from ``start``,
    normalised-scale ``(B, b0)`` of an earlier fit, directly at ``lambda_0`` (the
    ``cap`` largest rows of ``start`` kept).
    """
    lam1, lam2 = penalty_weights(penalty, gamma)
    solver = MultinomialSolver(problem, lam1, lam2, max_iter=max_iter, tol=tol,
                               max_swaps=max_swaps)
    sweeps = 0
    if start is not None:
        B, b0 = start
        B = np.where(problem.usable[:, None], B, 0.0)
        norms = np.sqrt(np.sum(B ** 2, axis=1))
        if np.count_nonzero(norms) > cap:
            B[np.argsort(-norms)[cap:]] = 0.0
        solver.set_state(B, b0)
    else:
        top = float(solver.entry_gains(0.0).max(initial=0.0))
        if lambda_0 > 0 and top > lambda_0:
            for lam in np.geomspace(top, lambda_0, 8)[:-1]:
                n, ok = solver.solve(lam, cap)
                sweeps += n
        elif lambda_0 == 0 and top > 0:
            for lam in np.geomspace(top, 1e-4 * top, 8):
                n, ok = solver.solve(lam, cap)
                sweeps += n
    n, swaps, ok = solver.fit(lambda_0, cap, algorithm)
    return solver.point(lambda_0, gamma, sweeps + n, swaps, ok)


@dataclass
class MultinomialPath:
    """Full-data solutions of a multinomial path (original scale), as
    ``L0ClassifierCV(loss="multinomial").path_``.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from l0learn import L0ClassifierCV
    >>> X, y = load_wine(return_X_y=True)
    >>> cv = L0ClassifierCV(loss="multinomial", gamma=0.01, cv=3, max_support_size=4,
    ...                     random_state=0).fit(X, y)
    >>> int(cv.path_.to_frame().support_size.max()) <= 4
    True
    >>> cv.path_.predict_proba(X[:2]).shape == (len(cv.path_), 2, 3)
    True
    """

    lambda_0: np.ndarray
    gamma: np.ndarray
    support_size: np.ndarray
    objective: np.ndarray
    converged: np.ndarray
    coef: list  # (n_classes, n_features) per point
    intercept: list  # (n_classes,) per point

    @classmethod
    def from_points(cls, problem, points):
        pairs = [problem.to_original(pt) for pt in points]
        return cls(np.array([pt.lambda_0 for pt in points]),
                   np.array([pt.gamma for pt in points]),
                   np.array([pt.support.size for pt in points]),
                   np.array([pt.objective for pt in points]),
                   np.array([pt.converged for pt in points]),
                   [c for c, _ in pairs], [b for _, b in pairs])

    def __len__(self):
        return self.lambda_0.size

    def to_frame(self):
        """One row per solution: lambda_0, gamma, support size, objective, converged."""
        import pandas as pd

        return pd.DataFrame({"lambda_0": self.lambda_0, "gamma": self.gamma,
                             "support_size": self.support_size, "objective": self.objective,
                             "converged": self.converged})

    def predict_proba(self, X):
        """Class probabilities of every solution: shape (n_points, n_samples, n_classes)."""
        X = np.asarray(X, dtype=np.float64)
        return np.stack([softmax(X @ c.T + b, axis=1) for c, b in zip(self.coef, self.intercept)])


def multinomial_scores(kind):
    """Held-out score of class scores (n, K) against class indices: lower is better."""
    def log_loss(y_index, w, scores):
        logp = log_softmax(scores, axis=1)
        return -(w @ logp[np.arange(y_index.size), y_index]) / w.sum()

    def misclassification(y_index, w, scores):
        return (w @ (scores.argmax(axis=1) != y_index)) / w.sum()

    if kind not in ("log_loss", "misclassification"):
        raise ValueError(f"scoring={kind!r} is not available with loss='multinomial'; use "
                         "'log_loss' or 'misclassification'.")
    return log_loss if kind == "log_loss" else misclassification


@single_blas_thread
def fold_scores(X, y_index, n_classes, w, train, test, fit_intercept, penalty, gammas, grids,
                algorithm, options, score):
    """One fold: the path on the training rows over the full-data grids, scored on ``test``."""
    problem = MultinomialProblem(X[train], y_index[train], n_classes, w[train], fit_intercept)
    out = []
    for gamma, grid in zip(gammas, grids):
        points = multinomial_path(problem, penalty, gamma, algorithm=algorithm,
                                  max_support_size=problem.n_features, num_lambda=len(grid),
                                  lambda_grid=grid, **options)
        for pt in points:
            coef, intercept = problem.to_original(pt)
            scores = np.asarray(X[test] @ coef.T) + intercept
            out.append(score(y_index[test], w[test], scores))
    return np.array(out)
