"""FAST: additive models with piecewise-constant shape functions and feature selection.

:class:`FASTRegressor`, :class:`FASTClassifier` and :class:`FASTRegressorCV`.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from .._shared.fitted import FitStateMixin, completes_fit
from .._shared.columns import warn_degenerate_columns
from .._shared.progress import Progress
from .._shared.warn import warn_user
from .._shared.response import standardise_response
from .._shared.validation import check_target, check_weights
from ._encoding import (CATEGORICAL, categorical_mask, fit_levels, frame_to_float,
                                 transform_codes)
from ._kernels import add_shapes
from ._solver import (FUSIONS, AdditiveProblem, LogisticFit, SquaredFit,
                               forward_selection, swap_search)

_PARAMETERS = {
    "lambda_fusion": [Interval(Real, 0, None, closed="left")],
    "fusion": [StrOptions(set(FUSIONS))],
    "max_features": [Interval(Integral, 1, None, closed="left"), None],
    "lambda_group": [Interval(Real, 0, None, closed="left")],
    "feature_selection": [StrOptions({"swap", "greedy"})],
    "max_bins": [Interval(Integral, 2, None, closed="left")],
    "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
    "block_selection": [StrOptions({"cyclic", "greedy"})],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="neither")],
}


class _FASTBase(FitStateMixin, BaseEstimator):
    """Encoding, solving and reporting shared by the FAST estimators."""

    _parameter_constraints = dict(_PARAMETERS)

    def __init__(self, lambda_fusion=1e-3, *, fusion="tv", max_features=None, lambda_group=0.0,
                 feature_selection="swap", max_bins=256, categorical_features="from_dtype",
                 block_selection="cyclic", max_iter=1000, tol=1e-4):
        self.lambda_fusion = lambda_fusion
        self.fusion = fusion
        self.max_features = max_features
        self.lambda_group = lambda_group
        self.feature_selection = feature_selection
        self.max_bins = max_bins
        self.categorical_features = categorical_features
        self.block_selection = block_selection
        self.max_iter = max_iter
        self.tol = tol

    # -- data -------------------------------------------------------------------------------
    def _encode_fit(self, X, y, sample_weight, y_numeric):
        original = X  # the dtypes of a DataFrame say which columns are categorical
        self._categories = {}
        if isinstance(X, pd.DataFrame):
            X = frame_to_float(X, self._categories)
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite="allow-nan",
                             y_numeric=y_numeric, ensure_min_samples=2, multi_output=False)
        mask = categorical_mask(original, self.categorical_features, X.shape[1],
                                getattr(self, "feature_names_in_", None))
        if np.isinf(X).any():
            raise ValueError("Input X contains infinity; only NaN (missing) is allowed.")
        w = check_weights(sample_weight, X.shape[0])
        warn_degenerate_columns(X, feature_names=getattr(self, "feature_names_in_", None),
                                consequence="their shape functions are zero",
                                duplicates="their shape functions are interchangeable and "
                                           "the fit's split between them is arbitrary")
        levels, codes = fit_levels(X, mask, self.max_bins)
        return X, y, w, levels, codes

    def _codes(self, X):
        check_is_fitted(self)
        if isinstance(X, pd.DataFrame):
            X = frame_to_float(X, dict(self._categories))
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=False)
        if np.isinf(X).any():
            raise ValueError("Input X contains infinity; only NaN (missing) is allowed.")
        return transform_codes(X, self.levels_)

    def _raw_prediction(self, X):
        codes = self._codes(X)
        out = np.full(codes.shape[0], self.intercept_)
        add_shapes(codes, self._offsets, self._beta, out)
        return out

    # -- solving ----------------------------------------------------------------------------
    def _run(self, fit):
        """Fit all features, or select ``max_features`` of them."""
        problem = fit.problem
        p = problem.n_features
        self.selection_path_ = None
        if self.max_features is None or self.max_features >= p:
            fit.solve(np.ones(p, dtype=bool))
            return
        steps = forward_selection(fit, self.max_features)
        self.selection_path_ = pd.DataFrame(
            {"feature": [self._name(j) for j, _ in steps],
             "objective": [v for _, v in steps]})
        if self.feature_selection == "swap":
            swap_search(fit, self.max_features)
        if self.lambda_group > 0:
            allowed = np.zeros(p, dtype=bool)
            allowed[problem.active(fit.beta)] = True
            fit.solve(allowed)

    def _run_with_continuation(self, fit):
        """``_run``, preceded for ``fusion="l0"`` by warm starts from 1000x the jump price.

        Block coordinate descent on the non-convex ℓ0 fusion problem stops at a block
        optimum; coming down from a large price keeps early blocks from fitting
        the other features' jumps with spurious small segments (as a path does).
        """
        if self.fusion == "l0" and fit.lam > 0:
            target = fit.lam
            for factor in (1000.0, 100.0, 10.0):
                fit.lam = target * factor
                self._run(fit)
            fit.lam = target
        self._run(fit)

    def _store(self, fit, scale):
        """Fitted attributes from a converged state (shape values in units of y times ``scale``)."""
        problem = fit.problem
        self._offsets = problem.offsets
        self._beta = fit.beta * scale
        self.objective_ = float(fit.objective())
        self.n_iter_ = int(fit.n_iter)
        self.converged_ = bool(fit.converged)
        self.kkt_violation_ = float(fit.kkt)
        self.active_features_ = problem.active(fit.beta)
        self.shape_values_ = [self._beta[problem.offsets[j]:problem.offsets[j + 1]].copy()
                              for j in range(problem.n_features)]
        self.thresholds_ = [lev.thresholds.copy() for lev in self.levels_]
        contributions = np.zeros(problem.n_features)
        for j in range(problem.n_features):
            vals = self.shape_values_[j]
            contributions[j] = np.sum(problem.cw[problem.offsets[j]:problem.offsets[j + 1]]
                                      * np.abs(vals))
        self.feature_importances_ = contributions
        if not self.converged_:
            warn_user(f"FAST did not reach tol={self.tol:g} in max_iter={self.max_iter} "
                          f"(stationarity {self.kkt_violation_:.3g}); increase max_iter.",
                          ConvergenceWarning)

    def _name(self, j):
        names = getattr(self, "feature_names_in_", None)
        return str(names[j]) if names is not None else f"x{j}"

    # -- reporting --------------------------------------------------------------------------
    @property
    def shape_functions_(self):
        """The selected shape functions as a table of constant segments.

        One row per segment of every non-zero shape: ``feature``, ``lower`` and
        ``upper`` (the segment covers ``lower <= x < upper`` for numeric features;
        the first segment extends to -inf and the last to +inf), ``category`` for
        categorical features, and ``value`` (the contribution to the prediction,
        in units of the response / of the log-odds).  Missing values appear as
        ``category="missing"``.
        """
        check_is_fitted(self)
        rows = []
        for j in self.active_features_:
            lev, vals = self.levels_[j], self.shape_values_[j]
            name = self._name(j)
            if lev.kind == CATEGORICAL:
                cats = self._category_labels(j)
                for k in range(lev.n_chain):
                    rows.append((name, np.nan, np.nan, cats[k], vals[k]))
            else:
                start = 0
                for k in range(1, lev.n_chain + 1):
                    if k == lev.n_chain or vals[k] != vals[start]:
                        lower = -np.inf if start == 0 else lev.thresholds[start]
                        upper = np.inf if k == lev.n_chain else lev.thresholds[k]
                        rows.append((name, lower, upper, None, vals[start]))
                        start = k
            if lev.has_missing:
                rows.append((name, np.nan, np.nan, "missing", vals[lev.n_chain]))
        return pd.DataFrame(rows, columns=["feature", "lower", "upper", "category", "value"])

    def _category_labels(self, j):
        name = self._name(j)
        cats = self._categories.get(name)
        codes = self.levels_[j].thresholds
        if cats is None:
            return list(codes)
        return [cats[int(c)] for c in codes]

    def shape_function(self, feature, x):
        """Evaluate one shape function at the values ``x``.

        Parameters
        ----------
        feature : int or str
            Column index or name.
        x : array-like
            Values of that feature (category codes/values for categorical features).
        """
        check_is_fitted(self)
        j = self._feature_index(feature)
        codes = self.levels_[j].codes(np.asarray(x, dtype=np.float64).ravel())
        vals = self.shape_values_[j]
        return np.where(codes >= 0, vals[np.maximum(codes, 0)], 0.0)

    def _feature_index(self, feature):
        if isinstance(feature, str):
            names = getattr(self, "feature_names_in_", None)
            if names is None or feature not in list(names):
                raise ValueError(f"unknown feature name {feature!r}.")
            return list(names).index(feature)
        j = int(feature)
        if not 0 <= j < self.n_features_in_:
            raise ValueError(f"feature index {j} out of range [0, {self.n_features_in_}).")
        return j

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class FASTRegressor(RegressorMixin, _FASTBase):
    """Additive model of piecewise-constant shape functions, fitted by exact block coordinate descent.

    Fits :math:`y \\approx \\beta_0 + \\sum_j f_j(x_j)` where each :math:`f_j` is a step
    function over the sorted unique values of feature :math:`j` (or ``max_bins``
    quantile bins), by minimising on the standardised response
    :math:`\\tilde y = (y - \\bar y_w) / s_y`

    .. math::

        \\tfrac12 \\sum_i w_i \\Big(\\tilde y_i - \\sum_j f_j(x_{ij})\\Big)^2
        + \\lambda_f \\sum_j \\mathrm{TV}(f_j) + \\lambda_g \\,\\#\\{j : f_j \\ne 0\\}

    with weights :math:`w` normalised to sum to one, :math:`\\mathrm{TV}` the total
    variation over consecutive levels (``fusion="tv"``), the number of jumps
    (``fusion="l0"``) or half the sum of squared jumps (``fusion="l2"``), and
    optionally at most ``max_features`` non-zero shapes.  Each block update (one
    feature) is solved exactly: a weighted 1-D fused lasso on the per-level
    residual means by Johnson's O(m) dynamic programme, optimal partitioning for
    ``"l0"``, a tridiagonal solve for ``"l2"``.  Shapes are centred (weighted mean zero
    over the training rows) and :math:`\\beta_0 = \\bar y_w`.

    Parameters
    ----------
    lambda_fusion : float, default=1e-3
        Weight of the fusion penalty on the standardised scale (total variation in
        units of the response's standard deviation; for ``"l0"`` the price of one
        jump as a fraction of the response's variance, halved; for ``"l2"`` the
        weight of half the sum of squared jumps).
    fusion : {"tv", "l0", "l2"}, default="tv"
        Total variation (convex; stationary points are global minima; few large
        jumps), the number of jumps (each block solved exactly; the whole problem
        to a block optimum) or squared jumps (convex and smooth; many small jumps,
        a discrete smoothing spline: the shapes of a boosted GAM, and usually the
        best probabilities, but no segmentation).
    max_features : int, default=None
        At most this many non-constant shape functions (group-ℓ0 constraint).
    lambda_group : float, default=0.0
        Price of each non-constant shape function (group ℓ0 on the standardised scale):
        a shape is kept only if it lowers the objective by more than this.
    feature_selection : {"swap", "greedy"}, default="swap"
        With ``max_features``: ``"greedy"`` adds features one at a time by largest
        exact gain, refitting all active shapes after each (the path is in
        ``selection_path_``); ``"swap"`` then runs swap local search (drop one
        feature, add the best other, refit) to a swap-local optimum.
    max_bins : int, default=256
        Features with more unique values are binned at training-row quantiles.
    categorical_features : "from_dtype", array-like of int, str or bool, or None, default="from_dtype"
        Categorical columns: one unordered level per category, fused towards a
        common centre (:math:`\\min_\\mu \\sum_k |f_k - \\mu|`, which equals total
        variation for two categories; with ``"l2"``, :math:`\\tfrac12\\sum_k (f_k -
        \\bar f)^2`).  ``"from_dtype"``: pandas categorical,
        object and string columns.
    block_selection : {"cyclic", "greedy"}, default="cyclic"
        Order of block updates: cyclic sweeps, or Gauss–Southwell (score every
        block by its exact decrease, update the best).
    max_iter : int, default=1000
        Sweeps (cyclic) or block updates (greedy).
    tol : float, default=1e-4
        Converged when no block update lowers the objective by more than ``tol**2``
        and every minimum-norm subgradient of a total-variation shape (every
        gradient entry of an ``"l2"`` shape) is <= ``tol``.

    Attributes
    ----------
    intercept_ : float
        The constant term (the weighted mean response when shapes are centred).
    shape_values_ : list of ndarray
        Per feature, the value of each level (missing-value level last).
    thresholds_ : list of ndarray
        Per feature, the start of each level (numeric) or the category codes.
    levels_ : list
        The encoding of each feature.
    shape_functions_ : pandas.DataFrame
        The non-zero shapes as constant segments (see the property).
    feature_importances_ : ndarray of shape (n_features,)
        Weighted mean absolute contribution of each shape over the training rows
        (units of y), as EBM reports; not normalised.
    active_features_ : ndarray of int
        Indices of the non-constant shape functions.
    selection_path_ : pandas.DataFrame or None
        Features in the order the greedy selection added them, with the objective.
    objective_, n_iter_, converged_ : float, int, bool
        Objective at the solution, outer iterations, and whether ``tol`` was reached.
    kkt_violation_ : float
        Largest minimum-norm subgradient of a total-variation shape (gradient entry
        of an ``"l2"`` shape) at the end.
    n_features_in_, feature_names_in_
        Features seen in ``fit`` (names when ``X`` has string column names).

    Notes
    -----
    Missing values (NaN) form a separate, unpenalised level per feature.  A NaN at
    prediction time in a feature without missing values in training, and an unseen
    category, contribute 0.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from l0learn import FASTRegressor
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> model = FASTRegressor(lambda_fusion=0.01, max_features=3).fit(X, y)
    >>> model.shape_functions_["feature"].nunique() <= 3
    True
    """

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y, sample_weight=None):
        """Fit the additive model.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            NaN marks a missing value.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        """
        y, w, problem, centre, scale, resid = self._prepare_regression(X, y, sample_weight)
        fit = SquaredFit(problem, problem.zero_beta(), resid, self.lambda_fusion,
                         self.lambda_group, block_selection=self.block_selection,
                         max_iter=self.max_iter, tol=self.tol)
        self._run_with_continuation(fit)
        self.intercept_ = centre
        self.y_scale_ = scale
        self._store(fit, scale)
        return self

    def _prepare_regression(self, X, y, sample_weight):
        """Encode the data; return y, weights, the problem and the standardised response."""
        X, y, w, self.levels_, codes = self._encode_fit(X, y, sample_weight, True)
        y = check_target(y, X.shape[0])
        problem = AdditiveProblem(codes, self.levels_, w, self.fusion)
        centre, scale, resid = standardise_response(y, problem.w)
        return y, w, problem, centre, scale, resid

    def predict(self, X):
        """Predicted response: intercept plus the shape functions' values."""
        return self._raw_prediction(X)


