"""Sparse multi-task best-subset regression: :class:`MultiTaskL0Regressor`, :class:`MultiTaskL0RegressorCV`."""

import time
from itertools import product
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._shared.fitted import FitStateMixin, completes_fit
from .._shared.columns import constant_columns, warn_degenerate_columns
from .._shared.progress import Progress
from .._shared.validation import check_target
from .._shared.warn import warn_user
from ._solver import MultiTaskData, MultiTaskProblem, local_search, multi_start

_PARAMS = {
    "s": [Interval(Integral, 1, None, closed="left")],
    "lambda_1": [Interval(Real, 0, None, closed="left")],
    "lambda_2": [Interval(Real, 0, None, closed="left")],
    "lambda_z": [Interval(Real, 0, None, closed="left")],
    "common_support": ["boolean"],
    "scale": ["boolean"],
    "max_moves": [Interval(Integral, 0, None, closed="left")],
}


class _TaskSplit:
    """The tasks of one fit: per-task row indices (stacked data) or a shared design."""

    def __init__(self, labels, rows, shared):
        self.labels, self.rows, self.shared = labels, rows, shared


def _split_tasks(estimator, X, y, tasks, reset):
    """Validate (X, y, tasks) and return X (2-D), Y per task, and the task split."""
    per_task = (isinstance(X, (list, tuple)) and len(X) > 0
                and all(np.ndim(Xk) == 2 for Xk in X))  # a list of per-task designs
    if isinstance(X, (list, tuple)) and len(X) == 0:
        raise ValueError("X is empty.")
    if per_task:
        if tasks is not None:
            raise ValueError("give tasks either as a list of per-task arrays or as a `tasks` "
                             "array, not both.")
        if not isinstance(y, (list, tuple)) or len(y) != len(X):
            raise ValueError("with X as a list of per-task arrays, y must be a list of the same "
                             "length.")
        labels = np.arange(len(X))
        tasks = np.concatenate([np.full(len(np.asarray(yk)), k) for k, yk in enumerate(y)])
        X = np.vstack([np.asarray(Xk, dtype=np.float64) for Xk in X])
        y = np.concatenate([np.asarray(yk, dtype=np.float64).ravel() for yk in y])
    X, y = validate_data(estimator, X, y, reset=reset, dtype=np.float64, multi_output=True,
                         y_numeric=True, ensure_min_samples=2)
    if reset:
        warn_degenerate_columns(X, feature_names=getattr(estimator, "feature_names_in_", None))
    if y.ndim == 2 and y.shape[1] == 1 and tasks is None:
        y = y.ravel()
    if y.ndim == 2:
        if tasks is not None:
            raise ValueError("a 2-D y (one column per task on a shared X) takes no tasks array.")
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinity.")
        K = y.shape[1]
        return X, [y[:, k] for k in range(K)], _TaskSplit(np.arange(K), None, True)
    y = check_target(y, X.shape[0])
    if tasks is None:
        tasks = np.zeros(X.shape[0], dtype=int)
    tasks = np.asarray(tasks)
    if tasks.ndim != 1 or tasks.shape[0] != X.shape[0]:
        raise ValueError(f"tasks must be a 1-D array with one label per row ({X.shape[0]}); "
                         f"got shape {tasks.shape}.")
    if tasks.dtype.kind == "f" and np.isnan(tasks).any():
        raise ValueError("tasks contains NaN labels.")
    if pd.isna(tasks).any():
        raise ValueError("tasks contains missing labels.")
    labels, inverse = np.unique(tasks, return_inverse=True)
    rows = [np.flatnonzero(inverse == k) for k in range(labels.size)]
    for label, r in zip(labels, rows):
        if r.size < 2:
            raise ValueError(f"task {label!r} has {r.size} row(s); every task needs at least 2.")
    return X, [y[r] for r in rows], _TaskSplit(labels, rows, False)


def _task_designs(X, split):
    """Each task's design: the shared X itself, or its block of stacked rows."""
    if split.shared:
        return [X] * len(split.labels)
    return [X[r] for r in split.rows]


