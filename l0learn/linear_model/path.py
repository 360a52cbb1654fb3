"""Regularisation paths of L0-penalised least squares: :func:`l0_path`."""

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning

from .._shared.columns import warn_degenerate_columns
from .._shared.progress import Progress
from .._shared.threads import single_blas_thread
from .._shared.warn import warn_user
from .._shared.validation import (check_bound_pair, check_bounds, check_count, check_design,
                          check_lambda_grid, check_target, check_weights)
from ._penalties import PENALTIES
from ._solver import NormalisedProblem, Point, Settings, compute_path

ALGORITHMS = ("CD", "CDPSI")
PATH_ALGORITHMS = ALGORITHMS + ("BnB",)


@dataclass
class RegularizationPath:
    """Every solution of a path, on the caller's scale.

    Points are ordered by ``gamma`` (as given or generated) and, within a
    ``gamma``, by decreasing ``lambda_0``.  ``lambda_0`` and ``gamma`` act on the
    normalised problem (centred, unit-norm columns and response), as in L0Learn.
    Built by :func:`l0_path` and the CV estimators; each field is also an attribute.

    Parameters
    ----------
    lambda_0, gamma : ndarray of shape (n_points,)
        The penalty weights of each point.
    support_size : ndarray of shape (n_points,)
        Nonzero coefficients of each point.
    objective : ndarray of shape (n_points,)
        Penalised objective of the normalised problem.
    converged : ndarray of shape (n_points,) of bool
        False where coordinate descent hit ``max_iter`` sweeps.
    coef : scipy.sparse.csc_matrix of shape (n_features, n_points)
        Coefficients (original scale), one column per point.
    intercept : ndarray of shape (n_points,)
        Intercepts (original scale).
    n_sweeps, n_swaps : ndarray of shape (n_points,)
        Coordinate-descent sweeps and local-search moves spent on each point.
    lower_bound, gap, n_nodes : ndarray of shape (n_points,) or None
        ``algorithm="BnB"``: certified lower bound (normalised objective), relative
        gap and branch-and-bound nodes of each point.

    Examples
    --------
    >>> from l0learn import l0_path
    >>> from l0learn.datasets import make_sparse_regression
    >>> X, y, _ = make_sparse_regression(100, 40, 3, seed=0)
    >>> path = l0_path(X, y, max_support_size=5)
    >>> list(path.to_frame().columns[:4])
    ['lambda_0', 'gamma', 'support_size', 'objective']
    >>> path.predict(X[:2]).shape == (2, len(path))
    True
    """

    lambda_0: np.ndarray
    gamma: np.ndarray
    support_size: np.ndarray
    objective: np.ndarray
    converged: np.ndarray
    coef: sp.csc_matrix
    intercept: np.ndarray
    n_sweeps: np.ndarray
    n_swaps: np.ndarray
    lower_bound: np.ndarray = None
    gap: np.ndarray = None
    n_nodes: np.ndarray = None

    def __len__(self):
        return self.lambda_0.shape[0]

    @property
    def gammas(self):
        """The distinct ``gamma`` values in path order."""
        _, first = np.unique(self.gamma, return_index=True)
        return self.gamma[np.sort(first)]

    def to_frame(self):
        """One row per solution: lambda_0, gamma, support size, objective, converged, intercept
        (and lower bound, gap, nodes for an exact path)."""
        frame = pd.DataFrame({
            "lambda_0": self.lambda_0, "gamma": self.gamma,
            "support_size": self.support_size, "objective": self.objective,
            "converged": self.converged, "intercept": self.intercept,
        })
        if self.lower_bound is not None:
            frame["lower_bound"] = self.lower_bound
            frame["gap"] = self.gap
            frame["n_nodes"] = self.n_nodes
        return frame

    def predict(self, X):
        """Predictions of every solution: an array of shape (n_samples, n_points)."""
        X = check_design(X, min_samples=1)
        if X.shape[1] != self.coef.shape[0]:
            raise ValueError(f"X has {X.shape[1]} features; the path was fitted on "
                             f"{self.coef.shape[0]}.")
        return self.linear_predictor(X)

    def linear_predictor(self, X):
        """``X @ coef + intercept`` for validated ``X``, without densifying ``X``."""
        if sp.issparse(X):
            return (X @ self.coef).toarray() + self.intercept
        # (coef' X')' walks only the nonzero coefficients' columns of X.
        return np.asarray(self.coef.T @ X.T).T + self.intercept


