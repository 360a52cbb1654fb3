"""L0-regularised linear regression estimators: :class:`L0Regressor`, :class:`L0RegressorCV`."""

import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, check_cv
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._shared.fitted import FitStateMixin, completes_fit
from .._shared.warn import warn_user
from .._shared.validation import canonical_sparse, check_target
from ._exact import open_gap_advice, solve_exact
from ._penalties import PENALTIES
from ._solver import Point, fit_single
from .path import (ALGORITHMS, assemble_path, cross_validate_path, gamma_values, make_problem,
                   make_settings, paths_over_gammas, select_cv_index)

_COMMON_CONSTRAINTS = {
    "penalty": [StrOptions(set(PENALTIES))],
    "algorithm": [StrOptions(set(ALGORITHMS))],
    "max_support_size": [Interval(Integral, 1, None, closed="left"), None],
    "fit_intercept": ["boolean"],
    "lower_bounds": ["array-like", Interval(Real, None, 0, closed="right"), None],
    "upper_bounds": ["array-like", Interval(Real, 0, None, closed="left"), None],
    "exclude_first_k": [Interval(Integral, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "max_swaps": [Interval(Integral, 0, None, closed="left")],
    "screen_size": [Interval(Integral, 1, None, closed="left")],
}


class _L0LinearBase(FitStateMixin, RegressorMixin, BaseEstimator):
    """Shared validation, prediction and tags of the linear L0 estimators."""

    def _validate_fit_data(self, X, y):
        X, y = validate_data(self, X, y, accept_sparse="csc", dtype=np.float64,
                             y_numeric=True, ensure_min_samples=2, accept_large_sparse=False,
                             force_writeable=True, multi_output=False)
        y = check_target(y, X.shape[0])  # y_numeric lets string arrays through
        return (canonical_sparse(X) if hasattr(X, "tocsc") else X), y

    def _problem(self, X, y, sample_weight):
        return make_problem(X, y, sample_weight, self.fit_intercept, self.lower_bounds,
                            self.upper_bounds,
                            feature_names=getattr(self, "feature_names_in_", None),
                            normalize=self.normalize)

    def _settings(self, n_features):
        return make_settings(max_iter=self.max_iter, tol=self.tol, atol=1e-9,
                             screen_size=self.screen_size, active_set_num=3,
                             max_swaps=self.max_swaps, exclude_first_k=self.exclude_first_k,
                             n_features=n_features)

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csc", "csr"], dtype=np.float64, reset=False)
        return np.asarray(X @ self.coef_).ravel() + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class L0Regressor(_L0LinearBase):
    """Least squares with an L0 penalty (plus optional L1 or L2), by coordinate descent and local search.

    Solves, on the normalised data (weighted-centred columns and response scaled
    to unit norm, as in L0Learn; with ``normalize=False`` on the data as given,
    centred only for the intercept, as L0BnB's ``normalize=False``),

    .. math::

        \\min_{b} \\tfrac12 \\sum_i w_i (\\tilde y_i - \\tilde x_i^\\top b)^2
        + \\lambda_0 \\|b\\|_0 + \\lambda_1 \\|b\\|_1 + \\lambda_2 \\|b\\|_2^2
        \\quad \\text{s.t. } l \\le b \\le u,\\ \\|b\\|_0 \\le K,

    with ``(lambda_1, lambda_2) = (gamma, 0)`` for ``"L0L1"`` and ``(0, gamma)`` for
    ``"L0L2"``, then maps the coefficients back to the original scale.  On that
    scale the response has total (weighted) sum of squares 1, so a feature enters
    only if it lowers the residual sum of squares by more than a fraction
    ``2 * lambda_0`` of the total.

    The solution is reached by warm starts along L0Learn's automatic lambda_0
    grid down to ``lambda_0``; ``algorithm="CDPSI"`` then runs local search, so no
    exchange of one selected feature for another (L0Learn's swap move), and,
    for ``"L0"``/``"L0L2"`` without bounds, no addition or removal of one feature
    with the others refitted, lowers the objective.  Because local search is
    blind to support sizes far from the current one, a single fit is polished
    from several path solutions around ``lambda_0`` and the best is kept.

    Parameters
    ----------
    penalty : {"L0", "L0L1", "L0L2"}, default="L0"
        Penalty besides the L0 price: none, L1 (``gamma |b|_1``) or squared L2
        (``gamma ||b||^2``, a ridge that stabilises correlated designs).
    lambda_0 : float, default=0.01
        Price of each nonzero coefficient (normalised scale, or the caller's with
        ``normalize=False``).  Ignored when ``k`` is set.
    gamma : float, default=0.0
        Weight of the L1 (``"L0L1"``) or squared L2 (``"L0L2"``) term; unused for ``"L0"``.
    normalize : bool, default=True
        Whether the penalties act on the normalised problem (L0Learn's convention:
        ``lambda_0`` is a fraction of the response's sum of squares, every column
        counts alike) or on the data and coefficients as given (``False``; penalties
        ``"L0"`` and ``"L0L2"``).
    algorithm : {"CD", "CDPSI", "BnB"}, default="CDPSI"
        Coordinate descent (a coordinate-wise optimum), or coordinate descent followed
        by local search (swaps, additions and removals with refit), which escapes most
        of its poor local optima; ``"BnB"`` (``L0Regressor`` only) solves exactly with a
        certificate.
    k : int, default=None
        Fit the cardinality-constrained problem ``||b||_0 <= k`` (no L0 price): the
        best ``k``-sparse model this local search finds.
    max_support_size : int, default=None
        Constraint ``||b||_0 <= max_support_size`` on the Lagrangian fit.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept (columns are centred implicitly, never copied).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients, on the original scale; must contain 0.
    exclude_first_k : int, default=0
        The first ``exclude_first_k`` features carry no L0 price (always allowed in).
    max_iter : int, default=200
        Coordinate-descent sweeps per solve.
    tol : float, default=1e-6
        Relative change of the objective between sweeps that counts as converged.
    max_swaps : int, default=100
        Move budget of the local search (per solve).
    screen_size : int, default=1000
        Most zero coordinates swept per active-set round.
    gap_tol : float, default=1e-4
        ``algorithm="BnB"``: stop once the relative gap between the incumbent and the
        certified lower bound is at most this.
    time_limit : float, default=None
        ``algorithm="BnB"``: wall-clock seconds for the whole ``fit`` (validation and
        the CDPSI warm start included); the search, node solves included, stops there
        and returns the best solution found with its certified gap.
    max_nodes : int, default=None
        ``algorithm="BnB"``: node budget.
    big_m : float, default=None
        ``algorithm="BnB"``: box ``|b_j| <= big_m`` on the normalised scale (the
        caller's with ``normalize=False``).  ``None`` derives a certified box from the
        incumbent (``sqrt((F - lambda_0) / gamma)``; with ``gamma=0``, from the loss when
        the design has full column rank), so the certificate holds for the
        unconstrained problem; a given value certifies the box-constrained problem only.
    verbose : bool, default=False
        ``algorithm="BnB"``: print the branch-and-bound progress log.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients on the original scale.
    intercept_ : float
        Intercept on the original scale (0 without ``fit_intercept``).
    support_ : ndarray of int
        Indices of the nonzero coefficients.
    objective_ : float
        Penalised objective at the solution (normalised problem, or the problem as
        given with ``normalize=False``).
    lambda_0_ : float
        The L0 price used (0 in the cardinality form).
    n_iter_ : int
        Coordinate-descent sweeps, warm-start path included.
    n_swaps_ : int
        Swaps made by the local search.
    converged_ : bool
        False when a solve stopped on ``max_iter`` (``"BnB"``: when not proven optimal).
    lower_bound_, gap_, status_, termination_, n_nodes_, big_m_, bnb_time_
        ``algorithm="BnB"`` only: certified lower bound on the optimal objective
        (on the scale of ``objective_``), relative gap ``(objective_ - lower_bound_) / objective_``,
        ``"optimal"``/``"feasible"``, why the search stopped, nodes relaxed, the big-M
        used, seconds in branch and bound.
    bnb_log_ : list of dict
        ``algorithm="BnB"`` only: the progress rows (nodes, open, incumbent, bound, gap,
        time in seconds since ``fit`` began), about one a second and one per new
        incumbent.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str, one per feature seen in ``fit``
        Defined when ``X`` has string column names.

    References
    ----------
    Hazimeh, H. and Mazumder, R. (2020). Fast best subset selection: coordinate
    descent and local combinatorial optimization algorithms. Operations Research 68(5).

    Examples
    --------
    >>> import numpy as np
    >>> from l0learn import L0Regressor
    >>> from l0learn.datasets import make_sparse_regression
    >>> X, y, beta = make_sparse_regression(200, 100, 5, snr=10.0, seed=0)
    >>> model = L0Regressor(k=5).fit(X, y)
    >>> np.array_equal(model.support_, np.flatnonzero(beta))
    True
    >>> exact = L0Regressor("L0L2", lambda_0=0.01, gamma=0.1, algorithm="BnB").fit(X, y)
    >>> exact.status_
    'optimal'
    """

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        "algorithm": [StrOptions(set(ALGORITHMS) | {"BnB"})],
        "lambda_0": [Interval(Real, 0, None, closed="left")],
        "gamma": [Interval(Real, 0, None, closed="left")],
        "k": [Interval(Integral, 1, None, closed="left"), None],
        "gap_tol": [Interval(Real, 0, None, closed="left")],
        "time_limit": [Interval(Real, 0, None, closed="left"), None],
        "max_nodes": [Interval(Integral, 1, None, closed="left"), None],
        "big_m": [Interval(Real, 0, None, closed="neither"), None],
        "verbose": ["boolean"],
        "normalize": ["boolean"],
    }

    def __init__(self, penalty="L0", lambda_0=0.01, gamma=0.0, *, normalize=True,
                 algorithm="CDPSI", k=None,
                 max_support_size=None, fit_intercept=True, lower_bounds=None,
                 upper_bounds=None, exclude_first_k=0, max_iter=200, tol=1e-6,
                 max_swaps=100, screen_size=1000, gap_tol=1e-4, time_limit=None,
                 max_nodes=None, big_m=None, verbose=False):
        self.penalty = penalty
        self.lambda_0 = lambda_0
        self.gamma = gamma
        self.normalize = normalize
        self.algorithm = algorithm
        self.k = k
        self.max_support_size = max_support_size
        self.fit_intercept = fit_intercept
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.exclude_first_k = exclude_first_k
        self.max_iter = max_iter
        self.tol = tol
        self.max_swaps = max_swaps
        self.screen_size = screen_size
        self.gap_tol = gap_tol
        self.time_limit = time_limit
        self.max_nodes = max_nodes
        self.big_m = big_m
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative observation weights; a weight of 2 is the same as a repeated row.

        Returns
        -------
        self : object
        """
        started = time.perf_counter()  # time_limit covers the whole fit, warm start included
        if not self.normalize and self.penalty == "L0L1":
            raise ValueError("normalize=False supports penalty 'L0' and 'L0L2', not 'L0L1'.")
        X, y = self._validate_fit_data(X, y)
        problem = self._problem(X, y, sample_weight)
        settings = self._settings(X.shape[1])
        gamma = 0.0 if self.penalty == "L0" else self.gamma
        if self.algorithm == "BnB":
            self._check_bnb_options(gamma)
        point = fit_single(problem, PENALTIES[self.penalty], gamma, settings,
                           lambda_0=self.lambda_0 / problem.objective_scale, k=self.k,
                           algorithm="CDPSI" if self.algorithm == "BnB" else self.algorithm,
                           max_support_size=self.max_support_size)
        if self.algorithm == "BnB":
            if problem.degenerate:  # constant y: the empty model is exactly optimal
                self.lower_bound_, self.gap_, self.status_ = point.objective, 0.0, "optimal"
                self.termination_, self.n_nodes_, self.big_m_, self.bnb_time_ = (
                    "queue_empty", 0, 0.0, 0.0)
                self.bnb_log_ = []
            else:
                point = self._certify(problem, settings, gamma, point, started)
        # A BnB fit reports its own convergence (the certificate), not coordinate descent's.
        self._set_solution(problem, point, warn_cd=self.algorithm != "BnB")
        return self

    def _check_bnb_options(self, gamma):
        if self.penalty == "L0L1":
            raise ValueError("algorithm='BnB' supports penalty 'L0' and 'L0L2', not 'L0L1'.")
        unsupported = {"max_support_size": self.max_support_size is not None,
                       "lower_bounds": self.lower_bounds is not None,
                       "upper_bounds": self.upper_bounds is not None,
                       "exclude_first_k": self.exclude_first_k != 0}
        bad = [name for name, used in unsupported.items() if used]
        if bad:
            raise ValueError(f"algorithm='BnB' does not support {', '.join(bad)} yet.")

    def _certify(self, problem, settings, gamma, point, started):
        """Branch and bound from the CDPSI solution; sets the certificate attributes."""
        deadline = None if self.time_limit is None else started + self.time_limit
        start = np.zeros(problem.design.n_features)
        start[point.support] = point.values
        offset = time.perf_counter() - started  # the log counts from the start of fit
        beta, result, box = solve_exact(
            problem, self.lambda_0 / problem.objective_scale, gamma, settings, k=self.k,
            start=start, big_m=self.big_m,
            gap_tol=self.gap_tol, deadline=deadline, max_nodes=self.max_nodes,
            verbose=self.verbose)
        scale = problem.objective_scale  # reported on the scale of objective_
        self.lower_bound_ = float(result.lower_bound) * scale
        self.gap_ = float(result.rel_gap)
        self.status_ = result.status.value
        self.termination_ = result.termination.value
        self.n_nodes_ = int(result.n_nodes)
        self.big_m_ = (float(self.big_m) if self.big_m is not None
                       else problem.largest_box(box))
        self.bnb_time_ = float(result.time)
        self.bnb_log_ = [dict(row, time=row["time"] + offset, incumbent=row["incumbent"] * scale,
                              bound=row["bound"] * scale) for row in result.log]
        support = np.flatnonzero(beta)
        if self.big_m is not None and np.any(np.abs(beta) >= 0.999 * box):
            warn_user(f"A coefficient sits at the box |b| <= big_m={self.big_m:.4g}: the "
                          "certificate holds for the box-constrained problem only; increase "
                          "big_m or leave it None for a certified bound.", UserWarning)
        converged = result.status.value == "optimal"
        if not converged:
            advice = open_gap_advice(problem.design.n_samples, problem.design.n_features,
                                     result.rel_gap, self.big_m)
            warn_user(f"Branch and bound stopped ({result.termination.value}) with a "
                      f"relative gap of {result.rel_gap:.3g}; the solution is the best "
                      f"found.{advice}", ConvergenceWarning)
        return Point(lambda_0=0.0 if self.k is not None else float(self.lambda_0) / scale,
                     gamma=float(gamma), support=support,
                     values=beta[support], objective=float(result.objective),
                     converged=converged, n_sweeps=point.n_sweeps, n_swaps=point.n_swaps)

    def _set_solution(self, problem, point, warn_cd=True):
        values, intercept = problem.to_original(point.support, point.values, point.intercept)
        self.coef_ = np.zeros(problem.design.n_features)
        self.coef_[point.support] = values
        self.intercept_ = intercept
        self.support_ = point.support.copy()
        self.objective_ = point.objective * problem.objective_scale
        self.lambda_0_ = point.lambda_0 * problem.objective_scale
        self.n_iter_ = point.n_sweeps
        self.n_swaps_ = point.n_swaps
        self.converged_ = point.converged
        if warn_cd and not point.converged:
            warn_user(f"Coordinate descent did not converge within max_iter={self.max_iter} "
                          "sweeps; increase max_iter or tol.", ConvergenceWarning)


class L0RegressorCV(_L0LinearBase):
    """:class:`L0Regressor` with (lambda_0, gamma) chosen by k-fold cross-validation.

    The full-data path is computed first (L0Learn's automatic lambda_0 grid for
    each gamma); every fold refits the same grid on its training rows, and the
    held-out (weighted) mean squared error of each grid point is averaged over
    folds.  The chosen point is either the minimiser of the mean CV error or, with
    ``selection="1se"``, the sparsest point whose mean error is within one standard
    error of that minimum.  Its full-data solution is the fitted model.

    Parameters
    ----------
    penalty : {"L0", "L0L1", "L0L2"}, default="L0"
        Penalty besides the L0 price: none, L1 (``gamma |b|_1``) or squared L2
        (``gamma ||b||^2``, a ridge that stabilises correlated designs).
    gamma : float or sequence of float, default=None
        Candidate gamma values; ``None`` builds L0Learn's grid from ``num_gamma``,
        ``gamma_max``, ``gamma_min`` (unused for ``"L0"``).
    num_gamma : int, default=5
        Length of the automatic gamma grid (when ``gamma`` is None).
    gamma_max, gamma_min : float, default=10.0, 1e-4
        Ends of the automatic gamma grid (log-spaced).
    num_lambda : int, default=100
        Length of the automatic lambda_0 grid (per gamma).
    max_support_size : int, default=None
        Path stop; ``None`` means ``min(100, n_features)``.
    algorithm : {"CD", "CDPSI"}, default="CDPSI"
        Coordinate descent (a coordinate-wise optimum), or coordinate descent followed
        by local search (swaps, additions and removals with refit), which escapes most
        of its poor local optima; ``"BnB"`` (``L0Regressor`` only) solves exactly with a
        certificate.
    cv : int, cross-validation generator or iterable, default=5
        An int means ``KFold(cv, shuffle=True, random_state=random_state)``.
    selection : {"min", "1se"}, default="min"
        The grid point with the smallest mean CV error, or the sparsest one whose mean
        error is within one standard error of that minimum.
    n_jobs : int, default=None
        Folds run in parallel through joblib (processes by default; any joblib backend,
        e.g. Dask or Ray, can be selected with ``joblib.parallel_backend``).
    random_state : int, RandomState instance or None, default=None
        Shuffling of the default folds.
    normalize : bool, default=True
        As in :class:`L0Regressor`; with ``False`` each fold solves the path's ``lambda_0``
        values on the caller's scale.
    fit_intercept, lower_bounds, upper_bounds, exclude_first_k, max_iter, tol, max_swaps, screen_size
        As in :class:`L0Regressor`.
    verbose : bool, default=False
        Report each finished fold and the time left (a tqdm bar when tqdm is installed).

    Attributes
    ----------
    path_ : RegularizationPath
        Every full-data solution.
    cv_means_, cv_sds_ : ndarray of shape (n_points,)
        Mean and standard deviation (``ddof=1``) over folds of the held-out MSE.
    best_index_ : int
        Index in ``path_`` of the chosen solution.
    lambda_0_, gamma_ : float
        The chosen hyperparameters.
    coef_, intercept_, support_, objective_, converged_, n_iter_
        Of the chosen full-data solution (``n_iter_`` counts all full-data sweeps).
    n_features_in_, feature_names_in_
        Features seen in ``fit`` (names when ``X`` has string column names).

    Examples
    --------
    >>> import numpy as np
    >>> from l0learn import L0RegressorCV
    >>> from l0learn.datasets import make_sparse_regression
    >>> X, y, beta = make_sparse_regression(200, 100, 5, snr=10.0, seed=0)
    >>> cv = L0RegressorCV(max_support_size=10, selection="1se", random_state=0).fit(X, y)
    >>> set(np.flatnonzero(beta)) <= set(cv.support_.tolist())
    True
    """

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        "gamma": ["array-like", Interval(Real, 0, None, closed="left"), None],
        "num_gamma": [Interval(Integral, 1, None, closed="left")],
        "gamma_max": [Interval(Real, 0, None, closed="neither")],
        "gamma_min": [Interval(Real, 0, None, closed="neither")],
        "num_lambda": [Interval(Integral, 1, None, closed="left")],
        "cv": ["cv_object"],
        "selection": [StrOptions({"min", "1se"})],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "normalize": ["boolean"],
    }

    def __init__(self, penalty="L0", *, gamma=None, num_gamma=5, gamma_max=10.0,
                 gamma_min=1e-4, num_lambda=100, max_support_size=None, algorithm="CDPSI",
                 cv=5, selection="min", n_jobs=None, random_state=None, fit_intercept=True,
                 normalize=True, lower_bounds=None, upper_bounds=None, exclude_first_k=0,
                 max_iter=200, tol=1e-6, max_swaps=100, screen_size=1000, verbose=False):
        self.verbose = verbose
        self.penalty = penalty
        self.gamma = gamma
        self.num_gamma = num_gamma
        self.gamma_max = gamma_max
        self.gamma_min = gamma_min
        self.num_lambda = num_lambda
        self.max_support_size = max_support_size
        self.algorithm = algorithm
        self.cv = cv
        self.selection = selection
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.fit_intercept = fit_intercept
        self.normalize = normalize
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.exclude_first_k = exclude_first_k
        self.max_iter = max_iter
        self.tol = tol
        self.max_swaps = max_swaps
        self.screen_size = screen_size

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y, sample_weight=None):
        """Compute the path, cross-validate it and keep the chosen solution.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        if not self.normalize and self.penalty == "L0L1":
            raise ValueError("normalize=False supports penalty 'L0' and 'L0L2', not 'L0L1'.")
        X, y = self._validate_fit_data(X, y)
        problem = self._problem(X, y, sample_weight)
        settings = self._settings(X.shape[1])
        p = X.shape[1]
        max_support = min(100, p) if self.max_support_size is None else self.max_support_size
        gammas = gamma_values(self.penalty, self.gamma, self.num_gamma, self.gamma_max,
                              self.gamma_min, problem)
        points, grids = paths_over_gammas(problem, self.penalty, gammas, None, settings,
                                          algorithm=self.algorithm, num_lambda=self.num_lambda,
                                          max_support_size=max_support)
        self.path_ = assemble_path(problem, points)

        if isinstance(self.cv, Integral):
            splitter = KFold(self.cv, shuffle=True, random_state=self.random_state)
        else:
            splitter = check_cv(self.cv)
        folds = list(splitter.split(X, y))
        scores = cross_validate_path(X, y, problem, self.penalty, gammas, grids, settings,
                                     self.algorithm, folds, self.n_jobs, verbose=self.verbose)
        self.cv_means_ = scores.mean(axis=0)
        self.cv_sds_ = scores.std(axis=0, ddof=1) if len(folds) > 1 else np.zeros(scores.shape[1])
        self.best_index_ = select_cv_index(self.cv_means_, self.cv_sds_,
                                           self.path_.support_size, len(folds), self.selection)
        i = self.best_index_
        self.lambda_0_ = float(self.path_.lambda_0[i])
        self.gamma_ = float(self.path_.gamma[i])
        self.coef_ = self.path_.coef[:, i].toarray().ravel()
        self.intercept_ = float(self.path_.intercept[i])
        self.support_ = np.flatnonzero(self.coef_)
        self.objective_ = float(self.path_.objective[i])
        self.converged_ = bool(self.path_.converged[i])
        self.n_iter_ = int(self.path_.n_sweeps.sum())
        return self