class MultiTaskL0Regressor(FitStateMixin, RegressorMixin, BaseEstimator):
    """Best-subset regression for K related tasks whose supports are shrunk toward each other.

    Solves (sMTL's objective; each task has its own rows, or all share one X)

    .. math::

        \\min_{b_0, B} \\sum_k \\Big[\\frac{1}{2n_k}\\|y_k - b_{0k} - X_k\\beta_k\\|^2
        + \\frac{\\lambda_1}{2}\\|\\beta_k\\|^2 + \\frac{\\lambda_2}{2}\\|\\beta_k - \\bar\\beta\\|^2
        + \\frac{\\lambda_z}{2}\\|z_k - \\bar z\\|^2\\Big]
        \\quad\\text{s.t. } \\|\\beta_k\\|_0 \\le s,

    with :math:`z_k` the support indicator of task :math:`k` and bars the means over
    tasks: ``lambda_1`` is a ridge, ``lambda_2`` ("Bbar") shrinks coefficient values
    toward the task mean, ``lambda_z`` ("Zbar") shrinks supports toward the mean
    support (large values give a common support), and ``common_support=True``
    forces one support for all tasks.  Intercepts are per task and unpenalised;
    with ``scale=True`` the penalties act on coefficients of columns scaled to unit
    (pooled) standard deviation, and ``coef_`` is returned on the original scale.

    ``algorithm="CDPSI"`` (the default) is the local search below;
    ``algorithm="BnB"`` starts from its solution and proves how close to optimal it is
    by branch and bound (``lower_bound_``, ``gap_``): node relaxations use the
    perspective of the ridge plus the smallest eigenvalue of each task's Gram matrix
    (no box on the coefficients is assumed), the Zbar term is bounded by its secant on
    each node's range of feature counts, and reduced costs fix binaries.  It needs
    ``lambda_1 > 0`` unless every task has more rows than features, and it stores
    ``K`` Gram matrices of size ``p x p``.

    Local search runs from two starts (a greedy common support and per-task
    greedy supports) and keeps the better result.  Every swap (one feature out,
    one in with its optimal coefficient, the rest fixed), addition (below ``s``)
    and removal in every task is evaluated in closed form, including the exact
    change of the Bbar and Zbar terms, as is the best "drop, refit the task, add"
    move per selected feature (which lets compensating coefficients adjust); the
    best improving move is applied and all coefficients are refitted exactly on
    their supports, until no move improves.  The result is swap-local optimal and
    converged on its supports.

    Parameters
    ----------
    s : int, default=5
        Maximum number of nonzero coefficients per task.
    lambda_1, lambda_2, lambda_z : float, default=0.0
        Ridge, value-sharing (Bbar) and support-sharing (Zbar) weights.
    common_support : bool, default=False
        Force one support shared by all tasks (moves act on all tasks at once).
    scale : bool, default=True
        Scale columns to unit pooled standard deviation before penalising.
    max_moves : int, default=10000
        Local-search budget (moves applied).
    algorithm : {"CDPSI", "BnB"}, default="CDPSI"
        Local search only, or local search followed by branch and bound.
    gap_tol : float, default=1e-4
        ``"BnB"``: stop once the relative gap ``(objective_ - lower_bound_) /
        objective_`` is at most this.
    time_limit : float or None, default=None
        ``"BnB"``: wall-clock seconds for the whole ``fit`` (local search included);
        the best solution found is returned with its certified gap.
    max_nodes : int or None, default=None
        ``"BnB"``: nodes relaxed, at most.
    verbose : bool, default=False
        ``"BnB"``: print the search's progress (nodes, incumbent, bound, gap, time).

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Coefficients of every task, original scale.
    intercept_ : ndarray of shape (n_tasks,)
        Intercept of every task.
    tasks_ : ndarray
        The task labels, in the row order of ``coef_``.
    supports_ : list of ndarray
        Nonzero features of each task.
    objective_ : float
        The objective on the scaled problem.
    n_iter_ : int
        Local-search moves applied.
    converged_ : bool
        False when ``max_moves`` stopped the search (``"BnB"``: when not proven optimal).
    lower_bound_, gap_, status_, termination_, n_nodes_, bnb_time_
        ``algorithm="BnB"`` only: certified lower bound on the optimal objective,
        relative gap, ``"optimal"``/``"feasible"``, why the search stopped
        (``"gap_reached"``, ``"queue_empty"``, ``"time_limit"``, ``"node_limit"``), nodes
        relaxed, seconds in branch and bound.
    bnb_log_ : list of dict
        ``algorithm="BnB"`` only: progress rows (nodes, open, incumbent, bound, gap,
        seconds since ``fit`` began).
    n_features_in_, feature_names_in_
        Features seen in ``fit`` (names when ``X`` has string column names).

    Examples
    --------
    >>> from l0learn import MultiTaskL0Regressor
    >>> from l0learn.datasets import make_multitask_regression
    >>> X, y, tasks, coef, _ = make_multitask_regression(100, 60, 3, shared_design=False,
    ...                                                  random_state=0)
    >>> model = MultiTaskL0Regressor(s=12, lambda_z=0.05).fit(X, y, tasks=tasks)
    >>> model.coef_.shape
    (3, 60)

    A certificate: branch and bound proves the local search's solution optimal.

    >>> exact = MultiTaskL0Regressor(s=4, lambda_1=1e-2, lambda_z=0.05, algorithm="BnB")
    >>> exact = exact.fit(X[:, :20], y, tasks=tasks)
    >>> exact.status_, exact.gap_ <= 1e-4
    ('optimal', True)
    """

    _parameter_constraints = {
        **_PARAMS,
        "algorithm": [StrOptions({"CDPSI", "BnB"})],
        "gap_tol": [Interval(Real, 0, None, closed="left")],
        "time_limit": [Interval(Real, 0, None, closed="neither"), None],
        "max_nodes": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
    }

    def __init__(self, s=5, *, lambda_1=0.0, lambda_2=0.0, lambda_z=0.0, common_support=False,
                 scale=True, max_moves=10000, algorithm="CDPSI", gap_tol=1e-4, time_limit=None,
                 max_nodes=None, verbose=False):
        self.s = s
        self.lambda_1 = lambda_1
        self.lambda_2 = lambda_2
        self.lambda_z = lambda_z
        self.common_support = common_support
        self.scale = scale
        self.max_moves = max_moves
        self.algorithm = algorithm
        self.gap_tol = gap_tol
        self.time_limit = time_limit
        self.max_nodes = max_nodes
        self.verbose = verbose

    def _column_scale(self, X):
        if not self.scale:
            return np.ones(X.shape[1])
        sd = X.std(axis=0)
        # relative to each column's magnitude: rescaling X must not change the fit
        sd[constant_columns(X)] = 1.0
        return sd

    def _scaled_tasks(self, task_X, task_y, rows=None):
        """Per-task data restricted to ``rows`` (per-task index arrays), columns scaled."""
        if rows is None:
            rows = [np.arange(yk.shape[0]) for yk in task_y]
        Xs = [Xk[r] for Xk, r in zip(task_X, rows)]
        shared = all(Xk is task_X[0] for Xk in task_X)
        sd = self._column_scale(Xs[0] if shared else np.vstack(Xs))
        return MultiTaskData([Xk / sd for Xk in Xs], [yk[r] for yk, r in zip(task_y, rows)]), sd

    def _problem(self, data):
        return MultiTaskProblem(data, self.s, self.lambda_1, self.lambda_2, self.lambda_z,
                                self.common_support)

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y, tasks=None):
        """Fit all tasks.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or list of per-task arrays
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or list of arrays
            A 2-D ``y`` is the multi-label case: one shared ``X``, a column per task.
        tasks : array-like of shape (n_samples,), default=None
            Task label of every row (stacked data).  ``None`` with a 1-D ``y``: one task.
        """
        started = time.perf_counter()  # time_limit covers the whole fit
        X, Ys, split = _split_tasks(self, X, y, tasks, reset=True)
        data, sd = self._scaled_tasks(_task_designs(X, split), Ys)
        if self.algorithm == "BnB":
            self._check_exact(data)
        B = self._solve(data, np.zeros((data.K, data.p)))
        if self.algorithm == "BnB":
            B = self._certify(data, B, started)
        self._store(data, sd, split, B)
        return self

    def _check_exact(self, data):
        """Refuse what the exact solver cannot bound, before any work."""
        too_few = [k for k in range(data.K) if data.n[k] <= data.p]
        if self.lambda_1 == 0.0 and too_few:
            raise ValueError(
                f"algorithm='BnB' needs lambda_1 > 0 here: task(s) {too_few[:5]} have no more "
                f"rows than features ({data.p}), so nothing bounds their coefficients.")
        size = data.K * data.p ** 2 * 8
        if size > 4 * 2 ** 30:
            raise ValueError(f"algorithm='BnB' stores {data.K} Gram matrices of {data.p} x "
                             f"{data.p} ({size / 2 ** 30:.1f} GiB); use fewer features "
                             "(screen them first) or algorithm='CDPSI'.")

    def _certify(self, data, B, started):
        """Branch and bound from the local-search solution; sets the certificate attributes."""
        from ._exact import solve_multitask_exact

        problem = self._problem(data)
        deadline = None if self.time_limit is None else started + self.time_limit
        offset = time.perf_counter() - started
        B, result, _ = solve_multitask_exact(problem, B, gap_tol=self.gap_tol, deadline=deadline,
                                             max_nodes=self.max_nodes, verbose=self.verbose)
        self.objective_ = float(result.objective)
        self.lower_bound_ = float(result.lower_bound)
        self.gap_ = float(result.rel_gap)
        self.status_ = result.status.value
        self.termination_ = result.termination.value
        self.n_nodes_ = int(result.n_nodes)
        self.bnb_time_ = float(result.time)
        self.bnb_log_ = [dict(row, time=row["time"] + offset) for row in result.log]
        self.converged_ = self.status_ == "optimal"
        if not self.converged_:
            warn_user(f"Branch and bound stopped ({result.termination.value}) with a relative "
                      f"gap of {result.rel_gap:.3g}; the solution is the best found.",
                      ConvergenceWarning)
        return B

    def _solve(self, data, B):
        problem = self._problem(data)
        if np.any(B):
            self.n_iter_ = local_search(problem, B, max_moves=self.max_moves)
        else:
            B, self.n_iter_ = multi_start(problem, max_moves=self.max_moves)
        self.converged_ = self.n_iter_ < self.max_moves
        self.objective_ = problem.objective(B)
        return B

    def _store(self, data, sd, split, B):
        self.coef_ = B / sd[None, :]
        self.intercept_ = np.array([data.y_mean[k] - data.x_mean[k] @ B[k]
                                    for k in range(data.K)])
        self.tasks_ = split.labels
        self.n_tasks_ = data.K
        self.supports_ = [np.flatnonzero(row) for row in self.coef_]
        self._shared = split.shared

    def predict(self, X, tasks=None):
        """Predictions: per row for its task (``tasks`` given), else one column per task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        tasks : array-like of shape (n_samples,), default=None
            Task labels (as in ``tasks_``).  ``None``: an (n_samples, n_tasks) array of
            every task's prediction (a 1-D array when there is one task).
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        if tasks is None:
            out = X @ self.coef_.T + self.intercept_[None, :]
            return out.ravel() if self.n_tasks_ == 1 else out
        tasks = np.asarray(tasks)
        if tasks.shape != (X.shape[0],):
            raise ValueError(f"tasks must have one label per row ({X.shape[0]}); got shape "
                             f"{tasks.shape}.")
        index = np.searchsorted(self.tasks_, tasks)
        index = np.minimum(index, self.n_tasks_ - 1)
        unknown = self.tasks_[index] != tasks
        if np.any(unknown):
            raise ValueError(f"unknown task label(s) {np.unique(tasks[unknown]).tolist()}; the "
                             f"fitted tasks are {self.tasks_.tolist()}.")
        return np.einsum("ij,ij->i", X, self.coef_[index]) + self.intercept_[index]

    def score(self, X, y, tasks=None, sample_weight=None):
        """R² of :meth:`predict` (averaged over tasks for a 2-D ``y``)."""
        from sklearn.metrics import r2_score
        return r2_score(y, self.predict(X, tasks), sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class MultiTaskL0RegressorCV(MultiTaskL0Regressor):
    """:class:`MultiTaskL0Regressor` with (s, lambda_z, lambda_1, lambda_2) chosen by task-stratified CV.

    Ten folds by default, as in sMTL's studies: with few rows per task, fold fits
    on 80 % of them are much harder than the final fit.  Every fold keeps each
    task's share of rows (``StratifiedKFold`` on the task
    labels; plain ``KFold`` on rows for a shared ``X``).  For each ``s`` and
    ``(lambda_1, lambda_2)`` the ``lambda_z`` values are fitted in increasing order
    with warm starts.  The score is sMTL's: the mean over tasks of the per-task
    held-out RMSE; the lowest mean over folds wins and is refitted on all rows.

    Parameters
    ----------
    s_values : sequence of int, default=(5, 10, 15)
        Candidate support sizes.
    lambda_z_values : sequence of float, default=(0, 1e-3, 1e-2, 0.1, 1)
        Candidate support-sharing weights (fitted as a warm-started path).
    lambda_1_values : sequence of float, default=(1e-3,)
        Candidate ridge weights.
    lambda_2_values : sequence of float, default=(0,)
        Candidate value-sharing weights.
    cv : int, default=10
        Folds (task-stratified when tasks have their own rows).
    common_support, scale, max_moves
        As for :class:`MultiTaskL0Regressor`.
    random_state : int or None, default=None
        Shuffling of the folds.
    verbose : bool, default=False
        Report each finished fold and the time left (a tqdm bar when tqdm is installed).

    Attributes
    ----------
    cv_results_ : pandas.DataFrame
        One row per grid point: parameters, mean and standard deviation of the score.
    best_params_ : dict
        The chosen ``s``, ``lambda_z``, ``lambda_1`` and ``lambda_2``.
    s_, lambda_1_, lambda_2_, lambda_z_ : int, float, float, float
        The chosen values, one attribute each.


    Notes
    -----
    Every attribute of :class:`MultiTaskL0Regressor` is set too, for the refit.

    Examples
    --------
    >>> from l0learn import MultiTaskL0RegressorCV
    >>> from l0learn.datasets import make_multitask_regression
    >>> X, y, tasks, coef, _ = make_multitask_regression(60, 40, 2, shared_design=False,
    ...                                                  random_state=0)
    >>> cv = MultiTaskL0RegressorCV(s_values=(8, 12), lambda_z_values=(0.0, 0.1), cv=3)
    >>> cv.fit(X, y, tasks=tasks).best_params_["s"] in (8, 12)
    True
    """

    _parameter_constraints = {
        **{k: v for k, v in _PARAMS.items() if k not in ("s", "lambda_1", "lambda_2",
                                                          "lambda_z")},
        "s_values": ["array-like"],
        "lambda_z_values": ["array-like"],
        "lambda_1_values": ["array-like"],
        "lambda_2_values": ["array-like"],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, *, s_values=(5, 10, 15), lambda_z_values=(0.0, 1e-3, 1e-2, 0.1, 1.0),
                 lambda_1_values=(1e-3,), lambda_2_values=(0.0,), cv=10, common_support=False,
                 scale=True, max_moves=10000, random_state=None, verbose=False):
        self.verbose = verbose
        self.s_values = s_values
        self.lambda_z_values = lambda_z_values
        self.lambda_1_values = lambda_1_values
        self.lambda_2_values = lambda_2_values
        self.cv = cv
        self.common_support = common_support
        self.scale = scale
        self.max_moves = max_moves
        self.random_state = random_state

    def _grid(self):
        s_vals = sorted({int(v) for v in np.ravel(self.s_values)})
        z_vals = sorted({float(v) for v in np.ravel(self.lambda_z_values)})
        l1 = [float(v) for v in np.ravel(self.lambda_1_values)]
        l2 = [float(v) for v in np.ravel(self.lambda_2_values)]
        if not s_vals or not z_vals or not l1 or not l2:
            raise ValueError("every grid (s_values, lambda_*_values) needs at least one value.")
        if min(s_vals) < 1 or min(z_vals + l1 + l2) < 0:
            raise ValueError("s_values must be >= 1 and lambda values >= 0.")
        return s_vals, z_vals, l1, l2

    def _path(self, data, s_vals, z_vals, l1, l2):
        """Objective-free sweep: yields ((s, l1, l2, lz), coef on the scaled problem)."""
        for s, a, b in product(s_vals, l1, l2):
            B = None
            for lz in z_vals:
                problem = MultiTaskProblem(data, s, a, b, lz, self.common_support)
                if B is None:
                    B, _ = multi_start(problem, max_moves=self.max_moves)
                else:
                    local_search(problem, B, max_moves=self.max_moves)
                yield (s, a, b, lz), B.copy()

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y, tasks=None):
        """Cross-validate the grid and refit the best point on all rows."""
        X, Ys, split = _split_tasks(self, X, y, tasks, reset=True)
        s_vals, z_vals, l1, l2 = self._grid()
        if split.shared:
            folds = list(KFold(self.cv, shuffle=True, random_state=self.random_state).split(X))
            fold_rows = [([train] * len(Ys), [test] * len(Ys)) for train, test in folds]
        else:
            labels = np.empty(X.shape[0], dtype=int)
            for k, r in enumerate(split.rows):
                labels[r] = k
            if min(r.size for r in split.rows) < self.cv:
                raise ValueError(f"every task needs at least cv={self.cv} rows for task-stratified "
                                 "folds.")
            folds = list(StratifiedKFold(self.cv, shuffle=True,
                                         random_state=self.random_state).split(X, labels))
            # per-task positions (indices into each task's own rows)
            fold_rows = []
            for train, test in folds:
                fold_rows.append(([np.flatnonzero(np.isin(r, train)) for r in split.rows],
                                  [np.flatnonzero(np.isin(r, test)) for r in split.rows]))
        task_X = _task_designs(X, split)
        scores = {}
        progress = Progress(len(fold_rows), "folds", self.verbose)
        for train_rows, test_rows in fold_rows:
            data, sd = self._scaled_tasks(task_X, Ys, train_rows)
            for key, B in self._path(data, s_vals, z_vals, l1, l2):
                coef = B / sd[None, :]
                rmse = []
                for k in range(data.K):
                    rows = test_rows[k]
                    if rows.size == 0:
                        continue
                    b0 = data.y_mean[k] - (data.x_mean[k] * sd) @ coef[k]
                    pred = task_X[k][rows] @ coef[k] + b0
                    rmse.append(np.sqrt(np.mean((Ys[k][rows] - pred) ** 2)))
                scores.setdefault(key, []).append(float(np.mean(rmse)))
            progress.update()
        progress.close()
        rows = [(s, lz, a, b, np.mean(v), np.std(v)) for (s, a, b, lz), v in scores.items()]
        self.cv_results_ = pd.DataFrame(rows, columns=["s", "lambda_z", "lambda_1", "lambda_2",
                                                       "mean_rmse", "sd_rmse"])
        best = self.cv_results_.loc[self.cv_results_["mean_rmse"].idxmin()]
        self.s_, self.lambda_z_ = int(best.s), float(best.lambda_z)
        self.lambda_1_, self.lambda_2_ = float(best.lambda_1), float(best.lambda_2)
        self.best_params_ = {"s": self.s_, "lambda_z": self.lambda_z_,
                             "lambda_1": self.lambda_1_, "lambda_2": self.lambda_2_}
        data, sd = self._scaled_tasks(task_X, Ys)
        B = None
        for lz in [v for v in z_vals if v <= self.lambda_z_]:  # the same warm-start path
            problem = MultiTaskProblem(data, self.s_, self.lambda_1_, self.lambda_2_, lz,
                                       self.common_support)
            if B is None:
                B, self.n_iter_ = multi_start(problem, max_moves=self.max_moves)
            else:
                self.n_iter_ = local_search(problem, B, max_moves=self.max_moves)
        self.converged_ = self.n_iter_ < self.max_moves
        self.objective_ = problem.objective(B)
        self._store(data, sd, split, B)
        return self
