"""L0-penalised logistic and squared-hinge classification: problem data and solver.

The solver has the interface of :class:`l0learn.linear_model._solver.CoordinateDescent`
(``solve``, ``local_search``, ``max_entry_gain``, ``set_state``, ``point``), so the
path and single-fit drivers of :mod:`l0learn.linear_model._solver` serve both.  Columns are
centred and scaled to unit norm implicitly (as for regression); the labels are
``+-1`` and the intercept is an explicit, unpenalised variable.
"""

import numpy as np

from ._classification_kernels import (best_coordinate_values, glm_cd_sweeps, loss_value,
                                      refresh_q, shift_margin)
from ._design import Design
from ._solver import ActiveSetSolver, Point, Settings, coordinate_gains

#: loss name -> (kernel code, coordinate Lipschitz constant for unit-norm columns)
LOSSES = {"logistic": (0, 0.25), "squared_hinge": (1, 2.0)}
_SWAP_CANDIDATES = 5  # entering candidates evaluated exactly per leaving variable
_DEFAULTS = Settings()


class GLMProblem:
    """Classification data, normalised, plus the map back to the caller's scale."""

    objective_scale = 1.0  # penalties and objectives are those of the normalised problem

    def __init__(self, X, y_pm, sample_weight, fit_intercept, lower, upper, loss):
        self.design = Design(X, sample_weight, fit_intercept)
        self.y = np.asarray(y_pm, dtype=float)
        self.fit_intercept = fit_intercept
        self.loss = loss
        self.loss_kind, self.lipschitz = LOSSES[loss]
        self.lower_original, self.upper_original = lower, upper
        factor = np.where(self.design.constant, 0.0, self.design.norm)
        with np.errstate(invalid="ignore"):
            self.lower = np.where(np.isinf(lower), lower, lower * factor)
            self.upper = np.where(np.isinf(upper), upper, upper * factor)
        self.degenerate = False

    def make_solver(self, lam1, lam2, settings):
        return GLMCoordinateDescent(self, lam1, lam2, settings)

    def max_abs_gradient(self):
        """Largest loss gradient over columns at the intercept-only model."""
        return float(np.abs(GLMCoordinateDescent(self, 0.0, 0.0, _DEFAULTS).g).max())

    def with_weights(self, y, sample_weight):
        return GLMProblem(self.design.X, self.y, sample_weight, self.fit_intercept,
                          self.lower_original, self.upper_original, self.loss)

    def to_original(self, support, values, intercept=0.0):
        coef_values = values * self.design.inv_s[support]
        return coef_values, float(intercept - self.design.mu[support] @ coef_values)