def make_problem(X, y, sample_weight, fit_intercept, lower_bounds, upper_bounds,
                 feature_names=None, warn=True, normalize=True):
    """Validate bounds and weights and build the normalised problem (X, y validated)."""
    n, p = X.shape
    w = check_weights(sample_weight, n)
    lower = check_bounds(lower_bounds, p, "lower_bounds", -1)
    upper = check_bounds(upper_bounds, p, "upper_bounds", +1)
    check_bound_pair(lower, upper)
    problem = NormalisedProblem(X, y, w, bool(fit_intercept), lower, upper, normalize)
    if warn:
        warn_degenerate_columns(problem.design.X, constant=problem.design.constant,
                                fingerprints=problem.design.fingerprints(),
                                feature_names=feature_names)
    return problem


def assemble_path(problem, points):
    """Turn normalised solutions into a :class:`RegularizationPath` (on the caller's scale)."""
    p = problem.design.n_features
    rows, cols, vals, intercepts = [], [], [], []
    for col, pt in enumerate(points):
        coef_values, b0 = problem.to_original(pt.support, pt.values, pt.intercept)
        rows.append(pt.support)
        cols.append(np.full(pt.support.size, col))
        vals.append(coef_values)
        intercepts.append(b0)
    L = len(points)
    coef = sp.csc_matrix(
        (np.concatenate(vals) if vals else np.zeros(0),
         (np.concatenate(rows) if rows else np.zeros(0, int),
          np.concatenate(cols) if cols else np.zeros(0, int))), shape=(p, L))
    scale = problem.objective_scale  # 1 unless normalize=False
    return RegularizationPath(
        lambda_0=np.array([pt.lambda_0 for pt in points]) * scale,
        gamma=np.array([pt.gamma for pt in points]),
        support_size=np.array([pt.support.size for pt in points], dtype=int),
        objective=np.array([pt.objective for pt in points]) * scale,
        converged=np.array([pt.converged for pt in points], dtype=bool),
        coef=coef, intercept=np.array(intercepts),
        n_sweeps=np.array([pt.n_sweeps for pt in points], dtype=int),
        n_swaps=np.array([pt.n_swaps for pt in points], dtype=int))


def gamma_values(penalty, gamma, num_gamma, gamma_max, gamma_min, problem):
    """The gamma grid: the user's value(s), or the penalty's default grid."""
    pen = PENALTIES[penalty]
    if penalty == "L0":
        return np.zeros(1)
    if gamma is not None:
        g = np.atleast_1d(np.asarray(gamma, dtype=float))
        if g.ndim != 1 or np.any(~np.isfinite(g)) or np.any(g < 0):
            raise ValueError("gamma must be a non-negative finite number or a sequence of them.")
        return g
    check_count(num_gamma, "num_gamma", minimum=1, allow_none=False)
    if not (0 < gamma_min <= gamma_max):
        raise ValueError("gamma_min and gamma_max must satisfy 0 < gamma_min <= gamma_max.")
    return pen.default_gammas(num_gamma, gamma_max, gamma_min, problem.max_abs_gradient())


def check_choice(value, name, options):
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {sorted(options)}; got {value!r}.")
    return value


