"""L0Learn-compatible functional API: :func:`fit`, :func:`cvfit`, :class:`FitModel`.

The names, parameters and defaults are L0Learn 0.4.3's, so an L0Learn call runs
unchanged; the results come from this package's solver.  Differences from
L0Learn, each deliberate:

* held-out errors in :func:`cvfit` use the fitted intercept with the right sign;
* sparse input gets the same automatic grid as dense input;
* no returned solution has more than ``max_support_size`` nonzeros;
* the caller's ``X`` is never modified, and views, read-only and float32 arrays work;
* ``algorithm="CDPSI"`` works with bounds;
* with ``penalty="L0L1"`` and ``num_gamma > 1`` the data-driven gamma grid skips
  its first value (which only gives empty models);
* classification (``"Logistic"``, ``"SquaredHinge"``) maps the smaller label to -1 and,
  like L0Learn, turns ``penalty="L0"`` into L0L2 with gamma = 1e-7 (documented, not silent).
"""

import numpy as np
from scipy.special import expit
import scipy.sparse as sp
from sklearn.model_selection import KFold

from .._shared.validation import check_bounds, check_count, check_design, check_target
from ._classification_solver import GLMProblem, classification_scores
from ._penalties import PENALTIES
from .classification import L0_CLASSIFICATION_GAMMA
from .path import (ALGORITHMS, assemble_path, check_choice, cross_validate_path, gamma_values,
                   make_problem, make_settings, mean_squared_error_scores, paths_over_gammas,
                   split_lambda_grid)

LOSSES = ("SquaredError", "Logistic", "SquaredHinge")
_GLM_LOSS = {"Logistic": "logistic", "SquaredHinge": "squared_hinge"}


class FitModel:
    """Solutions of :func:`fit`, grouped by gamma, in L0Learn's layout.

    Attributes
    ----------
    settings : dict
        ``loss``, ``intercept``, ``penalty``, ``algorithm``.
    gamma : list of float
    lambda_0 : list of list of float
        One list per gamma.
    support_size, intercepts, converged, objective : list of list
        One list per gamma, aligned with ``lambda_0``.
    coeffs : list of scipy.sparse.csc_matrix
        One ``(n_features, n_lambda)`` matrix per gamma, original scale.
    path : RegularizationPath
        The same solutions as one flat path.
    """

    def __init__(self, settings, path):
        self.settings = settings
        self.path = path
        self.gamma = [float(g) for g in path.gammas]
        self._groups = [np.flatnonzero(path.gamma == g) for g in path.gammas]
        self.lambda_0 = [path.lambda_0[i].tolist() for i in self._groups]
        self.support_size = [path.support_size[i].tolist() for i in self._groups]
        self.intercepts = [path.intercept[i].tolist() for i in self._groups]
        self.converged = [path.converged[i].tolist() for i in self._groups]
        self.objective = [path.objective[i].tolist() for i in self._groups]
        self.coeffs = [path.coef[:, i].tocsc() for i in self._groups]

    def __repr__(self):
        return (f"FitModel(loss={self.settings['loss']!r}, penalty={self.settings['penalty']!r},"
                f" {len(self.path)} solutions over {len(self.gamma)} gamma value(s))")

    def _select(self, lambda_0=None, gamma=None):
        """Path indices: nearest gamma (first if None) and nearest lambda_0 (all if None)."""
        if lambda_0 is None and gamma is None:
            return np.arange(len(self.path))
        gi = 0 if gamma is None else int(np.argmin(np.abs(np.asarray(self.gamma) - gamma)))
        idx = self._groups[gi]
        if lambda_0 is None:
            return idx
        li = int(np.argmin(np.abs(np.asarray(self.lambda_0[gi]) - lambda_0)))
        return idx[li:li + 1]

    def coeff(self, lambda_0=None, gamma=None, include_intercept=True):
        """Coefficients of the selected solutions as a CSC matrix.

        Parameters
        ----------
        lambda_0, gamma : float, default=None
            The solution nearest to these values (first gamma when ``gamma`` is None);
            every solution when both are None; every lambda_0 of the nearest gamma
            when only ``gamma`` is given.
        include_intercept : bool, default=True
            Put the intercepts in row 0.

        Returns
        -------
        coef : scipy.sparse.csc_matrix of shape (n_features [+1], n_solutions)
        """
        idx = self._select(lambda_0, gamma)
        coef = self.path.coef[:, idx]
        if include_intercept:
            coef = sp.vstack([sp.csc_matrix(self.path.intercept[idx][None, :]), coef])
        return sp.csc_matrix(coef)

    def characteristics(self, lambda_0=None, gamma=None):
        """One row per selected solution: l0, gamma, support size, intercept, converged, objective."""
        idx = self._select(lambda_0, gamma)
        frame = self.path.to_frame().iloc[idx].reset_index(drop=True)
        frame = frame.rename(columns={"lambda_0": "l0"})
        second = {"L0L1": "l1", "L0L2": "l2"}.get(self.settings["penalty"])
        if second is None:
            frame = frame.drop(columns="gamma")
        else:
            frame = frame.rename(columns={"gamma": second})
        return frame

    def predict(self, x, lambda_0=None, gamma=None):
        """Predictions of the selected solutions: an array of shape (n_samples, n_solutions).

        Linear predictions, except for ``loss="Logistic"``: probabilities of the larger label.
        """
        idx = self._select(lambda_0, gamma)
        pred = self.path.predict(x)[:, idx]
        if self.settings["loss"] == "Logistic":
            return expit(pred)
        return pred

    def score(self, x, y, lambda_0=None, gamma=None):
        """Mean squared error of the selected solutions on ``(x, y)``."""
        pred = self.predict(x, lambda_0, gamma)
        y = check_target(y, pred.shape[0])
        return ((y[:, None] - pred) ** 2).mean(axis=0)

    def plot(self, gamma=None, show_lines=True, ax=None):
        """Coefficient paths against support size for one gamma (matplotlib)."""
        from ..plotting import plot_coefficient_path
        idx = self._select(None, gamma if gamma is not None else self.gamma[0])
        return plot_coefficient_path(self.path, idx, show_lines=show_lines, ax=ax)


