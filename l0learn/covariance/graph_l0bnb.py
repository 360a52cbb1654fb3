"""Sparse Gaussian graphical models by l0-penalised pseudolikelihood: GraphL0BnB.

The precision matrix ``Theta`` minimises (``S`` the sample covariance)::

    F(Theta) = sum_i [ -log theta_ii + theta_i' S theta_i / theta_ii ]
               + lambda_0 #{edges} + lambda_2 sum_{i<j} theta_ij^2,   |theta_ij| <= big_m,

the Gaussian (Besag) pseudolikelihood: node ``i`` given the others is
``N(-sum_j theta_ij x_j / theta_ii, 1 / theta_ii)``, so ``theta_i' S theta_i /
theta_ii - log theta_ii`` is twice its average negative log-likelihood (constants
dropped).  ``Theta`` is symmetric by construction (one variable per pair), the
diagonal is unpenalised, and ``Theta`` is not constrained to be positive definite.
"""

import numbers
import time

import numpy as np
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning
from sklearn.base import BaseEstimator
from sklearn.model_selection import check_cv
from sklearn.utils.validation import check_is_fitted, validate_data

from .._shared.fitted import FitStateMixin, completes_fit
from .._shared.progress import Progress
from .._shared.warn import warn_user
from ._solver import GraphState, lambda_0_max, primal_solve, pseudo_log_likelihood

_ALGORITHMS = ("CD", "CDPSI", "BnB")


def _check_positive(value, name, *, allow_zero=True, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number; got {value!r}.")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}; got {value!r}.")
    return float(value)


def _centred_covariance(X, assume_centered):
    """``(location, S, constant)``: the mean (or 0), the covariance with divisor n, and
    the columns whose variance is zero relative to the largest one."""
    location = np.zeros(X.shape[1]) if assume_centered else X.mean(axis=0)
    Xc = X - location
    S = np.ascontiguousarray(Xc.T @ Xc / X.shape[0])
    scale = max(float(np.max(np.diag(S))), np.finfo(float).tiny)
    return location, S, np.flatnonzero(np.diag(S) <= 1e-12 * scale)


# Variances the arithmetic supports: Theta ~ 1 / variance enters squared (ridge, H = Theta S).
_MIN_VARIANCE, _MAX_VARIANCE = 1e-100, 1e100


def _covariance(estimator, X, reset=True):
    """Validated data, its location and its covariance (divisor n), with clear errors."""
    X = validate_data(estimator, X, reset=reset, dtype=np.float64, ensure_min_samples=2)
    location, S, constant = _centred_covariance(X, estimator.assume_centered)
    if constant.size:
        names = _names(estimator, constant)
        raise ValueError(f"X has constant columns {names}: their conditional variance is 0 "
                         "and the pseudolikelihood is unbounded. Remove them.")
    var = np.diag(S)
    extreme = np.flatnonzero((var < _MIN_VARIANCE) | (var > _MAX_VARIANCE))
    if extreme.size:
        names = _names(estimator, extreme[:5])
        raise ValueError(
            f"X has columns {names} with variance {var[extreme[0]]:.3g}, outside "
            f"[{_MIN_VARIANCE:g}, {_MAX_VARIANCE:g}]: the precision matrix (their inverse) and "
            "its square overflow or underflow in double precision. Rescale X, e.g. with "
            "sklearn.preprocessing.StandardScaler (lambda_2 acts on the precision's scale).")
    d = np.sqrt(var)
    corr = S / np.outer(d, d)
    np.fill_diagonal(corr, 0.0)
    dup_i, dup_j = np.nonzero(np.triu(np.abs(corr) > 1.0 - 1e-10, 1))
    if dup_i.size:
        pairs = ", ".join(f"({a}, {b})" for a, b in zip(_names(estimator, dup_i)[:5],
                                                         _names(estimator, dup_j)[:5]))
        warn_user(f"X has perfectly correlated columns {pairs}: their edges sit at the "
                      "box / ridge limit.", UserWarning)
    return X, location, S


def _names(estimator, idx):
    names = getattr(estimator, "feature_names_in_", None)
    return [str(names[i]) if names is not None else int(i) for i in idx]