def l0_path(X, y, *, penalty="L0", gamma=None, num_gamma=1, gamma_max=10.0,
            gamma_min=1e-4, algorithm="CD", lambda_grid=None, num_lambda=100,
            max_support_size=100, fit_intercept=True, normalize=True, sample_weight=None,
            lower_bounds=None, upper_bounds=None, exclude_first_k=0, max_iter=200,
            tol=1e-6, atol=1e-9, screen_size=1000, active_set_num=3, max_swaps=100,
            scale_down_factor=0.8, gap_tol=1e-4, time_limit=None, big_m=None, verbose=False):
    """Solve L0-penalised least squares along a lambda_0 grid (and a gamma grid).

    .. math::

        \\min_{b_0, b} \\tfrac12 \\sum_i w_i (\\tilde y_i - b_0 - \\tilde x_i^\\top b)^2
        + \\lambda_0 \\|b\\|_0 + \\lambda_1 \\|b\\|_1 + \\lambda_2 \\|b\\|_2^2

    on the normalised data (centred, unit-norm columns and response; with
    ``normalize=False`` on the data as given), with ``(lambda_1, lambda_2) = (gamma, 0)``
    for ``"L0L1"`` and ``(0, gamma)`` for ``"L0L2"``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Design matrix (never copied when F-ordered or CSC).
    y : array-like of shape (n_samples,)
        Response.
    penalty : {"L0", "L0L1", "L0L2"}, default="L0"
        Penalty besides the L0 price (see the objective above).
    gamma : float or sequence of float, default=None
        Second penalty weight(s); ``None`` builds L0Learn's grid from ``num_gamma``,
        ``gamma_max`` and ``gamma_min``.
    num_gamma : int, default=1
        Length of the automatic gamma grid (when ``gamma`` is None).
    gamma_max, gamma_min : float, default=10.0, 1e-4
        Ends of the automatic gamma grid (log-spaced).
    algorithm : {"CD", "CDPSI", "BnB"}, default="CD"
        Coordinate descent; coordinate descent followed by local search; or the
        CDPSI path with every point then solved exactly by branch and bound
        (``"L0L2"`` with ``gamma > 0``; certified big-M), L0BnB's ``fit_path``.
    lambda_grid : sequence of float or list of sequences, default=None
        Strictly decreasing lambda_0 values (one sequence per gamma); ``None`` builds
        L0Learn's automatic grid.
    num_lambda : int, default=100
        Length of the automatic grid.
    max_support_size : int, default=100
        Stop once a solution has this many nonzeros; solutions above it are dropped.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    normalize : bool, default=True
        Whether ``lambda_0`` and ``gamma`` act on the normalised problem (L0Learn) or on
        the data and coefficients as given (``False``, L0BnB's ``normalize=False``;
        penalties ``"L0"`` and ``"L0L2"``).  ``lambda_grid``, the path's ``lambda_0``,
        objectives and bounds are on the same scale.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights of the squared residuals.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients (original scale); must contain 0.
    exclude_first_k : int, default=0
        The first ``k`` coefficients carry no L0 penalty.
    max_iter, tol, atol, screen_size, active_set_num, max_swaps, scale_down_factor
        Solver controls with L0Learn's meaning and defaults.
    gap_tol, time_limit : float, default=1e-4, None
        ``algorithm="BnB"``: relative gap, and wall-clock seconds per point for its
        branch and bound (node solves included).  The CDPSI path that provides the
        warm starts is computed first and is not part of any point's limit.
    big_m : float, default=None
        ``algorithm="BnB"``: a box ``|b_j| <= big_m`` (on the scale ``normalize``
        chooses), which makes every certificate one for the box-constrained problem (a
        warning says when a solution touches it).  ``None`` derives a certified box
        from each point's incumbent (from the ridge, or with ``gamma=0`` from the loss
        when the design has full column rank), so the certificates hold for the
        unconstrained problem.
    verbose : bool, default=False
        Report each finished gamma path and, with ``algorithm="BnB"``, each certified
        point with its gap and the time left (a tqdm bar when tqdm is installed).

    Returns
    -------
    path : RegularizationPath

    Examples
    --------
    >>> from l0learn import l0_path
    >>> from l0learn.datasets import make_sparse_regression
    >>> X, y, _ = make_sparse_regression(100, 40, 3, seed=0)
    >>> path = l0_path(X, y, penalty="L0L2", num_gamma=2, max_support_size=5)
    >>> int(path.support_size.max()) <= 5
    True
    """
    algorithm = check_choice(algorithm, "algorithm", PATH_ALGORITHMS)
    penalty = check_choice(penalty, "penalty", PENALTIES)
    if algorithm == "BnB":
        _check_bnb_path(penalty, gamma, big_m, gap_tol, time_limit)
    X = check_design(X)
    y = check_target(y, X.shape[0])
    if not normalize and penalty == "L0L1":
        raise ValueError("normalize=False supports penalty 'L0' and 'L0L2', not 'L0L1'.")
    problem = make_problem(X, y, sample_weight, fit_intercept, lower_bounds, upper_bounds,
                           normalize=bool(normalize))
    settings = make_settings(max_iter=max_iter, tol=tol, atol=atol, screen_size=screen_size,
                             active_set_num=active_set_num, max_swaps=max_swaps,
                             exclude_first_k=exclude_first_k, n_features=X.shape[1])
    max_support_size = check_count(max_support_size, "max_support_size", minimum=1,
                                   allow_none=False)
    gammas = gamma_values(penalty, gamma, num_gamma, gamma_max, gamma_min, problem)
    grids = split_lambda_grid(lambda_grid, len(gammas))
    if grids is not None:  # the solver's lambda_0 is on the normalised scale
        grids = [grid / problem.objective_scale for grid in grids]
    if grids is None:
        check_count(num_lambda, "num_lambda", minimum=1, allow_none=False)
    points, _ = paths_over_gammas(problem, penalty, gammas, grids, settings,
                                  algorithm="CDPSI" if algorithm == "BnB" else algorithm,
                                  num_lambda=num_lambda, max_support_size=max_support_size,
                                  scale_down_factor=scale_down_factor, verbose=verbose)
    if algorithm != "BnB":
        return assemble_path(problem, points)
    return _certify_path(problem, points, settings, gap_tol, time_limit, big_m, verbose)