class CVFitModel(FitModel):
    """:class:`FitModel` with cross-validation errors.

    Attributes
    ----------
    cv_means, cv_sds : list of ndarray
        Per gamma: mean and standard deviation (``ddof=1``) over folds of the held-out
        mean squared error of each lambda_0.
    """

    def __init__(self, settings, path, scores):
        super().__init__(settings, path)
        means = scores.mean(axis=0)
        sds = scores.std(axis=0, ddof=1) if scores.shape[0] > 1 else np.zeros(scores.shape[1])
        self.cv_means = [means[i] for i in self._groups]
        self.cv_sds = [sds[i] for i in self._groups]

    def cv_plot(self, gamma=None, ax=None):
        """CV error (mean +- sd) against support size for one gamma (matplotlib)."""
        from ..plotting import plot_cv_errors
        gi = 0 if gamma is None else int(np.argmin(np.abs(np.asarray(self.gamma) - gamma)))
        return plot_cv_errors(np.asarray(self.support_size[gi]), self.cv_means[gi],
                              self.cv_sds[gi], ax=ax)


def _run(X, y, loss, penalty, algorithm, max_support_size, num_lambda, num_gamma, gamma_max,
         gamma_min, partial_sort, max_iter, rtol, atol, active_set, active_set_num, max_swaps,
         scale_down_factor, screen_size, lambda_grid, exclude_first_k, intercept, lows, highs):
    check_choice(loss, "loss", LOSSES)
    check_choice(penalty, "penalty", PENALTIES)
    check_choice(algorithm, "algorithm", ALGORITHMS)
    X = check_design(X)
    lower = None if np.all(np.isneginf(lows)) else lows
    upper = None if np.all(np.isposinf(highs)) else highs
    p = X.shape[1]
    if loss == "SquaredError":
        y = check_target(y, X.shape[0])
        problem = make_problem(X, y, None, bool(intercept), lower, upper)
    else:
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(f"y must be 1-D with {X.shape[0]} entries; got shape {y.shape}.")
        labels = np.unique(y)
        if labels.size != 2:
            raise ValueError(f"loss={loss!r} needs exactly two labels in y; got {labels.size}.")
        y = np.where(y == labels[1], 1.0, -1.0)  # the smaller label is -1, as in L0Learn
        problem = GLMProblem(X, y, np.ones(X.shape[0]), bool(intercept),
                             check_bounds(lower, p, "lows", -1),
                             check_bounds(upper, p, "highs", +1), _GLM_LOSS[loss])
    if not active_set:  # sweep every coordinate, never only the support
        screen_size, active_set_num = p, 10 ** 9
    settings = make_settings(max_iter=max_iter, tol=rtol, atol=atol, screen_size=screen_size,
                             active_set_num=active_set_num, max_swaps=max_swaps,
                             exclude_first_k=exclude_first_k, n_features=p)
    max_support_size = check_count(max_support_size, "max_support_size", minimum=1,
                                   allow_none=False)
    if lambda_grid is not None:
        grids_raw = list(lambda_grid)
        n_gamma = len(grids_raw) if grids_raw and np.ndim(grids_raw[0]) > 0 else 1
        num_gamma = n_gamma
    else:
        check_count(num_lambda, "num_lambda", minimum=1, allow_none=False)
    solved_penalty = penalty
    if loss != "SquaredError" and penalty == "L0":
        solved_penalty = "L0L2"  # L0Learn's ridge of 1e-7 keeps separable data finite
        gammas = np.array([L0_CLASSIFICATION_GAMMA])
    else:
        gammas = gamma_values(penalty, None, num_gamma, gamma_max, gamma_min, problem)
    grids = split_lambda_grid(lambda_grid, len(gammas))
    points, used = paths_over_gammas(problem, solved_penalty, gammas, grids, settings,
                                     algorithm=algorithm,
                                     num_lambda=100 if num_lambda is None else num_lambda,
                                     max_support_size=max_support_size,
                                     scale_down_factor=scale_down_factor)
    settings_out = {"loss": loss, "intercept": bool(intercept), "penalty": penalty,
                    "algorithm": algorithm}
    return (X, y, problem, solved_penalty, gammas, used, settings, settings_out,
            assemble_path(problem, points))