class GraphL0BnB(FitStateMixin, BaseEstimator):
    """Sparse precision matrix by l0l2-penalised Gaussian pseudolikelihood.

    Parameters
    ----------
    lambda_0 : float, default=0.04
        Price of one edge (undirected pair ``theta_ij = theta_ji != 0``).  The
        objective is on the scale of the data: standardise the columns first
        (``StandardScaler`` in a pipeline) to use the same ``lambda_0`` across data sets.
    lambda_2 : float, default=0.01
        Ridge on the off-diagonal entries.  Larger values shrink the edges but make
        the branch-and-bound relaxation (and so the certificate) much tighter.
    big_m : float or None, default=None
        Box ``|theta_ij| <= big_m`` on off-diagonal entries.  ``None``: no box
        (then ``lambda_2 > 0`` is required unless the covariance is nonsingular,
        and ``algorithm="BnB"`` certifies the unconstrained problem).
    algorithm : {"CDPSI", "CD", "BnB"}, default="CDPSI"
        ``"CD"``: coordinate descent over an active set of pairs with screening of
        every pair (a coordinate-wise minimum); ``"CDPSI"``: CD plus row-wise swap
        local search; ``"BnB"``: branch and bound started from the CDPSI solution,
        with a lower bound and gap (see :mod:`l0learn.covariance._exact`).  How fast the gap
        closes depends on the relaxation's strength: it grows with ``lambda_2`` and
        with ``lambda_min(S)`` (well-conditioned data, ``n`` well above ``p``).
    assume_centered : bool, default=False
        Use the data as centred (``location_`` = 0).
    max_iter : int, default=100
        Rounds of "CD on the active set, then screen all pairs".
    max_swaps : int, default=10
        Swap passes (``"CDPSI"`` and the BnB heuristic).
    tol : float, default=1e-9
        Relative tolerance of CD and of the screening test.
    gap_tol : float, default=1e-2
        BnB: stop once ``(upper - lower) / max(|upper|, 1) <= gap_tol``.
    time_limit : float, default=60.0
        BnB: wall-clock seconds for the whole ``fit`` (covariance, CDPSI warm start and
        search); the best solution found is returned with its gap and a
        ``ConvergenceWarning``.
    max_nodes : int or None, default=None
        BnB: node limit.
    verbose : bool, default=False
        BnB: print the progress log.

    Attributes
    ----------
    precision_ : ndarray of shape (n_features, n_features)
        The estimated precision matrix (symmetric; zeros are absent edges).
    location_ : ndarray of shape (n_features,)
        Column means used to centre ``X`` (zeros with ``assume_centered``).
    adjacency_ : ndarray of bool, shape (n_features, n_features)
        ``theta_ij != 0`` off the diagonal.
    edges_ : ndarray of shape (n_edges, 2)
        The pairs ``(i, j)``, ``i < j``.
    n_edges_ : int
        Number of edges (nonzero off-diagonal pairs).
    partial_correlations_ : ndarray of shape (n_features, n_features)
        ``-theta_ij / sqrt(theta_ii theta_jj)`` (unit diagonal).
    objective_ : float
        ``F(precision_)``.
    n_iter_ : int
        Coordinate-descent sweeps of the final fit.
    converged_ : bool
        Heuristics: the solution is coordinate-wise optimal (and, for ``"CDPSI"``,
        no improving row swap was left within ``max_swaps``).  BnB: the gap was closed.
    lower_bound_, gap_, status_, n_nodes_, big_m_, relaxation_ : BnB only
        Lower bound on the optimal objective, relative gap, ``"optimal"`` or
        ``"feasible"`` (a limit was hit), nodes relaxed, the box used in the tree
        (``inf``: none; smaller than ``big_m`` when the certified bound of
        :mod:`l0learn.covariance._exact` tightened it), and the node relaxation used:
        ``"hull"`` (diagonal-aware, much tighter; needs a nonsingular covariance and is
        chosen at the root when it pays) or ``"perspective"``.
    bnb_log_ : list of dict
        BnB progress rows (nodes, open, incumbent, bound, gap, time).
    n_features_in_ : int
        Number of variables seen in ``fit``.
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.

    Examples
    --------
    >>> from l0learn import GraphL0BnB
    >>> from l0learn.datasets import make_graphical_model
    >>> X, theta = make_graphical_model(400, 50, design="banded", seed=0)
    >>> model = GraphL0BnB(lambda_0=0.04).fit(X)
    >>> model.precision_.shape
    (50, 50)
    """

    def __init__(self, lambda_0=0.04, *, lambda_2=0.01, big_m=None, algorithm="CDPSI",
                 assume_centered=False, max_iter=100, max_swaps=10, tol=1e-9, gap_tol=1e-2,
                 time_limit=60.0, max_nodes=None, verbose=False):
        self.lambda_0 = lambda_0
        self.lambda_2 = lambda_2
        self.big_m = big_m
        self.algorithm = algorithm
        self.assume_centered = assume_centered
        self.max_iter = max_iter
        self.max_swaps = max_swaps
        self.tol = tol
        self.gap_tol = gap_tol
        self.time_limit = time_limit
        self.max_nodes = max_nodes
        self.verbose = verbose

    # -- validation --------------------------------------------------------------------
    def _check_params(self, lambda_0):
        if self.algorithm not in _ALGORITHMS:
            raise ValueError(f"algorithm must be one of {_ALGORITHMS}; got {self.algorithm!r}.")
        lam0 = _check_positive(lambda_0, "lambda_0")
        lam2 = _check_positive(self.lambda_2, "lambda_2")
        big_m = _check_positive(self.big_m, "big_m", allow_zero=False, allow_none=True)
        for name in ("max_iter", "max_swaps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < (
                    1 if name == "max_iter" else 0):
                raise ValueError(f"{name} must be a {'positive' if name == 'max_iter' else 'non-negative'}"
                                 f" integer; got {value!r}.")
        _check_positive(self.tol, "tol", allow_zero=False)
        _check_positive(self.gap_tol, "gap_tol")
        if self.time_limit is not None:
            _check_positive(self.time_limit, "time_limit", allow_zero=False)
        if self.max_nodes is not None and (isinstance(self.max_nodes, bool) or not isinstance(
                self.max_nodes, numbers.Integral) or self.max_nodes < 1):
            raise ValueError(f"max_nodes must be a positive integer or None; got {self.max_nodes!r}.")
        if self.algorithm == "BnB" and big_m is None and lam2 == 0.0:
            raise ValueError("algorithm='BnB' needs lambda_2 > 0 or a finite big_m.")
        return lam0, lam2, big_m

    @staticmethod
    def _check_bounded(S, lam2, big_m):
        """Without ridge or box the pseudolikelihood is unbounded on a singular S."""
        if lam2 == 0.0 and big_m is None and S.shape[0] > 1:
            evals = np.linalg.eigvalsh(S)
            if evals[0] <= 1e-10 * evals[-1]:
                raise ValueError(
                    "the sample covariance is singular (n_samples <= n_features or collinear "
                    "columns): with lambda_2 = 0 and no big_m the pseudolikelihood is "
                    "unbounded. Set lambda_2 > 0 or big_m.")

    # -- fitting -------------------------------------------------------------------------
    @completes_fit
    def fit(self, X, y=None):
        """Estimate the sparse precision matrix of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        started = time.perf_counter()  # time_limit covers the whole fit
        lam0, lam2, big_m = self._check_params(self.lambda_0)
        deadline = self._deadline(started)
        X, location, S = _covariance(self, X)
        self._check_bounded(S, lam2, big_m)
        box = np.inf if big_m is None else big_m
        res = primal_solve(S, lam0, lam2, box, swaps=self.algorithm != "CD",
                           max_iter=self.max_iter, max_swaps=self.max_swaps, tol=self.tol,
                           deadline=deadline, X=X - location)
        self._finish(S, location, res, lam0, lam2, big_m, deadline)
        return self

    def _deadline(self, started):
        if self.algorithm == "BnB" and self.time_limit is not None:
            return started + self.time_limit
        return np.inf

    def _finish(self, S, location, res, lam0, lam2, big_m, deadline=np.inf):
        """Store a heuristic solution, after certifying it when ``algorithm="BnB"``."""
        theta, value = res.state.theta, res.objective
        self.n_iter_ = res.n_iter
        self.converged_ = bool(res.converged)
        if self.algorithm == "BnB" and S.shape[0] == 1:  # no pairs: the diagonal is exact
            self.lower_bound_, self.gap_, self.status_ = float(value), 0.0, "optimal"
            self.n_nodes_, self.big_m_, self.bnb_log_ = 0, float(big_m or np.inf), []
            self.relaxation_ = "none"
        elif self.algorithm == "BnB":
            from ._exact import solve_graph_exact

            theta, result, problem = solve_graph_exact(
                S, lam0, lam2, big_m=big_m, start=theta, gap_tol=self.gap_tol,
                deadline=None if deadline == np.inf else deadline, max_nodes=self.max_nodes,
                verbose=self.verbose, max_swaps=self.max_swaps)
            value = float(result.objective)
            self.lower_bound_ = float(result.lower_bound)
            self.gap_ = float(result.rel_gap)
            self.status_ = result.status.value
            self.n_nodes_ = int(result.n_nodes)
            self.big_m_ = float(problem.big_m)
            self.relaxation_ = "hull" if problem.hull else "perspective"
            self.bnb_log_ = result.log
            self.converged_ = self.status_ == "optimal"
            if not self.converged_:
                warn_user(f"Branch and bound stopped ({result.termination.value}) with a "
                              f"relative gap of {result.rel_gap:.3g}; the graph is the best "
                              "found.", ConvergenceWarning)
        self._store(theta, location, value)

    def _store(self, theta, location, value):
        theta = np.array(theta, dtype=float)
        self.location_ = location
        self.precision_ = theta
        adjacency = theta != 0.0
        np.fill_diagonal(adjacency, False)
        self.adjacency_ = adjacency
        self.edges_ = np.argwhere(np.triu(adjacency, 1))
        self.n_edges_ = int(self.edges_.shape[0])
        d = np.sqrt(np.diag(theta))
        pcor = -theta / np.outer(d, d)
        np.fill_diagonal(pcor, 1.0)
        self.partial_correlations_ = pcor
        self.objective_ = float(value)

    def score(self, X, y=None):
        """Mean Gaussian pseudo-log-likelihood of the rows of ``X`` (higher is better).

        ``sum_i log N(x_i | -sum_{j != i} theta_ij x_j / theta_ii, 1 / theta_ii)``
        per row, with ``X`` centred at ``location_``.  This is the held-out criterion
        of :class:`GraphL0BnBCV` and what ``GridSearchCV`` maximises by default.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return pseudo_log_likelihood(X - self.location_, self.precision_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


class GraphL0BnBCV(GraphL0BnB):
    """GraphL0BnB with ``lambda_0`` chosen by cross-validated pseudolikelihood.

    Each fold fits a warm-started path over ``lambda_0`` (largest first) and scores
    the held-out rows with :meth:`GraphL0BnB.score`; the ``lambda_0`` with the best
    mean score, re-expressed for the full sample size (see ``sample_size_correction``),
    is refitted on all the data along the same warm-started path.

    Why held-out pseudolikelihood: it is the fitted criterion itself, so it needs no
    positive-definite ``Theta`` (the Gaussian likelihood does) and no degrees-of-
    freedom formula for an l0-selected graph (BIC/EBIC need one); it measures how
    well each node is predicted from its neighbours.  Like any predictive criterion
    it leans towards slightly denser graphs than the true one.

    Parameters
    ----------
    lambda_0s : array-like or None, default=None
        Grid (sorted decreasing); by default ``n_lambda`` values log-spaced from
        the smallest ``lambda_0`` giving the empty graph down to ``lambda_min_ratio``
        times it.
    n_lambda : int, default=20
        Length of the automatic ``lambda_0`` grid.
    lambda_min_ratio : float, default=0.05
        Smallest grid value relative to the largest (the empty graph's).
    cv : int, cross-validation generator or iterable, default=5
        Folds (an int means ``KFold``) or a splitter.
    sample_size_correction : bool, default=True
        Multiply the best grid value by ``n_train / n`` (mean training-fold size over
        the number of rows) before the refit.  Why: the objective is an average over
        rows, so the loss decrease a spurious edge buys by fitting noise shrinks like
        ``1 / n``, and the edge price that separates signal from noise shrinks with
        it; the folds choose the price for ``n_train`` rows, the refit uses ``n``.
        Without it the refit is sparser than the folds' best (on the banded design of
        ``benchmarks/bench_graph.py cv``, p = 200, n = 400, it keeps 75 % of the true
        edges).  The effect on edge recovery depends on the graph: over five seeds it
        raised the MCC on banded designs (many weak edges; +0.009 at p = 200, +0.04
        at p = 60, n = 200) and lowered it on uniform ones (few strong edges; -0.002
        to -0.019).  ``False``: refit at the grid value itself.
    patience : int or None, default=5
        A fold stops its path once this many consecutive grid points scored below
        the best it has seen (the denser end of the path is the expensive one, and
        held-out pseudolikelihood rarely recovers once it has fallen that long:
        at n = 20, p = 2000 the best is the sparsest point and the rest of the path
        cost 95 % of the time).  Grid points a fold did not fit cannot be chosen.
        ``None``: every fold fits the whole grid.
    lambda_2, big_m, algorithm, assume_centered, max_iter, max_swaps, tol
        As in :class:`GraphL0BnB` (``algorithm`` is ``"CD"`` or ``"CDPSI"`` on the
        folds; ``"BnB"`` certifies the final refit only).
    gap_tol, time_limit, max_nodes
        The final refit when ``algorithm="BnB"``.
    verbose : bool, default=False
        Report each finished fold, and the refit's branch-and-bound log.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib (any backend, e.g. Dask's).

    Attributes
    ----------
    lambda_0_ : float
        The edge price of the refit: ``lambda_0s_[best_index_]``, times
        ``n_train / n`` with ``sample_size_correction``.
    best_index_ : int
        Grid position of the best mean held-out score.
    lambda_0s_ : ndarray
        The grid (decreasing).
    cv_results_ : dict
        ``lambda_0``, ``mean_test_score``, ``std_test_score``, ``split{k}_test_score``,
        ``mean_n_edges`` (over folds); NaN where a fold stopped early (``patience``).
    path_n_edges_ : ndarray
        Edges of the full-data path at each grid value above ``lambda_0_``, then at
        ``lambda_0_``.


    Notes
    -----
    Every attribute of :class:`GraphL0BnB` is set too, for the refit.

    Examples
    --------
    >>> from l0learn import GraphL0BnBCV
    >>> from l0learn.datasets import make_graphical_model
    >>> X, theta = make_graphical_model(200, 10, design="banded", cond=5.0, seed=0)
    >>> cv = GraphL0BnBCV(n_lambda=5, cv=3).fit(X)
    >>> cv.precision_.shape
    (10, 10)
    """

    def __init__(self, lambda_0s=None, *, n_lambda=20, lambda_min_ratio=0.05, cv=5,
                 sample_size_correction=True, patience=5, lambda_2=0.01, big_m=None,
                 algorithm="CDPSI", assume_centered=False, max_iter=100, max_swaps=10, tol=1e-9, gap_tol=1e-2, time_limit=60.0,
                 max_nodes=None, verbose=False, n_jobs=None):
        self.n_jobs = n_jobs
        self.lambda_2 = lambda_2
        self.big_m = big_m
        self.algorithm = algorithm
        self.assume_centered = assume_centered
        self.max_iter = max_iter
        self.max_swaps = max_swaps
        self.tol = tol
        self.gap_tol = gap_tol
        self.time_limit = time_limit
        self.max_nodes = max_nodes
        self.verbose = verbose
        self.lambda_0s = lambda_0s
        self.n_lambda = n_lambda
        self.lambda_min_ratio = lambda_min_ratio
        self.cv = cv
        self.sample_size_correction = sample_size_correction
        self.patience = patience

    def _grid(self, S, lam2, big_m):
        if self.lambda_0s is not None:
            grid = np.sort(np.asarray(self.lambda_0s, dtype=float).ravel())[::-1]
            if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
                raise ValueError("lambda_0s must be a non-empty list of finite values >= 0.")
            return grid
        if (isinstance(self.n_lambda, bool) or not isinstance(self.n_lambda, numbers.Integral)
                or self.n_lambda < 1):
            raise ValueError(f"n_lambda must be a positive integer; got {self.n_lambda!r}.")
        ratio = _check_positive(self.lambda_min_ratio, "lambda_min_ratio", allow_zero=False)
        if ratio >= 1:
            raise ValueError(f"lambda_min_ratio must be < 1; got {ratio!r}.")
        top = lambda_0_max(S, lam2, np.inf if big_m is None else big_m)
        if top <= 0:
            return np.array([0.0])
        return top * np.logspace(0, np.log10(ratio), self.n_lambda)

    def _path(self, S, grid, lam2, box, X_centred):
        state = GraphState.empty(S)
        for lam0 in grid:
            res = primal_solve(S, lam0, lam2, box, state, swaps=self.algorithm != "CD",
                               max_iter=self.max_iter, max_swaps=self.max_swaps, tol=self.tol,
                               X=X_centred)
            yield lam0, res

    def _fold(self, X_train, X_test, grid, lam2, box):
        """Held-out score and edge count of every grid point, the path fitted on ``X_train``."""
        mean, S_k, constant = _centred_covariance(X_train, self.assume_centered)
        if constant.size:
            raise ValueError("a cross-validation fold has a constant column; use fewer "
                             "folds or remove near-constant columns.")
        scores, edges = np.full(grid.size, np.nan), np.full(grid.size, np.nan)
        below = 0  # consecutive points scored below the fold's best
        for m, (_, res) in enumerate(self._path(S_k, grid, lam2, box, X_train - mean)):
            scores[m] = pseudo_log_likelihood(X_test - mean, res.state.theta)
            edges[m] = res.state.edges()[0].size
            below = below + 1 if scores[m] < np.max(scores[:m + 1]) else 0
            if self.patience is not None and below >= self.patience:
                break
        return scores, edges

    @completes_fit
    def fit(self, X, y=None):
        """Choose ``lambda_0`` by cross-validation, then refit on all of ``X``."""
        _, lam2, big_m = self._check_params(0.0)
        X_arr, location, S = _covariance(self, X)
        self._check_bounded(S, lam2, big_m)
        box = np.inf if big_m is None else big_m
        grid = self._grid(S, lam2, big_m)
        splits = list(check_cv(self.cv).split(X_arr))
        if self.n_jobs is not None and (isinstance(self.n_jobs, bool)
                                        or not isinstance(self.n_jobs, numbers.Integral)):
            raise ValueError(f"n_jobs must be None or an integer; got {self.n_jobs!r}.")
        if self.patience is not None and (isinstance(self.patience, bool) or not isinstance(
                self.patience, numbers.Integral) or self.patience < 1):
            raise ValueError(f"patience must be a positive integer or None; got {self.patience!r}.")
        if not isinstance(self.sample_size_correction, (bool, np.bool_)):
            raise ValueError("sample_size_correction must be True or False; got "
                             f"{self.sample_size_correction!r}.")
        jobs = (delayed(self._fold)(X_arr[train], X_arr[test], grid, lam2, box)
                for train, test in splits)
        folds = []
        with Progress(len(splits), "folds", self.verbose) as progress:
            for fold in Parallel(n_jobs=self.n_jobs, return_as="generator")(jobs):
                folds.append(fold)
                progress.update()
        scores = np.vstack([f[0] for f in folds])
        edges = np.vstack([f[1] for f in folds])
        mean_score = scores.mean(axis=0)
        best = int(np.nanargmax(np.where(np.isfinite(mean_score), mean_score, np.nan)))
        self.lambda_0s_ = grid
        self.best_index_ = best
        self.lambda_0_ = float(grid[best])
        if self.sample_size_correction:
            n_train = np.mean([len(train) for train, _ in splits])
            self.lambda_0_ *= n_train / X_arr.shape[0]
        self.cv_results_ = {"lambda_0": grid, "mean_test_score": mean_score,
                            "std_test_score": scores.std(axis=0),
                            "mean_n_edges": edges.mean(axis=0)}
        for k in range(len(splits)):
            self.cv_results_[f"split{k}_test_score"] = scores[k]
        path_edges = []
        refit_grid = np.append(grid[grid > self.lambda_0_], self.lambda_0_)
        for _, res in self._path(S, refit_grid, lam2, box, X_arr - location):
            path_edges.append(res.state.edges()[0].size)
        self.path_n_edges_ = np.array(path_edges)
        # time_limit bounds the refit's branch and bound (the CV path has no limit).
        self._finish(S, location, res, self.lambda_0_, lam2, big_m,
                     self._deadline(time.perf_counter()))
        return self