def _check_bnb_path(penalty, gamma, big_m, gap_tol=1e-4, time_limit=None):
    real = (numbers.Real,)
    if (not isinstance(gap_tol, real) or isinstance(gap_tol, bool) or not np.isfinite(gap_tol)
            or gap_tol < 0):
        raise ValueError(f"gap_tol must be a finite number >= 0; got {gap_tol!r}.")
    if time_limit is not None and (not isinstance(time_limit, real) or isinstance(time_limit, bool)
                                   or np.isnan(time_limit) or time_limit <= 0):
        raise ValueError(f"time_limit must be None or a number > 0 (seconds); got "
                         f"{time_limit!r}.")
    if big_m is not None:
        if not (isinstance(big_m, numbers.Real) and np.isfinite(big_m) and big_m > 0):
            raise ValueError(f"big_m must be a positive finite number; got {big_m!r}.")
    if penalty == "L0L1":
        raise ValueError("algorithm='BnB' paths support penalty 'L0' and 'L0L2', not 'L0L1'.")


def _certify_path(problem, points, settings, gap_tol, time_limit, big_m=None, verbose=False):
    """Solve every point of a CDPSI path exactly, each from its CDPSI solution."""
    from ._exact import open_gap_advice, solve_exact

    exact, lower, gap, nodes = [], [], [], []
    p = problem.design.n_features
    progress = Progress(len(points), "certified points", verbose)
    for pt in points:
        start = np.zeros(p)
        start[pt.support] = pt.values
        beta, result, box = solve_exact(problem, pt.lambda_0, pt.gamma, settings, start=start,
                                        gap_tol=gap_tol, time_limit=time_limit, big_m=big_m)
        support = np.flatnonzero(beta)
        if big_m is not None and np.any(np.abs(beta) >= 0.999 * box):
            warn_user(f"At lambda_0={pt.lambda_0 * problem.objective_scale:.4g} a "
                      f"coefficient sits at the box |b| <= big_m={big_m:.4g}: that "
                      "certificate holds for the box-constrained problem only.", UserWarning)
        exact.append(Point(lambda_0=pt.lambda_0, gamma=pt.gamma, support=support,
                           values=beta[support], objective=float(result.objective),
                           converged=result.status.value == "optimal", n_sweeps=pt.n_sweeps,
                           n_swaps=pt.n_swaps))
        lower.append(result.lower_bound)
        gap.append(result.rel_gap)
        nodes.append(result.n_nodes)
        progress.update(info=f"lambda_0={pt.lambda_0 * problem.objective_scale:.3g}: "
                             f"gap {result.rel_gap:.2e}, "
                             f"{result.n_nodes} nodes")
    progress.close()
    path = assemble_path(problem, exact)
    path.lower_bound = np.array(lower) * problem.objective_scale
    path.gap = np.array(gap)
    open_points = np.flatnonzero(~(path.gap <= gap_tol))
    if open_points.size:
        worst = int(open_points[np.argmax(path.gap[open_points])])
        advice = open_gap_advice(problem.design.n_samples, problem.design.n_features,
                                 path.gap[worst], big_m)
        warn_user(f"{open_points.size} of {len(exact)} path points are not certified to "
                  f"gap_tol={gap_tol:g} (worst: relative gap {path.gap[worst]:.3g} at lambda_0="
                  f"{path.lambda_0[worst]:.4g}); see path.gap, or raise time_limit.{advice}",
                  ConvergenceWarning)
    path.n_nodes = np.array(nodes, dtype=int)
    return path