class FASTClassifier(ClassifierMixin, _FASTBase):
    """Binary logistic additive model of piecewise-constant shape functions.

    Minimises the weighted mean logistic loss of :math:`\\beta_0 + \\sum_j f_j(x_j)`
    plus the penalties of :class:`FASTRegressor` (on the log-odds scale).  Each
    outer iteration refits the intercept exactly and makes one sweep of exact
    block updates on the quadratic majoriser of the logistic loss (curvature
    1/4), so the objective decreases monotonically.

    Parameters
    ----------
    lambda_fusion, fusion, max_features, lambda_group, feature_selection
        As for :class:`FASTRegressor`, on the log-odds scale.
    max_bins, categorical_features, block_selection, max_iter, tol
        As for :class:`FASTRegressor` (``max_iter`` counts outer iterations;
        ``block_selection`` applies to the majoriser sweeps and is cyclic).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels (``predict_proba`` columns follow this order).
    intercept_, shape_values_, thresholds_, levels_, shape_functions_
        As for :class:`FASTRegressor`, on the log-odds scale.
    feature_importances_, active_features_, selection_path_, objective_, n_iter_
        As for :class:`FASTRegressor`, on the log-odds scale.
    converged_, kkt_violation_, n_features_in_, feature_names_in_
        As for :class:`FASTRegressor`.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from l0learn import FASTClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = FASTClassifier(lambda_fusion=0.01, max_features=4).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y, sample_weight=None):
        """Fit the additive logistic model; ``y`` has exactly two classes."""
        problem, y01 = self._prepare_classification(X, y, sample_weight)
        mean = float(np.sum(problem.w * y01))
        fit = LogisticFit(problem, problem.zero_beta(), y01, self.lambda_fusion,
                          self.lambda_group, intercept=float(np.log(mean / (1 - mean))),
                          max_iter=self.max_iter, tol=self.tol)
        self._run_with_continuation(fit)
        self.intercept_ = float(fit.intercept)
        self._store(fit, 1.0)
        self._warn_if_separated(fit, self.lambda_fusion)
        return self

    def _warn_if_separated(self, fit, lambda_fusion):
        """Warn when nothing bounds the jump sizes and the fitted log-odds run off.

        With ``fusion="l0"`` (or no fusion price) the penalty counts jumps but not
        their size.  If all the rows on which an active shape takes one value are of
        one class, moving that value towards the class lowers the loss at the same
        penalty; if the fit puts every row on its own side, scaling it up does.
        Either way no minimiser exists: the fit stops on ``max_iter`` or once the
        decrease is below ``tol``, with overconfident probabilities.
        """
        if self.fusion != "l0" and lambda_fusion > 0:
            return
        problem, y01 = fit.problem, fit.y01
        used = problem.w > 0
        log_odds = fit.eta + fit.intercept
        where = None
        if np.all((2.0 * y01 - 1.0)[used] * log_odds[used] > 0):
            where = "every training row is on its own side"
        for j in problem.active(fit.beta):
            if where is not None:
                break
            codes = problem.codes[:, j]
            rows = used & (codes >= 0)
            level = problem.shape(fit.beta, j)[codes[rows]]
            labels = y01[rows]
            for value in np.unique(level):
                classes = labels[level == value]
                if classes.min() == classes.max():
                    where = (f"feature {self._name(j)!r} has a segment whose rows are all of "
                             "one class")
                    break
        if where is not None:
            advice = ("Use a positive lambda_fusion." if self.fusion == "tv" else
                      "Use fusion='tv' (it prices the size of each jump), or fewer bins "
                      "(max_bins) or features (max_features).")
            warn_user(f"The fitted log-odds have no finite optimum: {where}, and with "
                      f"fusion={self.fusion!r}, lambda_fusion={lambda_fusion:g} the size of a "
                      "jump is not penalised, so the fit only stops on its iteration limit or "
                      f"tolerance (largest |log-odds| {np.max(np.abs(log_odds[used])):.3g}) "
                      "and its probabilities are overconfident. " + advice, UserWarning)

    def _prepare_classification(self, X, y, sample_weight):
        """Encode the data, check the labels; return the problem and 0/1 labels."""
        X, y, w, self.levels_, codes = self._encode_fit(X, y, sample_weight, False)
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y")
        if y_type != "binary":
            raise ValueError("Only binary classification is supported. The type of the target "
                             f"is {y_type}.")
        self.classes_ = np.unique(y)
        if self.classes_.size != 2:
            raise ValueError(f"FASTClassifier needs 2 classes in y; got {self.classes_.size}.")
        weighted = np.unique(y[w > 0])
        if weighted.size != 2:
            raise ValueError("FASTClassifier needs 2 classes among the rows with positive "
                             f"sample_weight; got only class {weighted.tolist()}.")
        y01 = (y == self.classes_[1]).astype(np.float64)
        return AdditiveProblem(codes, self.levels_, w, self.fusion), y01

    def decision_function(self, X):
        """Log-odds of ``classes_[1]``."""
        return self._raw_prediction(X)

    def predict_proba(self, X):
        """Class probabilities; columns follow ``classes_``."""
        p1 = expit(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`."""
        return np.log(np.clip(self.predict_proba(X), 1e-300, None))

    def predict(self, X):
        """Predicted class labels."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


_FOLD_TOL_FACTOR = 10.0  # fold fits stop at this times tol (breast cancer: 35 % less CPU)


class _FASTPathCV:
    """What both FAST CV estimators share: the grid, the warm-started path step and the
    fold loop (folds are weight masks on one encoding of the data)."""

    _cv_constraints = {
        "lambdas": ["array-like", None],
        "n_lambdas": [Interval(Integral, 1, None, closed="left")],
        "lambda_min_ratio": [Interval(Real, 0, 1, closed="neither"), None],
        "cv": ["cv_object"],
        "patience": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
    }

    def _grid(self, problem, resid):
        if self.lambdas is not None:
            grid = np.asarray(self.lambdas, dtype=np.float64).ravel()
            if grid.size == 0 or np.any(grid < 0) or not np.all(np.isfinite(grid)):
                raise ValueError("lambdas must be a non-empty sequence of finite values >= 0.")
            return np.sort(grid)[::-1]
        ratio = self.lambda_min_ratio
        if self.fusion == "l2":
            # squared jumps never make a shape exactly constant.  With level weights
            # ~1/m and loss curvature h the penalty smooths over sqrt(lam m / h)
            # levels: start where that spans the longest chain, end near one level
            # (on six data sets the held-out optimum fell at 0.25-0.65 of the way)
            top = self._curvature * float(max(problem.n_chain.max(), 2))
            ratio = 1e-5 if ratio is None else ratio
        else:
            top = problem.lambda_max(resid) if self.fusion == "tv" else 0.5
            top = top if top > 0 else 1.0
            ratio = 1e-3 if ratio is None else ratio
        return top * np.geomspace(1.0, ratio, self.n_lambdas)

    def _solve_at(self, fit, lam):
        fit.lam = float(lam)
        self._run(fit)

    def _cross_validate(self, problem, w, folds, lambdas, start, score):
        """``scores[q, f]``: held-out score of grid value ``q`` on fold ``f``.

        ``start(sub, train)`` checks the fold and returns its path fit and a function
        ``predict(fit, test_codes)``; ``score(test, prediction)`` scores the held-out rows.
        """
        scores = np.full((lambdas.size, len(folds)), np.nan)
        with Progress(len(folds), "folds", self.verbose) as progress:
            for f, (train, test) in enumerate(folds):
                fold_w = np.zeros_like(w)
                fold_w[train] = w[train]
                fit, predict = start(problem.with_weights(fold_w), train)
                # Held-out scores move by far less than the grid's spacing between tol and
                # 10 tol; the refit on all rows uses tol itself.
                fit.tol = _FOLD_TOL_FACTOR * fit.tol
                test_codes = np.asfortranarray(problem.codes[test])
                best, worse = np.inf, 0  # the fold's best score; values scored above it since
                for q, lam in enumerate(lambdas):
                    self._solve_at(fit, lam)
                    scores[q, f] = score(test, predict(fit, test_codes))
                    worse = worse + 1 if scores[q, f] > best else 0
                    best = min(best, scores[q, f])
                    if self.patience is not None and worse >= self.patience:
                        break
                progress.update(info=f"best held-out score {best:.4g}")
        return scores

    @staticmethod
    def _best(scores):
        """The grid value with the lowest mean held-out score among those every fold fitted."""
        mean = scores.mean(axis=1)
        return int(np.nanargmin(mean))


class FASTRegressorCV(_FASTPathCV, FASTRegressor):
    """:class:`FASTRegressor` with ``lambda_fusion`` chosen by k-fold cross-validation.

    A decreasing geometric grid of ``n_lambdas`` values from the smallest weight
    at which every shape is constant down to ``lambda_min_ratio`` times it is fitted
    with warm starts on every fold (folds are weight masks on one encoding of the
    data, so a held-out value falls in the level of the nearest training value to
    its left, as in prediction); the value with the lowest mean held-out squared
    error is refitted on all rows.  Fold fits stop at ten times ``tol``; the refit
    uses ``tol``.

    Parameters
    ----------
    lambdas : array-like, default=None
        Explicit decreasing grid (overrides ``n_lambdas``/``lambda_min_ratio``).
    n_lambdas : int, default=20
        Length of the automatic ``lambda_fusion`` grid.
    lambda_min_ratio : float, default=None
        Smallest grid value relative to the largest (where every shape is
        constant; for ``fusion="l2"``, the number of levels of the longest
        feature).  None means 1e-3, or 1e-5 for ``"l2"``.
    cv : int or cross-validation splitter, default=5
        Folds (an int means shuffled ``KFold``) or a splitter.
    patience : int or None, default=5
        A fold stops its path once this many consecutive grid values scored worse
        than the best it has seen (the small end of the grid holds the most
        expensive fits).  Values a fold did not fit cannot be chosen.  ``None``:
        every fold fits the whole grid.
    verbose : bool, default=False
        Report each finished fold and the time left (a tqdm bar when tqdm is installed).
    fusion, max_features, lambda_group, feature_selection, max_bins
        As for :class:`FASTRegressor`.
    categorical_features, block_selection, max_iter, tol
        As for :class:`FASTRegressor`.

    Attributes
    ----------
    lambda_fusion_ : float
        The selected value.
    lambdas_ : ndarray
        The ``lambda_fusion`` grid (decreasing).
    cv_mse_ : ndarray of shape (n_lambdas, n_folds)
        Held-out mean squared error per grid value and fold (NaN where a fold
        stopped early, see ``patience``).


    Notes
    -----
    Every attribute of :class:`FASTRegressor` is set too, for the refit at
    ``lambda_fusion_``.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from l0learn import FASTRegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> cv = FASTRegressorCV(n_lambdas=5, cv=3).fit(X, y)
    >>> cv.lambda_fusion_ in cv.lambdas_
    True
    """

    _curvature = 1.0  # of the loss on the standardised response (for the "l2" grid)

    _parameter_constraints = {
        **{k: v for k, v in _PARAMETERS.items() if k != "lambda_fusion"},
        **_FASTPathCV._cv_constraints,
    }

    def __init__(self, *, lambdas=None, n_lambdas=20, lambda_min_ratio=None, cv=5, patience=5,
                 fusion="tv", max_features=None, lambda_group=0.0, feature_selection="swap",
                 max_bins=256, categorical_features="from_dtype", block_selection="cyclic",
                 max_iter=1000, tol=1e-4, verbose=False):
        self.verbose = verbose
        self.lambdas = lambdas
        self.n_lambdas = n_lambdas
        self.lambda_min_ratio = lambda_min_ratio
        self.cv = cv
        self.patience = patience
        self.fusion = fusion
        self.max_features = max_features
        self.lambda_group = lambda_group
        self.feature_selection = feature_selection
        self.max_bins = max_bins
        self.categorical_features = categorical_features
        self.block_selection = block_selection
        self.max_iter = max_iter
        self.tol = tol

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y, sample_weight=None):
        """Choose ``lambda_fusion`` by cross-validation and refit on all rows."""
        y, w, problem, centre, scale, resid = self._prepare_regression(X, y, sample_weight)
        lambdas = self._grid(problem, resid)
        folds = list(check_cv(self.cv).split(X, y))

        def start(sub, train):
            if np.count_nonzero(w[train]) < 2:
                raise ValueError("a cross-validation fold has fewer than 2 training rows.")
            mu, sd, fold_resid = standardise_response(y, sub.w)

            def predict(fit, test_codes):
                pred = np.full(test_codes.shape[0], mu)
                add_shapes(test_codes, sub.offsets, fit.beta * sd, pred)
                return pred
            return self._path_fit(sub, fold_resid), predict

        errors = self._cross_validate(
            problem, w, folds, lambdas, start,
            lambda test, pred: np.average((y[test] - pred) ** 2, weights=w[test]))
        self.lambdas_ = lambdas
        self.cv_mse_ = errors
        best = self._best(errors)
        self.lambda_fusion_ = float(lambdas[best])
        fit = self._path_fit(problem, resid)
        for lam in lambdas[:best + 1]:
            self._solve_at(fit, lam)
        self.intercept_ = centre
        self.y_scale_ = scale
        self._store(fit, scale)
        return self

    def _path_fit(self, problem, resid):
        return SquaredFit(problem, problem.zero_beta(), resid.copy(), 0.0, self.lambda_group,
                          block_selection=self.block_selection, max_iter=self.max_iter,
                          tol=self.tol)


class FASTClassifierCV(_FASTPathCV, FASTClassifier):
    """:class:`FASTClassifier` with ``lambda_fusion`` chosen by stratified cross-validation.

    A decreasing grid of ``lambda_fusion`` values (from the smallest value at which
    every shape is constant down to ``lambda_min_ratio`` times it) is fitted with
    warm starts on every fold (folds are weight masks on one encoding of the
    data); each value is scored by the held-out log loss (or misclassification
    rate), and the best one is refitted on all rows along the same path.  Fold fits
    stop at ten times ``tol``; the refit uses ``tol``.

    Parameters
    ----------
    lambdas : array-like, default=None
        Explicit grid (sorted decreasing; overrides ``n_lambdas``/``lambda_min_ratio``).
    n_lambdas : int, default=20
        Length of the automatic grid.
    lambda_min_ratio : float, default=None
        Smallest grid value relative to the largest (for ``fusion="l2"`` the
        largest is a quarter of the number of levels of the longest feature).
        None means 1e-3, or 1e-5 for ``"l2"``.
    cv : int or cross-validation splitter, default=5
        Folds (an int means ``StratifiedKFold(cv)``) or a splitter.
    patience : int or None, default=5
        A fold stops its path once this many consecutive grid values scored worse
        than the best it has seen (the small end of the grid holds the most
        expensive fits).  Values a fold did not fit cannot be chosen.  ``None``:
        every fold fits the whole grid.
    scoring : {"log_loss", "misclassification"}, default="log_loss"
        Held-out criterion (weighted by ``sample_weight``; lower is better).
    fusion, max_features, lambda_group, feature_selection, max_bins
        As for :class:`FASTClassifier`.
    categorical_features, block_selection, max_iter, tol
        As for :class:`FASTClassifier`.
    verbose : bool, default=False
        Report each finished fold and the time left.

    Attributes
    ----------
    lambda_fusion_ : float
        The selected value.
    lambdas_ : ndarray
        The grid (decreasing).
    cv_scores_ : ndarray of shape (n_lambdas, n_folds)
        Held-out score per grid value and fold (NaN where a fold stopped early,
        see ``patience``).

    Notes
    -----
    Every attribute of :class:`FASTClassifier` is set too, for the refit at
    ``lambda_fusion_``.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from l0learn import FASTClassifierCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> cv = FASTClassifierCV(n_lambdas=4, cv=3, max_features=5).fit(X, y)
    >>> cv.lambda_fusion_ in cv.lambdas_, cv.predict_proba(X[:2]).shape
    (True, (2, 2))
    """

    _curvature = 0.25  # the logistic loss's largest (for the "l2" grid)

    _parameter_constraints = {
        **{k: v for k, v in _PARAMETERS.items() if k != "lambda_fusion"},
        **_FASTPathCV._cv_constraints,
        "scoring": [StrOptions({"log_loss", "misclassification"})],
    }

    def __init__(self, *, lambdas=None, n_lambdas=20, lambda_min_ratio=None, cv=5, patience=5,
                 scoring="log_loss", fusion="tv", max_features=None, lambda_group=0.0,
                 feature_selection="swap", max_bins=256, categorical_features="from_dtype",
                 block_selection="cyclic", max_iter=1000, tol=1e-4, verbose=False):
        self.lambdas = lambdas
        self.n_lambdas = n_lambdas
        self.lambda_min_ratio = lambda_min_ratio
        self.cv = cv
        self.patience = patience
        self.scoring = scoring
        self.fusion = fusion
        self.max_features = max_features
        self.lambda_group = lambda_group
        self.feature_selection = feature_selection
        self.max_bins = max_bins
        self.categorical_features = categorical_features
        self.block_selection = block_selection
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose

    def _path_fit(self, problem, y01):
        mean = float(np.sum(problem.w * y01))
        return LogisticFit(problem, problem.zero_beta(), y01, 0.0, self.lambda_group,
                           intercept=float(np.log(mean / (1 - mean))),
                           max_iter=self.max_iter, tol=self.tol)

    def _score(self, y01, w, log_odds):
        if self.scoring == "misclassification":
            return float(np.average((log_odds > 0) != (y01 > 0.5), weights=w))
        # log(1 + exp(-m)) with m the signed margin, computed stably
        margin = np.where(y01 > 0.5, log_odds, -log_odds)
        return float(np.average(np.logaddexp(0.0, -margin), weights=w))

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y, sample_weight=None):
        """Choose ``lambda_fusion`` by stratified cross-validation and refit on all rows."""
        problem, y01 = self._prepare_classification(X, y, sample_weight)
        w = problem.w
        lambdas = self._grid(problem, y01 - float(np.sum(w * y01)))
        folds = list(check_cv(self.cv, y01, classifier=True).split(problem.codes, y01))

        def start(sub, train):
            if np.unique(y01[train][w[train] > 0]).size < 2:
                raise ValueError("a cross-validation fold has a single class among its "
                                 "training rows; use fewer folds.")

            def predict(fit, test_codes):
                log_odds = np.full(test_codes.shape[0], fit.intercept)
                add_shapes(test_codes, sub.offsets, fit.beta, log_odds)
                return log_odds
            return self._path_fit(sub, y01), predict

        scores = self._cross_validate(
            problem, w, folds, lambdas, start,
            lambda test, log_odds: self._score(y01[test], w[test], log_odds))
        self.lambdas_ = lambdas
        self.cv_scores_ = scores
        best = self._best(scores)
        self.lambda_fusion_ = float(lambdas[best])
        fit = self._path_fit(problem, y01)
        for lam in lambdas[:best + 1]:
            self._solve_at(fit, lam)
        self.intercept_ = float(fit.intercept)
        self._store(fit, 1.0)
        self._warn_if_separated(fit, self.lambda_fusion_)
        return self
