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

import numbers

import numpy as np
from sklearn.model_selection import KFold

from .._shared.validation import (check_bound_pair, check_bounds, check_count, check_design,
                                  check_lambda_grid, check_target)
from .._shared.warn import warn_user
from ._classification_solver import GLMProblem, classification_scores
from ._compat_models import CVFitModel, FitModel
from ._penalties import PENALTIES
from .classification import L0_CLASSIFICATION_GAMMA
from .path import (ALGORITHMS, assemble_path, check_choice, cross_validate_path, gamma_values,
                   make_problem, make_settings, mean_squared_error_scores, paths_over_gammas,
                   split_lambda_grid)

LOSSES = ("SquaredError", "Logistic", "SquaredHinge")
# L0Learn's option tuples (``l0learn.interface``)
SUPPORTED_LOSS = LOSSES
CLASSIFICATION_LOSS = ("Logistic", "SquaredHinge")
SUPPORTED_PENALTY = ("L0", "L0L1", "L0L2")
SUPPORTED_ALGORITHM = ("CD", "CDPSI")
_GLM_LOSS = {"Logistic": "logistic", "SquaredHinge": "squared_hinge"}


def _check_flag(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def _check_real(value, name, *, low=None, high=None, low_open=False, high_open=False):
    """A finite real number in the given interval, else a ``ValueError`` naming it."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    ok = ok and np.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        interval = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise ValueError(f"{name} must be a finite number in {interval}; got {value!r}.")
    return float(value)


def _check_bound_values(bound, name):
    """Bounds must be numbers or numeric arrays (a string is not a bound)."""
    try:
        arr = np.asarray(bound, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers; got {bound!r}.") \
            from None
    return arr


def _check_options(loss, penalty, algorithm, num_lambda, num_gamma, gamma_max, gamma_min,
                   partial_sort, rtol, atol, active_set, scale_down_factor, lambda_grid,
                   intercept):
    """L0Learn's option checks, before any data is touched (every one a ``ValueError``)."""
    check_choice(loss, "loss", LOSSES)
    check_choice(penalty, "penalty", PENALTIES)
    check_choice(algorithm, "algorithm", ALGORITHMS)
    for name, flag in (("partial_sort", partial_sort), ("active_set", active_set),
                       ("intercept", intercept)):
        _check_flag(flag, name)
    _check_real(gamma_max, "gamma_max", low=0)
    _check_real(gamma_min, "gamma_min", low=0, high=gamma_max)
    _check_real(rtol, "rtol", low=0, high=1, high_open=True)
    _check_real(atol, "atol", low=0)
    _check_real(scale_down_factor, "scale_down_factor", low=0, high=1, low_open=True,
                high_open=True)
    if lambda_grid is not None:
        if num_lambda is not None or num_gamma is not None:
            raise ValueError("with a lambda_grid, num_lambda and num_gamma must be None (the grid "
                             "fixes both).")
        grids = list(lambda_grid)
        if not grids:
            raise ValueError("lambda_grid must not be empty.")
        if np.ndim(grids[0]) == 0:
            grids = [grids]
        if penalty == "L0" and len(grids) != 1:
            raise ValueError(f"penalty='L0' has one gamma, so lambda_grid takes one sequence; "
                             f"got {len(grids)}.")
        for g in grids:
            check_lambda_grid(g)
        return
    check_count(num_lambda, "num_lambda", minimum=1, allow_none=False)
    check_count(num_gamma, "num_gamma", minimum=1, allow_none=False)
    if penalty == "L0" and num_gamma != 1:
        raise ValueError(f"penalty='L0' has no gamma: num_gamma must be 1; got {num_gamma}.")
    if penalty != "L0" and num_gamma == 1:
        warn_user(f"num_gamma=1 with penalty={penalty!r}: the path uses the single gamma="
                  f"gamma_max={gamma_max:g}; set num_gamma > 1 for a grid of gamma values.",
                  UserWarning)


def _run(X, y, loss, penalty, algorithm, max_support_size, num_lambda, num_gamma, gamma_max,
         gamma_min, partial_sort, max_iter, rtol, atol, active_set, active_set_num, max_swaps,
         scale_down_factor, screen_size, lambda_grid, exclude_first_k, intercept, lows, highs):
    _check_options(loss, penalty, algorithm, num_lambda, num_gamma, gamma_max, gamma_min,
                   partial_sort, rtol, atol, active_set, scale_down_factor, lambda_grid,
                   intercept)
    max_support_size = check_count(max_support_size, "max_support_size", minimum=1,
                                   allow_none=False)
    check_count(max_swaps, "max_swaps", minimum=1, allow_none=False)
    lows = _check_bound_values(lows, "lows")
    highs = _check_bound_values(highs, "highs")
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
        if y.dtype.kind == "c":
            raise ValueError("y must hold class labels, not complex numbers.")
        labels = np.unique(y)
        if labels.size != 2:
            raise ValueError(f"loss={loss!r} needs exactly two labels in y; got {labels.size}.")
        y = np.where(y == labels[1], 1.0, -1.0)  # the smaller label is -1, as in L0Learn
        lower_arr = check_bounds(lower, p, "lows", -1)
        upper_arr = check_bounds(upper, p, "highs", +1)
        check_bound_pair(lower_arr, upper_arr)  # make_problem does the same for SquaredError
        problem = GLMProblem(X, y, np.ones(X.shape[0]), bool(intercept), lower_arr, upper_arr,
                             _GLM_LOSS[loss])
    if np.all(problem.design.constant):
        raise ValueError("every column of X is constant: there is nothing to select.")
    if not active_set:  # sweep every coordinate, never only the support
        screen_size, active_set_num = p, 10 ** 9
    settings = make_settings(max_iter=max_iter, tol=rtol, atol=atol, screen_size=screen_size,
                             active_set_num=active_set_num, max_swaps=max_swaps,
                             exclude_first_k=exclude_first_k, n_features=p)
    if lambda_grid is not None:
        grids_raw = list(lambda_grid)
        num_gamma = len(grids_raw) if np.ndim(grids_raw[0]) > 0 else 1
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


def _grouped(path):
    """The path's fields split by gamma, as L0Learn lays them out."""
    groups = [np.flatnonzero(path.gamma == g) for g in path.gammas]
    return groups, dict(
        gamma=[float(g) for g in path.gammas],
        lambda_0=[path.lambda_0[i].tolist() for i in groups],
        support_size=[path.support_size[i].tolist() for i in groups],
        intercepts=[path.intercept[i].tolist() for i in groups],
        converged=[path.converged[i].tolist() for i in groups],
        coeffs=[path.coef[:, i].tocsc() for i in groups],
        objective=[path.objective[i].tolist() for i in groups],
        path=path)


def fit(X, y, loss="SquaredError", penalty="L0", algorithm="CD", max_support_size=100,
        num_lambda=100, num_gamma=1, gamma_max=10.0, gamma_min=0.0001, partial_sort=True,
        max_iter=200, rtol=1e-6, atol=1e-9, active_set=True, active_set_num=3, max_swaps=100,
        scale_down_factor=0.8, screen_size=1000, lambda_grid=None, exclude_first_k=0,
        intercept=True, lows=-np.inf, highs=np.inf):
    """Fit an L0-regularised path with L0Learn's interface.

    Names, defaults and checks are L0Learn 0.4.3's; every invalid option raises a
    ``ValueError`` naming it.  ``lambda_0`` and gamma act on the normalised problem
    (unit-norm centred columns and response).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Design matrix (integer arrays are converted to float).
    y : array-like of shape (n_samples,)
        Response; for classification losses, exactly two labels (the smaller is -1).
    loss : {"SquaredError", "Logistic", "SquaredHinge"}, default="SquaredError"
        Data fit.
    penalty : {"L0", "L0L1", "L0L2"}, default="L0"
        Penalty besides the L0 price.
    algorithm : {"CD", "CDPSI"}, default="CD"
        Coordinate descent, or coordinate descent plus local search.
    max_support_size : int, default=100
        The path stops before a solution with more nonzeros.
    num_lambda : int or None, default=100
        Length of the automatic lambda_0 grid per gamma (None with ``lambda_grid``).
    num_gamma : int or None, default=1
        Length of the gamma grid (None with ``lambda_grid``); for ``"L0L1"``/``"L0L2"``
        with 1, the single gamma is ``gamma_max`` and a warning says so.
    gamma_max, gamma_min : float, default=10.0, 0.0001
        Ends of the gamma grid, ``0 <= gamma_min <= gamma_max``.
    partial_sort : bool, default=True
        Accepted for compatibility (screening here always uses a partial sort).
    max_iter : int, default=200
        Coordinate-descent sweeps per solve.
    rtol : float, default=1e-6
        Relative change of the objective that counts as converged, in [0, 1).
    atol : float, default=1e-9
        Absolute change that counts as converged, >= 0.
    active_set : bool, default=True
        Sweep an active set (support plus promising coordinates) rather than every
        coordinate.
    active_set_num : int, default=3
        Stable sweeps before the active set is trusted.
    max_swaps : int, default=100
        Move budget of the local search (``"CDPSI"``), >= 1.
    scale_down_factor : float, default=0.8
        Ratio between consecutive automatic lambda_0 values when no coordinate would
        enter otherwise, in (0, 1).
    screen_size : int, default=1000
        Most zero coordinates swept per active-set round.
    lambda_grid : list of sequences, default=None
        Strictly decreasing lambda_0 values, one sequence per gamma (then ``num_lambda``
        and ``num_gamma`` must be None).
    exclude_first_k : int, default=0
        The first ``exclude_first_k`` features carry no L0 price (at most n_features).
    intercept : bool, default=True
        Fit an unpenalised intercept.
    lows, highs : float or array-like of shape (n_features,), default=-inf, inf
        Box constraints on the coefficients (original scale); ``lows < 0 < highs``.

    Returns
    -------
    model : FitModel

    Examples
    --------
    >>> import numpy as np, l0learn
    >>> from l0learn.datasets import make_sparse_regression
    >>> X, y, beta = make_sparse_regression(200, 50, 4, seed=0)
    >>> model = l0learn.fit(X, y, max_support_size=6)
    >>> coef = model.coeff(lambda_0=model.lambda_0[0][-1], include_intercept=False)
    >>> set(np.flatnonzero(beta)) <= set(coef.indices.tolist())  # the true variables are in
    True
    """
    *_, settings_out, path = _run(
        X, y, loss, penalty, algorithm, max_support_size, num_lambda, num_gamma, gamma_max,
        gamma_min, partial_sort, max_iter, rtol, atol, active_set, active_set_num, max_swaps,
        scale_down_factor, screen_size, lambda_grid, exclude_first_k, intercept, lows, highs)
    return FitModel(settings_out, **_grouped(path)[1])


def cvfit(X, y, loss="SquaredError", penalty="L0", algorithm="CD", num_folds=10, seed=1,
          max_support_size=100, num_lambda=100, num_gamma=1, gamma_max=10.0, gamma_min=0.0001,
          partial_sort=True, max_iter=200, rtol=1e-6, atol=1e-9, active_set=True,
          active_set_num=3, max_swaps=100, scale_down_factor=0.8, screen_size=1000,
          lambda_grid=None, exclude_first_k=0, intercept=True, lows=-np.inf, highs=np.inf,
          n_jobs=None, verbose=False):
    """:func:`fit` plus ``num_folds``-fold cross-validation of every solution.

    Folds come from one seeded shuffle (``seed``); each refits the full-data
    lambda_0 grid on its training rows.

    Parameters
    ----------
    X, y, loss, penalty, algorithm, max_support_size, num_lambda, num_gamma
        As in :func:`fit`.
    gamma_max, gamma_min, partial_sort, max_iter, rtol, atol, active_set
        As in :func:`fit`.
    active_set_num, max_swaps, scale_down_factor, screen_size, lambda_grid
        As in :func:`fit`.
    exclude_first_k, intercept, lows, highs
        As in :func:`fit`.
    num_folds : int, default=10
        Number of folds, ``2 <= num_folds < n_samples``.
    seed : int, default=1
        Seed of the fold shuffle.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib (any backend, e.g. Dask).
    verbose : bool, default=False
        Report each finished fold and the time left (not an L0Learn option).

    Returns
    -------
    model : CVFitModel
        ``cv_means`` and ``cv_sds`` hold, per gamma, the held-out error of each
        lambda_0 (mean squared error, log loss or squared hinge, by ``loss``).

    Examples
    --------
    >>> import numpy as np, l0learn
    >>> from l0learn.datasets import make_sparse_regression
    >>> X, y, beta = make_sparse_regression(200, 50, 4, seed=0)
    >>> cv = l0learn.cvfit(X, y, num_folds=5, max_support_size=6)
    >>> best = int(np.argmin(cv.cv_means[0]))
    >>> cv.support_size[0][best] >= 4  # the chosen model keeps the 4 true variables' count
    True
    """
    num_folds = check_count(num_folds, "num_folds", minimum=2, allow_none=False)
    X, y, problem, solved_penalty, gammas, used, settings, settings_out, path = _run(
        X, y, loss, penalty, algorithm, max_support_size, num_lambda, num_gamma, gamma_max,
        gamma_min, partial_sort, max_iter, rtol, atol, active_set, active_set_num, max_swaps,
        scale_down_factor, screen_size, lambda_grid, exclude_first_k, intercept, lows, highs)
    if num_folds >= X.shape[0]:
        raise ValueError(f"num_folds={num_folds} must be smaller than the number of samples "
                         f"({X.shape[0]}), as in L0Learn.")
    folds = list(KFold(num_folds, shuffle=True, random_state=seed).split(X))
    score = (mean_squared_error_scores if loss == "SquaredError" else
             classification_scores("log_loss" if loss == "Logistic" else "squared_hinge"))
    scores = cross_validate_path(X, y, problem, solved_penalty, gammas, used, settings,
                                 algorithm, folds, n_jobs, score, verbose=verbose)
    groups, fields = _grouped(path)
    means = scores.mean(axis=0)
    sds = scores.std(axis=0, ddof=1) if scores.shape[0] > 1 else np.zeros(scores.shape[1])
    return CVFitModel(settings_out, **fields, cv_means=[means[i] for i in groups],
                      cv_sds=[sds[i] for i in groups])