def paths_over_gammas(problem, penalty, gammas, grids, settings, *, algorithm, num_lambda=100,
                      max_support_size=100, scale_down_factor=0.8, verbose=False):
    """Solutions for every gamma (each path from zero) and the lambda_0 grid used for each."""
    points, used = [], []
    progress = Progress(len(gammas), "gamma paths", verbose)
    for gi, gam in enumerate(gammas):
        pts = compute_path(problem, PENALTIES[penalty], gam, settings, algorithm=algorithm,
                           lambda_grid=None if grids is None else grids[gi],
                           num_lambda=num_lambda, max_support_size=max_support_size,
                           scale_down_factor=scale_down_factor)
        points += pts
        used.append(np.array([pt.lambda_0 for pt in pts]))
        progress.update(info=f"gamma={gam:.3g}: {len(pts)} points")
    progress.close()
    return points, used


def mean_squared_error_scores(y, w, pred):
    """Weighted MSE of each column of ``pred`` (the default CV score)."""
    return (w @ (y[:, None] - pred) ** 2) / w.sum()


def _fold_scores(X, y, w, train, test, full_problem, penalty, gammas, grids, settings,
                 algorithm, score=mean_squared_error_scores):
    """Held-out score (default: weighted MSE) of every grid point, fitted on ``train`` rows.

    The fold is a weight mask (held-out rows get weight 0), so ``X`` is never
    copied.  Every grid point is solved (no support-size stop), so all folds
    score the same points.
    """
    w_fold = np.zeros_like(w)
    w_fold[train] = w[train]
    problem = full_problem.with_weights(y, w_fold)
    # The grids hold normalised lambda_0 of the full data; with normalize=False the fold
    # solves the same lambda_0 on the caller's scale, which normalises differently.
    ratio = full_problem.objective_scale / problem.objective_scale
    grids = [np.asarray(grid) * ratio for grid in grids]
    points, _ = paths_over_gammas(problem, penalty, gammas, grids, settings,
                                  algorithm=algorithm, max_support_size=None)
    path = assemble_path(problem, points)
    return score(y[test], w[test], path.linear_predictor(X)[test])