class GLMCoordinateDescent(ActiveSetSolver):
    """State (coefficients, intercept, margins) and moves for one ``(problem, gamma)``."""

    def __init__(self, problem, lam1, lam2, settings):
        super().__init__(problem, lam1, lam2, settings)
        self.reset()

    def reset(self):
        self.set_state(np.zeros(self.design.n_features), intercept=0.0)
        if self.problem.fit_intercept:  # the intercept-only model first
            self._run_sweeps(np.zeros(0, dtype=np.int64),
                             np.where(self.penalised, np.inf, 0.0), 0)
            self.g = self._gradient()

    def set_state(self, beta, intercept=None):
        self.beta = np.array(beta, dtype=float)
        if intercept is not None:
            self.intercept = np.array([float(intercept)])
        f = self.design.predict_normalised(self.beta) + self.intercept[0]
        self.margin = self.problem.y * f
        self.q = np.empty_like(self.margin)
        refresh_q(self.margin, self.problem.y, self.design.w, self.problem.loss_kind, self.q)
        self.g = self._gradient()

    def _gradient(self):
        return -self.design.gradient(self.q)

    def objective(self, lam0):
        b = self.beta
        return float(loss_value(self.margin, self.design.w, self.problem.loss_kind)
                     + lam0 * np.count_nonzero(b[self.penalised])
                     + self.lam1 * np.abs(b).sum() + self.lam2 * b @ b)

    def entry_gains(self):
        """Decrease of the quadratic upper bound from letting each zero coordinate enter."""
        # coordinate_gains assumes curvature 1 + 2 lam2; rescale the model by L.
        L = self.problem.lipschitz
        _, gain = coordinate_gains(-self.g / L, self.lam1 / L, self.lam2 / L,
                                   self.problem.lower, self.problem.upper)
        gain = gain * L
        gain[(self.beta != 0.0) | ~self.usable] = 0.0
        return gain

    def _run_sweeps(self, coords, price, cap):
        s = self.settings
        return glm_cd_sweeps(*self.design.kernel_args(), self.problem.y, self.margin, self.q,
                             self.beta, self.intercept, coords, price, self.lam1, self.lam2,
                             self.problem.lower, self.problem.upper, self.problem.lipschitz,
                             self.problem.fit_intercept, cap, s.max_iter, s.tol,
                             self.problem.loss_kind)

    def _refresh_gradient(self):
        self.g = self._gradient()

    def _best_values(self, candidates, margin):
        """Exact 1-D optimum ``t_j`` and objective of every candidate entering at ``margin``
        (others fixed): arrays ``(t, f)``."""
        t = np.empty(candidates.size)
        f = np.empty(candidates.size)
        best_coordinate_values(candidates.astype(np.int64), self.problem.lower,
                               self.problem.upper, *self.design.kernel_args(), self.problem.y,
                               margin, self.lam1, self.lam2, self.problem.loss_kind, t, f)
        return t, f

    def local_search(self, lam0, cap, tol=1e-10):
        """Moves evaluated with the exact objective: swaps, additions and removals.

        A swap takes ``i`` out and puts ``j`` in at its exact 1-D optimum; an
        addition puts ``j`` in (paying ``lambda_0``); a removal takes ``i`` out.
        Candidates ``j`` are the ones with the largest entry gain.  The best move is
        taken when the exact objective (intercept and the others fixed) falls by more
        than ``tol * max(1, objective)``, then CD runs again.  Returns ``(n_swaps, n_sweeps,
        converged)``.
        """
        n_swaps = n_sweeps = 0
        converged = True
        while n_swaps < self.settings.max_swaps:
            f_now = self.objective(lam0)
            support = np.flatnonzero((self.beta != 0.0) & self.penalised)
            outside = np.flatnonzero((self.beta == 0.0) & self.penalised & self.usable)
            if support.size == 0 or outside.size == 0:
                break
            gain = self.entry_gains()[outside]
            k = min(_SWAP_CANDIDATES, outside.size)
            candidates = outside[np.argpartition(-gain, k - 1)[:k]]
            best = (f_now - tol * max(1.0, abs(f_now)), None)
            for i in support:
                m_out = self.margin.copy()
                shift_margin(int(i), -self.beta[i], *self.design.kernel_args()[:7],
                             self.problem.y, m_out)
                base = f_now - self.lam1 * abs(self.beta[i]) - self.lam2 * self.beta[i] ** 2
                base -= loss_value(self.margin, self.design.w, self.problem.loss_kind)
                ts, fs = self._best_values(candidates, m_out)
                for j, t, f_j in zip(candidates.tolist(), ts.tolist(), fs.tolist()):
                    if t == 0.0:
                        continue
                    total = base + f_j  # same number of nonzeros: L0 prices cancel
                    if total < best[0]:
                        best = (total, (int(i), int(j), t))
            loss_now = loss_value(self.margin, self.design.w, self.problem.loss_kind)
            if np.count_nonzero(self.beta) < cap:  # add one variable, others fixed
                ts, fs = self._best_values(candidates, self.margin)
                for j, t, f_j in zip(candidates.tolist(), ts.tolist(), fs.tolist()):
                    if t == 0.0:
                        continue
                    total = f_now - loss_now + f_j + lam0
                    if total < best[0]:
                        best = (total, (-1, int(j), t))
            for i in support:  # drop one variable, others fixed
                m_out = self.margin.copy()
                shift_margin(int(i), -self.beta[i], *self.design.kernel_args()[:7],
                             self.problem.y, m_out)
                total = (f_now - loss_now - lam0 - self.lam1 * abs(self.beta[i])
                         - self.lam2 * self.beta[i] ** 2
                         + loss_value(m_out, self.design.w, self.problem.loss_kind))
                if total < best[0]:
                    best = (total, (int(i), -1, 0.0))
            if best[1] is None:
                break
            i, j, t = best[1]
            beta = self.beta.copy()
            if i >= 0:
                beta[i] = 0.0
            if j >= 0:
                beta[j] = t
            self.set_state(beta)
            n_swaps += 1
            sweeps, ok = self.solve(lam0, cap)
            n_sweeps += sweeps
            converged &= ok
        return n_swaps, n_sweeps, converged

    def point(self, lam0, gamma, n_sweeps, n_swaps, converged):
        support = np.flatnonzero(self.beta)
        return Point(lambda_0=float(lam0), gamma=float(gamma), support=support,
                     values=self.beta[support].copy(), objective=self.objective(lam0),
                     converged=bool(converged), n_sweeps=int(n_sweeps), n_swaps=int(n_swaps),
                     intercept=float(self.intercept[0]))


def classification_scores(kind):
    """CV score on held-out rows from linear predictions: lower is better."""
    def log_loss(y_pm, w, pred):
        return (w @ np.logaddexp(0.0, -y_pm[:, None] * pred)) / w.sum()

    def misclassification(y_pm, w, pred):
        return (w @ (y_pm[:, None] * pred <= 0)) / w.sum()

    def squared_hinge(y_pm, w, pred):
        return (w @ np.maximum(0.0, 1.0 - y_pm[:, None] * pred) ** 2) / w.sum()

    def one_minus_auc(y_pm, w, pred):
        from sklearn.metrics import roc_auc_score
        pos = y_pm > 0
        if pos.all() or not pos.any():
            return np.full(pred.shape[1], np.nan)
        return np.array([1.0 - roc_auc_score(pos, pred[:, k], sample_weight=w)
                         for k in range(pred.shape[1])])

    return {"log_loss": log_loss, "misclassification": misclassification,
            "squared_hinge": squared_hinge, "auc": one_minus_auc}[kind]
