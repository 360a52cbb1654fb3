"""L0-regularised binary classification: :class:`L0Classifier`."""

from numbers import Integral, Real

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from .._shared.fitted import FitStateMixin, completes_fit
from .._shared.columns import warn_degenerate_columns
from .._shared.warn import warn_user
from .._shared.validation import canonical_sparse, check_bound_pair, check_bounds, check_weights
from ._classification_solver import LOSSES, GLMProblem
from ._multinomial import MultinomialProblem, fit_multinomial
from ._penalties import PENALTIES
from ._solver import fit_single
from .path import ALGORITHMS, make_settings

#: L0Learn's silent ridge for pure L0 classification (keeps separable data bounded)
L0_CLASSIFICATION_GAMMA = 1e-7


class L0Classifier(FitStateMixin, ClassifierMixin, BaseEstimator):
    """Binary classification with an L0 penalty (plus optional L1 or L2), by CD and local search.

    Minimises, with labels coded ``-1``/``+1`` (the larger label of ``classes_`` is ``+1``)
    and columns centred and scaled to unit norm (implicitly),

    .. math::

        \\sum_i w_i\\,\\ell(y_i(b_0 + \\tilde x_i^\\top b)) + \\lambda_0\\|b\\|_0
        + \\lambda_1\\|b\\|_1 + \\lambda_2\\|b\\|_2^2,

    with ``ell(m) = log(1 + exp(-m))`` (``"logistic"``) or ``max(0, 1 - m)^2``
    (``"squared_hinge"``).  The loss is summed, not averaged (L0Learn's scale): a
    feature enters when it lowers the summed loss by more than ``lambda_0``.
    ``penalty="L0"`` adds ``lambda_2 = 1e-7`` (as L0Learn does) so that separable data
    give finite coefficients.

    With ``loss="multinomial"`` (any number of classes, labels of any type) each
    feature has one coefficient per class, and the penalties act on that row as a
    group: ``lambda_0`` prices each feature used by any class (a feature enters or
    leaves for all classes at once), ``lambda_1`` is the row's Euclidean norm and
    ``lambda_2`` its squared norm; the loss is the summed cross-entropy
    ``sum_i w_i [log sum_k exp(b_0k + x_i'B_k) - (b_0k + x_i'B_k)]_{k = y_i}``.
    CD updates whole rows (Newton steps on the support, proximal steps to enter);
    CDPSI adds exact adds and group swaps (:mod:`l0learn.linear_model._multinomial`).

    Parameters
    ----------
    loss : {"logistic", "squared_hinge", "multinomial"}, default="logistic"
        The logistic loss (probabilities via ``predict_proba``), the squared hinge
        (a smooth support-vector-machine loss), both for two classes, or the
        multinomial (softmax) loss with a group L0 penalty for two or more classes.
    penalty : {"L0", "L0L1", "L0L2"}, default="L0"
        Penalty besides the L0 price: none (a ridge of 1e-7 keeps separable data
        finite), L1 or squared L2 with weight ``gamma``.
    lambda_0 : float, default=1.0
        Price of each nonzero coefficient, in units of the summed loss.
    gamma : float, default=0.0
        L1 (``"L0L1"``) or squared-L2 (``"L0L2"``) weight.
    algorithm : {"CD", "CDPSI"}, default="CDPSI"
        CDPSI adds swap local search whose moves are judged by the exact objective.
    max_support_size : int, default=None
        At most this many nonzero coefficients (``None``: no limit).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    lower_bounds, upper_bounds : float or array-like, default=None
        Box constraints on the coefficients (original scale), containing 0.
    exclude_first_k : int, default=0
        The first ``exclude_first_k`` features carry no L0 price.
    max_iter : int, default=200
        Coordinate-descent sweeps per solve.
    tol : float, default=1e-6
        Relative change of the objective between sweeps that counts as converged.
    max_swaps : int, default=100
        Move budget of the local search (per solve).
    screen_size : int, default=1000
        Most zero coordinates swept per active-set round.
    warm_start : bool, default=False
        With ``loss="multinomial"``: start from the previous fit's coefficients (same
        features and classes) instead of from zero, so a grid of ``lambda_0`` values
        or of ``max_support_size`` fitted one after the other costs about one path
        (as scikit-learn's ``warm_start``; see the last example).  The binary losses
        always start from zero and ignore it.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels; for the binary losses ``classes_[1]`` is the positive one.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients on the original scale (one row per class for the multinomial loss).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts on the original scale.
    support_ : ndarray of int
        Indices of the nonzero coefficients.
    objective_ : float
        Penalised objective (summed loss) at the solution.
    n_iter_, n_swaps_ : int
        Coordinate-descent sweeps and local-search moves.
    converged_ : bool
        False when coordinate descent stopped on ``max_iter``.
    n_features_in_, feature_names_in_
        Features seen in ``fit`` (names when ``X`` has string column names).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from l0learn import L0Classifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = L0Classifier(penalty="L0L2", lambda_0=2.0, gamma=0.01, max_support_size=5).fit(X, y)
    >>> clf.support_.size <= 5, clf.score(X, y) > 0.9
    (True, True)

    Three classes, one support for all of them:

    >>> from sklearn.datasets import load_wine
    >>> X, y = load_wine(return_X_y=True)
    >>> clf = L0Classifier(loss="multinomial", penalty="L0L2", lambda_0=5.0, gamma=0.01).fit(X, y)
    >>> clf.coef_.shape, bool(clf.predict_proba(X).sum(axis=1).round(12).min() == 1.0)
    ((3, 13), True)

    The best subsets of 2, 3 and 5 features (``lambda_0=0`` with a cap), each fit
    starting from the one before:

    >>> clf = L0Classifier(loss="multinomial", penalty="L0L2", lambda_0=0.0, gamma=0.01,
    ...                    warm_start=True)
    >>> [clf.set_params(max_support_size=k).fit(X, y).support_.size for k in (2, 3, 5)]
    [2, 3, 5]
    """

    _parameter_constraints = {
        "loss": [StrOptions(set(LOSSES) | {"multinomial"})],
        "penalty": [StrOptions(set(PENALTIES))],
        "lambda_0": [Interval(Real, 0, None, closed="left")],
        "gamma": [Interval(Real, 0, None, closed="left")],
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
        "warm_start": ["boolean"],
    }

    def __init__(self, loss="logistic", penalty="L0", lambda_0=1.0, gamma=0.0, *,
                 algorithm="CDPSI", max_support_size=None, fit_intercept=True,
                 lower_bounds=None, upper_bounds=None, exclude_first_k=0, max_iter=200,
                 tol=1e-6, max_swaps=100, screen_size=1000, warm_start=False):
        self.loss = loss
        self.penalty = penalty
        self.lambda_0 = lambda_0
        self.gamma = gamma
        self.algorithm = algorithm
        self.max_support_size = max_support_size
        self.fit_intercept = fit_intercept
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.exclude_first_k = exclude_first_k
        self.max_iter = max_iter
        self.tol = tol
        self.max_swaps = max_swaps
        self.screen_size = screen_size
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y, sample_weight=None):
        """Fit the classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Two classes (any labels).
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        if self.loss == "multinomial":
            return self._fit_multinomial(X, y, sample_weight)
        X, y_pm, w, problem, settings = self._prepare(X, y, sample_weight)
        lower, upper = problem.lower_original, problem.upper_original
        p = X.shape[1]
        penalty, gamma = self.penalty, self.gamma
        if penalty == "L0":
            penalty, gamma = "L0L2", L0_CLASSIFICATION_GAMMA
        point = fit_single(problem, PENALTIES[penalty], gamma, settings,
                           lambda_0=self.lambda_0, algorithm=self.algorithm,
                           max_support_size=self.max_support_size)
        values, intercept = problem.to_original(point.support, point.values, point.intercept)
        self.coef_ = np.zeros((1, p))
        self.coef_[0, point.support] = values
        self.intercept_ = np.array([intercept if self.fit_intercept else 0.0])
        self.support_ = point.support.copy()
        self.objective_ = point.objective
        self.n_iter_ = point.n_sweeps
        self.n_swaps_ = point.n_swaps
        self.converged_ = point.converged
        if not point.converged:
            warn_user(f"Coordinate descent did not converge within max_iter={self.max_iter}"
                          " sweeps; increase max_iter or tol.", ConvergenceWarning)
        margins = y_pm * self.decision_function(X)
        separated = np.all(margins[w > 0] > 0)
        bounded = np.isfinite(lower).all() and np.isfinite(upper).all()
        if gamma < 1e-4 and point.support.size and not bounded and (
                separated or not point.converged):
            # On separable data the loss keeps falling as the coefficients grow.
            warn_user("The classes are perfectly separated (or nearly) by the selected "
                          f"features: the coefficients are held finite only by gamma={gamma:g}"
                          "; increase gamma (penalty 'L0L2') or set bounds for a meaningful "
                          "scale.", UserWarning)
        return self

    def _prepare_multinomial(self, X, y, sample_weight):
        """Validate the data, index the classes and build the multinomial problem."""
        X, y = validate_data(self, X, y, accept_sparse="csc", dtype=np.float64,
                             ensure_min_samples=2, accept_large_sparse=False,
                             multi_output=False)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(f"L0Classifier needs at least 2 classes in y; got "
                             f"{self.classes_.size} ({self.classes_.tolist()}).")
        w = check_weights(sample_weight, X.shape[0])
        if np.unique(y_index[w > 0]).size < 2:
            raise ValueError("L0Classifier needs at least 2 classes among the rows with "
                             "positive sample_weight.")
        for name in ("lower_bounds", "upper_bounds"):
            if getattr(self, name) is not None:
                raise ValueError(f"{name} is not available with loss='multinomial' (a "
                                 "feature's coefficients are one row for all classes).")
        if self.exclude_first_k:
            raise ValueError("exclude_first_k is not available with loss='multinomial'.")
        problem = MultinomialProblem(X, y_index, self.classes_.size, w, self.fit_intercept)
        warn_degenerate_columns(X, constant=~problem.usable,
                                feature_names=getattr(self, "feature_names_in_", None))
        return X, y_index, w, problem

    def _fit_multinomial(self, X, y, sample_weight):
        X, y_index, w, problem = self._prepare_multinomial(X, y, sample_weight)
        p = X.shape[1]
        penalty, gamma = self.penalty, self.gamma
        if penalty == "L0":
            penalty, gamma = "L0L2", L0_CLASSIFICATION_GAMMA
        cap = p if self.max_support_size is None else self.max_support_size
        point = fit_multinomial(problem, penalty, gamma, self.lambda_0, cap,
                                algorithm=self.algorithm, max_iter=self.max_iter, tol=self.tol,
                                max_swaps=self.max_swaps, start=self._multinomial_start(problem))
        self._store_multinomial(problem, point)
        if not point.converged:
            warn_user(f"Coordinate descent did not converge within max_iter={self.max_iter}"
                      " sweeps; increase max_iter or tol.", ConvergenceWarning)
        if gamma < 1e-4 and point.support.size:
            scores = X @ self.coef_.T + self.intercept_
            if np.all(scores.argmax(axis=1)[w > 0] == y_index[w > 0]):
                warn_user("The classes are perfectly separated by the selected features: the "
                          f"coefficients are held finite only by gamma={gamma:g}; increase "
                          "gamma (penalty 'L0L2') for a meaningful scale.", UserWarning)
        return self

    def _multinomial_start(self, problem):
        """The previous fit as a normalised-scale start, when ``warm_start`` and it fits."""
        # the classes of the last multinomial fit (this fit has set classes_ already)
        classes = getattr(self, "_warm_classes", None)
        if not self.warm_start or classes is None:
            return None
        if self.coef_.shape != (problem.n_classes, problem.n_features) or not np.array_equal(
                classes, self.classes_):
            return None
        return problem.to_normalised(self.coef_, self.intercept_)

    def _store_multinomial(self, problem, point):
        self.coef_, self.intercept_ = problem.to_original(point)
        if not self.fit_intercept:
            self.intercept_ = np.zeros_like(self.intercept_)
        self.support_ = point.support
        self.objective_ = point.objective
        self.n_iter_ = point.n_sweeps
        self.n_swaps_ = point.n_swaps
        self.converged_ = point.converged
        self._warm_classes = self.classes_.copy()

    def _class_scores(self, X):
        """Per-class linear scores ``b0_k + x'B_k`` (multinomial loss)."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csc", "csr"], dtype=np.float64, reset=False)
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def _prepare(self, X, y, sample_weight):
        """Validate the data, encode the labels as -1/+1 and build the problem."""
        X, y = validate_data(self, X, y, accept_sparse="csc", dtype=np.float64,
                             ensure_min_samples=2, accept_large_sparse=False,
                             force_writeable=True, multi_output=False)
        if hasattr(X, "tocsc"):
            X = canonical_sparse(X)
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y")
        if y_type != "binary":
            raise ValueError("Only binary classification is supported. The type of the target "
                             f"is {y_type}.")
        self.classes_ = np.unique(y)
        if self.classes_.size != 2:
            raise ValueError(f"L0Classifier needs 2 classes in y; got {self.classes_.size} "
                             f"({self.classes_.tolist()}).")
        y_pm = np.where(y == self.classes_[1], 1.0, -1.0)
        n, p = X.shape
        w = check_weights(sample_weight, n)
        lower = check_bounds(self.lower_bounds, p, "lower_bounds", -1)
        upper = check_bounds(self.upper_bounds, p, "upper_bounds", +1)
        check_bound_pair(lower, upper)
        settings = make_settings(max_iter=self.max_iter, tol=self.tol, atol=0.0,
                                 screen_size=self.screen_size, active_set_num=3,
                                 max_swaps=self.max_swaps, exclude_first_k=self.exclude_first_k,
                                 n_features=p)
        problem = GLMProblem(X, y_pm, w, self.fit_intercept, lower, upper, self.loss)
        warn_degenerate_columns(problem.design.X, constant=problem.design.constant,
                                fingerprints=problem.design.fingerprints(),
                                feature_names=getattr(self, "feature_names_in_", None))
        return X, y_pm, w, problem, settings

    def decision_function(self, X):
        """Signed score ``b0 + x'b`` (positive: ``classes_[1]``).

        With ``loss="multinomial"``: the per-class scores, shape (n_samples,
        n_classes), or for two classes the difference of the two (as scikit-learn's
        binary classifiers return).
        """
        check_is_fitted(self)
        if self.coef_.shape[0] > 1:
            scores = self._class_scores(X)
            return scores[:, 1] - scores[:, 0] if scores.shape[1] == 2 else scores
        X = validate_data(self, X, accept_sparse=["csc", "csr"], dtype=np.float64, reset=False)
        return np.asarray(X @ self.coef_[0]).ravel() + self.intercept_[0]

    def predict(self, X):
        """Predicted class labels."""
        check_is_fitted(self)
        if self.coef_.shape[0] > 1:
            return self.classes_[self._class_scores(X).argmax(axis=1)]
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    @available_if(lambda self: self.loss in ("logistic", "multinomial"))
    def predict_proba(self, X):
        """Class probabilities (logistic and multinomial losses): columns follow ``classes_``."""
        check_is_fitted(self)
        if self.coef_.shape[0] > 1:
            return softmax(self._class_scores(X), axis=1)
        p1 = expit(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    @available_if(lambda self: self.loss in ("logistic", "multinomial"))
    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`."""
        return np.log(np.clip(self.predict_proba(X), 1e-300, None))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = self.loss == "multinomial"
        return tags


class L0ClassifierCV(L0Classifier):
    """:class:`L0Classifier` with (lambda_0, gamma) chosen by k-fold cross-validation.

    The full-data path (L0Learn's automatic lambda_0 grid per gamma) is computed, each
    fold refits the same grid on its training rows, and held-out rows are scored by
    ``scoring``; the chosen point minimises the mean score (or, with
    ``selection="1se"``, is the sparsest within one standard error of that minimum).

    Parameters
    ----------
    loss, penalty, algorithm, fit_intercept
        As in :class:`L0Classifier`.
    lower_bounds, upper_bounds, exclude_first_k
        As in :class:`L0Classifier`.
    max_iter, tol, max_swaps, screen_size
        As in :class:`L0Classifier`.
    gamma : float or sequence of float, default=None
        ``None``: L0Learn's grid from ``num_gamma``, ``gamma_max``, ``gamma_min``
        (``penalty="L0"`` uses gamma = 1e-7).
    num_gamma : int, default=5
        Length of the automatic gamma grid (when ``gamma`` is None).
    gamma_max, gamma_min : float, default=10.0, 1e-4
        Ends of the automatic gamma grid (log-spaced).
    num_lambda : int, default=100
        Most lambda_0 values per gamma on the automatic grid.
    max_support_size : int, default=None
        Path stop; ``None`` means ``min(100, n_features)``.
    scoring : {"log_loss", "misclassification", "auc"}, default=None
        ``None``: log loss for the logistic loss, misclassification rate otherwise
        (AUC is reported as ``1 - AUC`` so that lower is better throughout).
    cv : int, cross-validation generator or iterable, default=5
        An int means ``StratifiedKFold(cv, shuffle=True, random_state=random_state)``.
    selection : {"min", "1se"}, default="min"
        The grid point with the smallest mean CV score, or the sparsest one within
        one standard error of it.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib (any backend, e.g. Dask).
    random_state : int, RandomState instance or None, default=None
        Seed of the fold shuffle.
    verbose : bool, default=False
        Report each finished fold and the time left (a tqdm bar when tqdm is installed).

    Attributes
    ----------
    path_ : RegularizationPath or MultinomialPath
        Every full-data solution (``loss="multinomial"``: a
        :class:`~l0learn.linear_model._multinomial.MultinomialPath`, whose ``coef``
        holds one (n_classes, n_features) matrix per point).
    cv_means_, cv_sds_ : ndarray of shape (n_points,)
        Mean and standard deviation over folds of the held-out score.
    best_index_ : int
        Index in ``path_`` of the chosen solution.
    lambda_0_, gamma_ : float
        The chosen hyperparameters.
    classes_, coef_, intercept_, support_, objective_, converged_, n_iter_
        Of the chosen full-data solution, as in :class:`L0Classifier`.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from l0learn import L0ClassifierCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> cv = L0ClassifierCV(penalty="L0L2", gamma=0.01, max_support_size=8, random_state=0).fit(X, y)
    >>> cv.predict_proba(X[:2]).sum(axis=1)
    array([1., 1.])
    """

    _parameter_constraints = {
        **{k: v for k, v in L0Classifier._parameter_constraints.items()
           if k not in ("lambda_0", "gamma")},
        "gamma": ["array-like", Interval(Real, 0, None, closed="left"), None],
        "num_gamma": [Interval(Integral, 1, None, closed="left")],
        "gamma_max": [Interval(Real, 0, None, closed="neither")],
        "gamma_min": [Interval(Real, 0, None, closed="neither")],
        "num_lambda": [Interval(Integral, 1, None, closed="left")],
        "scoring": [StrOptions({"log_loss", "misclassification", "auc"}), None],
        "cv": ["cv_object"],
        "selection": [StrOptions({"min", "1se"})],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(self, loss="logistic", penalty="L0", *, gamma=None, num_gamma=5,
                 gamma_max=10.0, gamma_min=1e-4, num_lambda=100, max_support_size=None,
                 algorithm="CDPSI", scoring=None, cv=5, selection="min", n_jobs=None,
                 random_state=None, fit_intercept=True, lower_bounds=None, upper_bounds=None,
                 exclude_first_k=0, max_iter=200, tol=1e-6, max_swaps=100, screen_size=1000,
                 verbose=False):
        self.verbose = verbose
        self.loss = loss
        self.penalty = penalty
        self.gamma = gamma
        self.num_gamma = num_gamma
        self.gamma_max = gamma_max
        self.gamma_min = gamma_min
        self.num_lambda = num_lambda
        self.max_support_size = max_support_size
        self.algorithm = algorithm
        self.scoring = scoring
        self.cv = cv
        self.selection = selection
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.fit_intercept = fit_intercept
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
        from sklearn.model_selection import StratifiedKFold, check_cv

        from ._classification_solver import classification_scores
        from .path import assemble_path, cross_validate_path, gamma_values, paths_over_gammas

        if self.loss == "multinomial":
            return self._fit_multinomial_cv(X, y, sample_weight)
        X, y_pm, w, problem, settings = self._prepare(X, y, sample_weight)
        p = X.shape[1]
        max_support = min(100, p) if self.max_support_size is None else self.max_support_size
        penalty = self.penalty
        if penalty == "L0":
            penalty, gammas = "L0L2", np.array([L0_CLASSIFICATION_GAMMA])
        else:
            gammas = gamma_values(penalty, self.gamma, self.num_gamma, self.gamma_max,
                                  self.gamma_min, problem)
        points, grids = paths_over_gammas(problem, penalty, gammas, None, settings,
                                          algorithm=self.algorithm, num_lambda=self.num_lambda,
                                          max_support_size=max_support)
        self.path_ = assemble_path(problem, points)
        if isinstance(self.cv, Integral):
            splitter = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        else:
            splitter = check_cv(self.cv, y_pm, classifier=True)
        folds = list(splitter.split(X, y_pm))
        scoring = self.scoring or ("log_loss" if self.loss == "logistic" else "misclassification")
        scores = cross_validate_path(X, y_pm, problem, penalty, gammas, grids, settings,
                                     self.algorithm, folds, self.n_jobs,
                                     classification_scores(scoring), verbose=self.verbose)
        best = self._select(scores)
        self.coef_ = self.path_.coef[:, best].toarray().T
        self.intercept_ = np.array([float(self.path_.intercept[best])])
        self.support_ = np.flatnonzero(self.coef_[0])
        self.objective_ = float(self.path_.objective[best])
        self.converged_ = bool(self.path_.converged[best])
        self.n_iter_ = int(self.path_.n_sweeps.sum())
        return self

    def _select(self, scores):
        """Store the CV summary of ``scores`` (n_folds, n_points) and the chosen point;
        return its index in ``path_``."""
        from .path import select_cv_index

        n_folds = scores.shape[0]
        self.cv_means_ = scores.mean(axis=0)
        self.cv_sds_ = (scores.std(axis=0, ddof=1) if n_folds > 1
                        else np.zeros(scores.shape[1]))
        best = select_cv_index(self.cv_means_, self.cv_sds_, self.path_.support_size, n_folds,
                               self.selection)
        self.best_index_ = best
        self.lambda_0_ = float(self.path_.lambda_0[best])
        self.gamma_ = float(self.path_.gamma[best])
        return best

    def _fit_multinomial_cv(self, X, y, sample_weight):
        from joblib import delayed
        from sklearn.model_selection import StratifiedKFold, check_cv

        from ._multinomial import (MultinomialPath, fold_scores, multinomial_path,
                                   multinomial_scores)
        from .path import run_fold_jobs

        X, y_index, w, problem = self._prepare_multinomial(X, y, sample_weight)
        p = X.shape[1]
        max_support = min(100, p) if self.max_support_size is None else self.max_support_size
        scoring = self.scoring or "log_loss"
        score = multinomial_scores(scoring)
        penalty = self.penalty
        if penalty == "L0":
            penalty, gammas = "L0L2", np.array([L0_CLASSIFICATION_GAMMA])
        elif self.gamma is not None:
            gammas = np.atleast_1d(np.asarray(self.gamma, dtype=float))
        else:
            gammas = np.geomspace(self.gamma_max, self.gamma_min, self.num_gamma)
        options = dict(max_iter=self.max_iter, tol=self.tol, max_swaps=self.max_swaps)
        points, grids = [], []
        for gamma in gammas:
            pts = multinomial_path(problem, penalty, gamma, algorithm=self.algorithm,
                                   max_support_size=max_support, num_lambda=self.num_lambda,
                                   **options)
            points += pts
            grids.append(np.array([pt.lambda_0 for pt in pts]))
        self.path_ = MultinomialPath.from_points(problem, points)
        if isinstance(self.cv, Integral):
            splitter = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        else:
            splitter = check_cv(self.cv, y_index, classifier=True)
        folds = list(splitter.split(X, y_index))
        jobs = (delayed(fold_scores)(
                    X, y_index, self.classes_.size, w, train, test, self.fit_intercept, penalty,
                    gammas, grids, self.algorithm, options, score)
                for train, test in folds)
        best = self._select(run_fold_jobs(jobs, len(folds), self.n_jobs, self.verbose))
        self.coef_ = self.path_.coef[best]
        self.intercept_ = self.path_.intercept[best] if self.fit_intercept else np.zeros(
            self.classes_.size)
        self.support_ = np.flatnonzero(np.any(self.coef_ != 0, axis=0))
        self.objective_ = float(self.path_.objective[best])
        self.converged_ = bool(self.path_.converged[best])
        self.n_iter_ = int(sum(pt.n_sweeps for pt in points))
        return self