@single_blas_thread
def cross_validate_path(X, y, problem, penalty, gammas, grids, settings, algorithm, folds,
                        n_jobs=None, score=mean_squared_error_scores, verbose=False):
    """Held-out score of each grid point in each fold: an array (n_folds, n_points).

    ``score(y_test, w_test, predictions)`` returns one value per column of the
    linear predictions (default: weighted MSE).

    Folds run through joblib (processes by default: the local search is partly Python,
    so threads would serialise on the GIL; any joblib backend, e.g. Dask, works).
    """
    folds = list(folds)
    jobs = (delayed(_fold_scores)(X, y, problem.design.w, train, test, problem, penalty, gammas,
                                  grids, settings, algorithm, score)
            for train, test in folds)
    return run_fold_jobs(jobs, len(folds), n_jobs, verbose)


def run_fold_jobs(jobs, n_folds, n_jobs, verbose):
    """Run delayed per-fold score jobs through joblib; stack them (n_folds, n_points).

    With ``verbose`` each finished fold is reported with the best held-out score so far.
    """
    if not verbose:
        return np.vstack(Parallel(n_jobs=n_jobs)(jobs))
    scores = []
    with Progress(n_folds, "folds", verbose) as progress:
        for fold_scores in Parallel(n_jobs=n_jobs, return_as="generator")(jobs):
            scores.append(fold_scores)
            progress.update(info=f"best held-out score so far {np.min(fold_scores):.4g}")
    return np.vstack(scores)


def split_lambda_grid(lambda_grid, n_gamma):
    """``None``, or one validated decreasing grid per gamma."""
    if lambda_grid is None:
        return None
    seq = list(lambda_grid)
    if seq and np.ndim(seq[0]) == 0:
        seq = [seq]
    if len(seq) != n_gamma:
        raise ValueError(f"lambda_grid has {len(seq)} sequence(s) for {n_gamma} gamma value(s).")
    return [check_lambda_grid(g) for g in seq]


def make_settings(*, max_iter, tol, atol, screen_size, active_set_num, max_swaps,
                  exclude_first_k, n_features):
    check_count(max_iter, "max_iter", minimum=1, allow_none=False)
    check_count(screen_size, "screen_size", minimum=1, allow_none=False)
    check_count(active_set_num, "active_set_num", minimum=1, allow_none=False)
    check_count(max_swaps, "max_swaps", minimum=0, allow_none=False)
    check_count(exclude_first_k, "exclude_first_k", minimum=0, allow_none=False)
    if exclude_first_k > n_features:
        raise ValueError(f"exclude_first_k={exclude_first_k} exceeds the number of "
                         f"features ({n_features}).")
    for name, value in (("tol", tol), ("atol", atol)):
        if not (np.isscalar(value) and np.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a non-negative finite number; got {value!r}.")
    return Settings(max_iter=int(max_iter), tol=float(tol), atol=float(atol),
                    screen_size=int(screen_size), active_set_num=int(active_set_num),
                    max_swaps=int(max_swaps), n_excluded=int(exclude_first_k))


def select_cv_index(cv_means, cv_sds, support_size, n_folds, selection):
    """Index of the chosen path point: the CV minimum, or with ``"1se"`` the sparsest
    point within one standard error (``sd / sqrt(n_folds)``) of it (ties: lower mean)."""
    best = int(np.nanargmin(cv_means))
    if selection == "min":
        return best
    se = cv_sds[best] / np.sqrt(n_folds)
    ok = np.flatnonzero(cv_means <= cv_means[best] + se)
    return int(ok[np.lexsort((cv_means[ok], support_size[ok]))[0]])