def fit(X, y, loss="SquaredError", penalty="L0", algorithm="CD", max_support_size=100,
        num_lambda=100, num_gamma=1, gamma_max=10.0, gamma_min=0.0001, partial_sort=True,
        max_iter=200, rtol=1e-6, atol=1e-9, active_set=True, active_set_num=3, max_swaps=100,
        scale_down_factor=0.8, screen_size=1000, lambda_grid=None, exclude_first_k=0,
        intercept=True, lows=-np.inf, highs=np.inf):
    """Fit an L0-regularised path with L0Learn's interface.

    Parameters follow L0Learn 0.4.3 (``partial_sort`` is accepted; screening here
    always uses a partial sort).  ``lambda_0`` and gamma act on the normalised
    problem.  For ``"L0L2"`` with ``num_gamma=1`` the single gamma is ``gamma_max``
    (10 by default), as in L0Learn.

    Returns
    -------
    model : FitModel
    """
    *_, settings_out, path = _run(
        X, y, loss, penalty, algorithm, max_support_size, num_lambda, num_gamma, gamma_max,
        gamma_min, partial_sort, max_iter, rtol, atol, active_set, active_set_num, max_swaps,
        scale_down_factor, screen_size, lambda_grid, exclude_first_k, intercept, lows, highs)
    return FitModel(settings_out, path)


def cvfit(X, y, loss="SquaredError", penalty="L0", algorithm="CD", num_folds=10, seed=1,
          max_support_size=100, num_lambda=100, num_gamma=1, gamma_max=10.0, gamma_min=0.0001,
          partial_sort=True, max_iter=200, rtol=1e-6, atol=1e-9, active_set=True,
          active_set_num=3, max_swaps=100, scale_down_factor=0.8, screen_size=1000,
          lambda_grid=None, exclude_first_k=0, intercept=True, lows=-np.inf, highs=np.inf,
          n_jobs=None):
    """:func:`fit` plus ``num_folds``-fold cross-validation of every solution.

    Folds come from one seeded shuffle (``seed``); each refits the full-data
    lambda_0 grid on its training rows.  ``n_jobs`` runs folds in parallel.

    Returns
    -------
    model : CVFitModel
    """
    num_folds = check_count(num_folds, "num_folds", minimum=2, allow_none=False)
    X, y, problem, solved_penalty, gammas, used, settings, settings_out, path = _run(
        X, y, loss, penalty, algorithm, max_support_size, num_lambda, num_gamma, gamma_max,
        gamma_min, partial_sort, max_iter, rtol, atol, active_set, active_set_num, max_swaps,
        scale_down_factor, screen_size, lambda_grid, exclude_first_k, intercept, lows, highs)
    if num_folds > X.shape[0]:
        raise ValueError(f"num_folds={num_folds} exceeds the number of samples ({X.shape[0]}).")
    folds = list(KFold(num_folds, shuffle=True, random_state=seed).split(X))
    score = (mean_squared_error_scores if loss == "SquaredError" else
             classification_scores("log_loss" if loss == "Logistic" else "squared_hinge"))
    scores = cross_validate_path(X, y, problem, solved_penalty, gammas, used, settings,
                                 algorithm, folds, n_jobs, score)
    return CVFitModel(settings_out, path, scores)
