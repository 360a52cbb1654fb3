"""L0-regularised binary classification: :class:`L0Classifier`."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from ._glm_solver import LOSSES, GLMProblem
from ._penalties import PENALTIES
from ._solver import fit_single
from ._validation import canonical_sparse, check_bound_pair, check_bounds, check_weights
from .path import ALGORITHMS, make_settings

#: L0Learn's silent ridge for pure L0 classification (keeps separable data bounded)
L0_CLASSIFICATION_GAMMA = 1e-7


class L0Classifier(ClassifierMixin, BaseEstimator):
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

    Parameters
    ----------
    loss : {"logistic", "squared_hinge"}, default="logistic"
    penalty : {"L0", "L0L1", "L0L2"}, default="L0"
    lambda_0 : float, default=1.0
    gamma : float, default=0.0
        L1 (``"L0L1"``) or squared-L2 (``"L0L2"``) weight.
    algorithm : {"CD", "CDPSI"}, default="CDPSI"
        CDPSI adds swap local search whose moves are judged by the exact objective.
    max_support_size : int, default=None
    fit_intercept : bool, default=True
    lower_bounds, upper_bounds : float or array-like, default=None
        Box constraints on the coefficients (original scale), containing 0.
    exclude_first_k : int, default=0
    max_iter : int, default=200
    tol : float, default=1e-6
    max_swaps : int, default=100
    screen_size : int, default=1000

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    support_ : ndarray of int
    objective_ : float
    n_iter_, n_swaps_ : int
    converged_ : bool
    n_features_in_, feature_names_in_
    """

    _parameter_constraints = {
        "loss": [StrOptions(set(LOSSES))],
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
    }

    def __init__(self, loss="logistic", penalty="L0", lambda_0=1.0, gamma=0.0, *,
                 algorithm="CDPSI", max_support_size=None, fit_intercept=True,
                 lower_bounds=None, upper_bounds=None, exclude_first_k=0, max_iter=200,
                 tol=1e-6, max_swaps=100, screen_size=1000):
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

    @_fit_context(prefer_skip_nested_validation=True)
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
        X, y = validate_data(self, X, y, accept_sparse="csc", order="F", dtype=np.float64,
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
        penalty, gamma = self.penalty, self.gamma
        if penalty == "L0":
            penalty, gamma = "L0L2", L0_CLASSIFICATION_GAMMA
        problem = GLMProblem(X, y_pm, w, self.fit_intercept, lower, upper, self.loss)
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
            warnings.warn(f"Coordinate descent did not converge within max_iter={self.max_iter}"
                          " sweeps; increase max_iter or tol.", ConvergenceWarning, stacklevel=2)
        margins = y_pm * self.decision_function(X)
        separated = np.all(margins[w > 0] > 0)
        bounded = np.isfinite(lower).all() and np.isfinite(upper).all()
        if gamma < 1e-4 and point.support.size and not bounded and (
                separated or not point.converged):
            # On separable data the loss keeps falling as the coefficients grow.
            warnings.warn("The classes are perfectly separated (or nearly) by the selected "
                          f"features: the coefficients are held finite only by gamma={gamma:g}"
                          "; increase gamma (penalty 'L0L2') or set bounds for a meaningful "
                          "scale.", UserWarning, stacklevel=2)
        return self

    def decision_function(self, X):
        """Signed score ``b0 + x'b`` (positive: ``classes_[1]``)."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csc", "csr"], dtype=np.float64, reset=False)
        return np.asarray(X @ self.coef_[0]).ravel() + self.intercept_[0]

    def predict(self, X):
        """Predicted class labels."""
        check_is_fitted(self)
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    @available_if(lambda self: self.loss == "logistic")
    def predict_proba(self, X):
        """Class probabilities (logistic loss only): columns follow ``classes_``."""
        p1 = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p1, p1])

    @available_if(lambda self: self.loss == "logistic")
    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`."""
        return np.log(np.clip(self.predict_proba(X), 1e-300, None))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = False
        return tags
