"""FIRE: sparse, fused rule extraction from tree ensembles.

:class:`FIRERegressor` (least squares), :class:`FIREClassifier` (logistic loss, two
classes) and :func:`fire_path`.  Both estimators share everything but the loss and
the prediction methods (:class:`_FIREBase`); the solver is in :mod:`._kernels`.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import (BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin,
                          _fit_context, clone)
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from .._shared.fitted import FitStateMixin, completes_fit
from .._shared.columns import warn_degenerate_columns
from .._shared.progress import Progress
from .._shared.warn import warn_user
from .._shared.levels import level_sums, level_weights
from .._shared.response import standardise_response
from .._shared.validation import check_weights
from . import _kernels as K
from ._ensemble import _parents, extract_rules

PENALTIES = {"l1": K.PENALTY_L1, "mcp": K.PENALTY_MCP}
_NO_ROWS = np.empty(0)  # the squared-error solver keeps no linear predictor or labels


class _RuleProblem:
    """Data of one FIRE fit and its solver state (weights, residual, intercept).

    Squared error: the response is standardised (``centre``, ``scale``) and the
    residual kept.  Logistic: labels in {0, 1}, the rules' linear predictor ``eta``
    and the residual ``y − σ(b0 + eta)``, all on the log-odds scale (``scale = 1``).
    ``b0`` is the intercept on the solver's scale.
    """

    def __init__(self, rules, codes, y, sample_weight, fit_intercept, penalty, gamma,
                 loss="squared_error", lambda_2=0.0):
        self.rules, self.codes = rules, codes
        self.wt = np.ascontiguousarray(sample_weight / sample_weight.sum())
        self.loss = K.LOSS_SQUARED if loss == "squared_error" else K.LOSS_LOGISTIC
        if self.loss == K.LOSS_SQUARED:
            self.centre, self.scale, self.resid = standardise_response(
                y - rules.offset, self.wt, centre=fit_intercept)
            self.y, self.eta, self.b0 = _NO_ROWS, _NO_ROWS, 0.0
        else:
            self.centre, self.scale = 0.0, 1.0
            self.y = np.ascontiguousarray(y, dtype=np.float64)
            self.eta = np.zeros(y.shape[0])
            self.b0 = float(rules.offset)  # the ensemble's base log-odds
            self.resid = np.empty(y.shape[0])
            K.refresh_residual(self.eta, self.y, self.b0, self.resid)
            if fit_intercept:
                self.b0 += K.refit_intercept(self.wt, self.resid, self.loss, self.eta, self.y,
                                             self.b0)
        self.v = rules.values / self.scale
        self.offsets = rules.offsets
        self.c = np.empty(rules.n_rules)  # each leaf's share of the sample weight
        level_weights(codes, self.offsets, self.wt, self.c)
        self.fit_intercept = fit_intercept
        self.penalty = PENALTIES[penalty]
        self.gamma = float(gamma)
        self.lambda_2 = float(lambda_2)
        self.w = np.zeros(rules.n_rules)
        self.scores = np.zeros(rules.n_trees)

    def lambda_max(self):
        """Smallest sparsity weight at which all-zero weights are stationary (at w = 0)."""
        grad = np.zeros(self.rules.n_rules)
        for t in range(self.rules.n_trees):
            lo, hi = self.offsets[t], self.offsets[t + 1]
            level_sums(t, self.codes, self.wt, self.resid, hi - lo, grad[lo:hi])
        return float(np.max(np.abs(grad * self.v))) if grad.size else 0.0

    def solve(self, lam_s, lam_f, *, max_iter, tol, n_add=10, max_inner=10000, anderson=5):
        passes, updates, converged, kkt, shift = K.active_set_gbcd(
            self.codes, self.offsets, self.v, self.c, self.w, self.wt, self.resid,
            float(lam_s), float(lam_f), self.gamma, self.penalty, self.fit_intercept,
            max_iter, 1000, float(tol), n_add, max_inner, anderson, self.scores,
            self.loss, self.eta, self.y, self.b0, self.lambda_2)
        self.b0 += shift
        return passes, updates, converged, kkt

    def objective(self, lam_s, lam_f):
        return K.objective(self.codes, self.offsets, self.v, self.c, self.w, self.wt, self.resid,
                           float(lam_s), float(lam_f), self.gamma, self.penalty, self.loss,
                           self.eta, self.y, self.b0, self.lambda_2)

    def intercept(self):
        """The intercept on the original scale (log-odds for the logistic loss)."""
        if self.loss == K.LOSS_LOGISTIC:
            return float(self.b0)
        return float(self.rules.offset + self.centre + self.scale * self.b0)


class _FIREBase(FitStateMixin, TransformerMixin, BaseEstimator):
    """Parameters, fitting, rules and transform shared by the FIRE estimators."""

    _parameter_constraints = {
        "ensemble": [HasMethods(["fit", "predict"]), None],
        "lambda_sparse": [Interval(Real, 0, None, closed="left")],
        "lambda_fusion": [Interval(Real, 0, None, closed="left")],
        "lambda_2": [Interval(Real, 0, None, closed="left")],
        "penalty": [StrOptions(set(PENALTIES))],
        "gamma": [Interval(Real, 1, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "n_path": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }
    _loss = "squared_error"

    def __init__(self, ensemble=None, *, lambda_sparse=0.01, lambda_fusion=0.0, lambda_2=0.0,
                 penalty="mcp", gamma=1.1, fit_intercept=True, n_path=10, max_iter=200,
                 tol=1e-5, random_state=None):
        self.ensemble = ensemble
        self.lambda_sparse = lambda_sparse
        self.lambda_fusion = lambda_fusion
        self.lambda_2 = lambda_2
        self.penalty = penalty
        self.gamma = gamma
        self.fit_intercept = fit_intercept
        self.n_path = n_path
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    # -- set-up -----------------------------------------------------------------------------
    def _fitted_ensemble(self, X, y, sample_weight):
        if self.ensemble is None:
            return self._default_ensemble().fit(X, y, sample_weight=sample_weight)
        try:
            check_is_fitted(self.ensemble)
        except NotFittedError:
            return clone(self.ensemble).fit(X, y, sample_weight=sample_weight)
        n_in = getattr(self.ensemble, "n_features_in_", X.shape[1])
        if n_in != X.shape[1]:
            raise ValueError(f"the fitted ensemble expects {n_in} features; X has {X.shape[1]}.")
        return self.ensemble

    def _prepare(self, X, y, sample_weight):
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=self._loss == "squared_error",
                             multi_output=False, ensure_min_samples=2)
        _check_float32_range(X)
        w = check_weights(sample_weight, X.shape[0])
        target = self._target(y, w)
        warn_degenerate_columns(X, feature_names=getattr(self, "feature_names_in_", None),
                                consequence="no tree can split on them",
                                duplicates="the trees' splits on either are interchangeable")
        self.ensemble_ = self._fitted_ensemble(X, y, sample_weight)
        self._check_ensemble(self.ensemble_)
        # leaf values as deviations from the mean response (see extract_rules)
        self._rules = extract_rules(self.ensemble_,
                                    centre=float(np.sum(w * target) / np.sum(w)))
        codes = self._rules.codes(X)
        return _RuleProblem(self._rules, codes, target, w, self.fit_intercept, self.penalty,
                            self.gamma, self._loss, self.lambda_2)

    def _target(self, y, w):
        """The response the solver sees (checked)."""
        return y

    def _check_ensemble(self, ensemble):
        """Refuse an ensemble of the wrong kind before its rules are read."""

    def _grid(self, problem):
        top = problem.lambda_max()
        if self.lambda_sparse >= top or self.n_path == 1:
            return np.array([self.lambda_sparse])
        if self.lambda_sparse == 0.0:
            # no sparsity: warm-start down a geometric grid, then solve at zero
            return np.r_[np.geomspace(top, 1e-4 * top, self.n_path - 1), 0.0]
        return np.geomspace(top, self.lambda_sparse, self.n_path)

    # -- fit --------------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=False)
    @completes_fit
    def fit(self, X, y, sample_weight=None):
        """Fit (or take) the ensemble and select its rules.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Used for the selection (and passed to the ensemble when it is fitted here).
        """
        problem = self._prepare(X, y, sample_weight)
        updates, converged, kkt = 0, True, 0.0
        for lam in self._grid(problem):
            _, n_up, converged, kkt = problem.solve(lam, self.lambda_fusion,
                                                    max_iter=self.max_iter, tol=self.tol)
            updates += n_up
        self._store(problem, updates, converged, kkt)
        return self

    def _store(self, problem, updates, converged, kkt):
        self.coef_ = problem.w.copy()
        self.intercept_ = problem.intercept()
        self._leaf_share = problem.c.copy()
        self.objective_ = float(problem.objective(self.lambda_sparse, self.lambda_fusion))
        self.n_iter_ = int(updates)
        self.converged_ = bool(converged)
        self.kkt_violation_ = float(kkt)
        selected = np.flatnonzero(self.coef_)
        self.n_rules_ = int(selected.size)
        trees = np.unique(np.searchsorted(self._rules.offsets, selected, side="right") - 1)
        self.n_trees_used_ = int(trees.size)
        self.n_nodes_kept_ = _nodes_kept(self._rules, selected)
        if not self.converged_:
            warn_user(f"FIRE did not reach tol={self.tol:g} in max_iter={self.max_iter} "
                      f"passes (stationarity {self.kkt_violation_:.3g}).", ConvergenceWarning)

    # -- use --------------------------------------------------------------------------------
    def _codes(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self._rules.codes(X)

    def _raw_prediction(self, X):
        """Intercept plus the weighted selected rules."""
        codes = self._codes(X)
        out = np.full(codes.shape[0], self.intercept_)
        contribution = self.coef_ * self._rules.values
        for t in range(self._rules.n_trees):
            lo, hi = self._rules.offsets[t], self._rules.offsets[t + 1]
            if np.any(contribution[lo:hi] != 0):
                out += contribution[lo:hi][codes[:, t]]
        return out

    def transform(self, X):
        """0/1 indicators of the selected rules (columns in the order of ``rules_``)."""
        codes = self._codes(X)
        selected = np.flatnonzero(self.coef_)
        out = np.zeros((codes.shape[0], selected.size))
        for q, j in enumerate(selected):
            t = self._rules.rule_tree(j)
            out[:, q] = codes[:, t] == j - self._rules.offsets[t]
        return out

    @property
    def rules_(self):
        check_is_fitted(self)
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{f}" for f in range(self.n_features_in_)]
        rows = []
        for j in np.flatnonzero(self.coef_):
            t = self._rules.rule_tree(j)
            leaf = int(self._rules.leaves[t][j - self._rules.offsets[t]])
            value = float(self._rules.values[j])
            rows.append((self._rules.rule_text(j, list(names)), t, leaf, float(self.coef_[j]),
                         value, float(self.coef_[j]) * value, float(self._leaf_share[j])))
        return pd.DataFrame(rows, columns=["rule", "tree", "leaf", "weight", "leaf_value",
                                           "contribution", "support"])


class FIRERegressor(RegressorMixin, _FIREBase):
    r"""Sparse, fused selection of the leaves (rules) of a tree ensemble (FIRE).

    Each leaf :math:`j` of the ensemble is a rule with column
    :math:`M_{ij} = v_j 1[x_i \\in \\text{leaf } j]` (:math:`v_j` the leaf's value).
    The rule weights solve, on the standardised response
    :math:`\\tilde y = (y - \\text{offset} - \\bar y_w) / s_y` (leaf values scaled by
    :math:`1/s_y` alike),

    .. math::

        \\min_{b_0, w}\\ \\tfrac12 \\sum_i \\omega_i (\\tilde y_i - b_0 - (Mw)_i)^2
        + \\sum_t \\Big[\\sum_{j \\in t} P(w_j) + \\lambda_f \\sum_{j, j+1 \\in t} |w_{j+1} - w_j|\\Big]
        + \\tfrac12 \\lambda_2 \\|w\\|^2

    with sample weights :math:`\\omega` summing to one, :math:`P` the ℓ1 penalty
    :math:`\\lambda_s|w|` or MCP with per-tree concavity :math:`\\gamma / L_t`
    (:math:`L_t` the tree's Lipschitz constant), and fusion between neighbouring
    leaves of the same tree (never across trees).  The reference implementation's
    :math:`\\lambda` values correspond to ``lambda_sparse = lambda / n`` on
    standardised data.

    Solved by greedy block coordinate descent over trees with an active set: a
    full pass scores every tree by its proximal-gradient mapping and adds the
    steepest ones; active trees are solved in turn (each tree's subproblem only
    involves its leaves once the residual is aggregated, and is solved by proximal
    gradient steps whose prox is the exact fused lasso followed by thresholding).
    The fit is warm-started along a geometric path of ``n_path`` sparsity weights
    from the smallest all-zero value down to ``lambda_sparse``, and stops when no
    tree's proximal-gradient mapping exceeds ``tol`` (``kkt_violation_``): the
    global optimum for ``penalty="l1"``, a stationary point for MCP.

    Parameters
    ----------
    ensemble : estimator, default=None
        A ``RandomForestRegressor``, ``ExtraTreesRegressor``,
        ``GradientBoostingRegressor`` (squared error) or ``DecisionTreeRegressor``.
        If already fitted it is used as is; otherwise a clone is fitted on
        ``(X, y)``.  ``None``: ``RandomForestRegressor(n_estimators=200,
        max_depth=4, max_features="sqrt", random_state=random_state)``.
    lambda_sparse : float, default=0.01
        Sparsity weight (standardised scale).
    lambda_fusion : float, default=0.0
        Fusion weight between neighbouring leaves of a tree.
    lambda_2 : float, default=0.0
        Ridge weight: adds :math:`\tfrac12 \lambda_2 \|w\|^2` to the objective.
    penalty : {"mcp", "l1"}, default="mcp"
        Sparsity penalty on the rule weights: MCP (nearly unbiased for the kept rules)
        or the lasso.
    gamma : float, default=1.1
        MCP concavity (> 1); close to 1 behaves like ℓ0, large like ℓ1.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    n_path : int, default=10
        Warm-start points from the all-zero weight down to ``lambda_sparse``.
    max_iter : int, default=200
        Scoring passes per path point.
    tol : float, default=1e-5
        Stationarity tolerance on the proximal-gradient mapping (gradient units of
        the standardised objective).
    random_state : int, RandomState or None, default=None
        Seeds the default forest.

    Attributes
    ----------
    ensemble_ : the fitted ensemble
        The ensemble whose leaves are the candidate rules (fitted here if needed).
    coef_ : ndarray of shape (n_rules,)
        Rule weights (1/T for every rule reproduces a forest's prediction).
    intercept_ : float
        Constant term on the original scale.
    rules_ : pandas.DataFrame
        The selected rules: ``rule`` (readable conjunction), ``tree``, ``leaf`` (node
        id), ``weight``, ``leaf_value`` (the leaf's value minus the weighted mean of
        the training response for forests and single trees, i.e. its deviation;
        boosting leaves as fitted, times the learning rate), ``contribution``
        (``weight * leaf_value``, added to the prediction for rows satisfying the
        rule), ``support`` (weighted share of training rows).
    n_rules_, n_trees_used_, n_nodes_kept_ : int
        Selected rules; trees they come from; nodes of the union of their
        root-to-leaf paths (the pruned ensemble's size).
    objective_, n_iter_, converged_, kkt_violation_
        Standardised objective, block updates, certificate flag and value.
    n_features_in_, feature_names_in_
        Features seen in ``fit`` (names when ``X`` has string column names).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.ensemble import RandomForestRegressor
    >>> from l0learn import FIRERegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> forest = RandomForestRegressor(50, max_depth=3, random_state=0).fit(X, y)
    >>> fire = FIRERegressor(forest, lambda_sparse=0.02).fit(X, y)
    >>> 0 < len(fire.rules_) < 50
    True
    """

    def _default_ensemble(self):
        return RandomForestRegressor(n_estimators=200, max_depth=4, max_features="sqrt",
                                     random_state=self.random_state)

    def predict(self, X):
        """Intercept plus the weighted selected rules."""
        return self._raw_prediction(X)


class FIREClassifier(ClassifierMixin, _FIREBase):
    r"""Sparse, fused selection of the rules of a tree ensemble for binary classification.

    The rules are the leaves of a fitted classification ensemble, with column
    :math:`M_{ij} = v_j 1[x_i \\in \\text{leaf } j]`: for forests and single trees
    :math:`v_j` is the leaf's share of ``classes_[1]`` minus the training share
    :math:`\\bar y` (so the full forest is :math:`\\bar y + M 1/T` on the
    probability scale); for gradient boosting (``loss="log_loss"``) the leaf's
    log-odds increment times the learning rate.  The weights solve

    .. math::

        \\min_{b_0, w}\\ \\sum_i \\omega_i \\big[\\log(1 + e^{u_i}) - y_i u_i\\big]
        + \\sum_t \\Big[\\sum_{j \\in t} P(w_j) + \\lambda_f \\sum_{j, j+1 \\in t}
        |w_{j+1} - w_j|\\Big] + \\tfrac12 \\lambda_2 \\|w\\|^2, \\qquad u = b_0 + M w,

    with :math:`y_i \\in \\{0, 1\\}` (1 for ``classes_[1]``), sample weights
    :math:`\\omega` summing to one, and the sparsity and fusion penalties of
    :class:`FIRERegressor` (MCP concavity per tree from the loss's curvature bound
    1/4).  Every block update minimises the quadratic majoriser of the logistic
    loss over one tree's leaves (exact fused-lasso prox, then thresholding) and
    re-majorises until the block settles, so the objective decreases monotonically;
    the greedy active-set scheme, warm-started path and stationarity certificate
    (``kkt_violation_`` ≤ ``tol``) are those of :class:`FIRERegressor`.  Without
    ``fit_intercept`` the intercept stays at the ensemble's base log-odds.

    Parameters
    ----------
    ensemble : estimator, default=None
        A two-class ``RandomForestClassifier``, ``ExtraTreesClassifier``,
        ``GradientBoostingClassifier`` (``loss="log_loss"``) or
        ``DecisionTreeClassifier``; used as is if fitted (on the same labels),
        else a clone is fitted on ``(X, y)``.  ``None``:
        ``RandomForestClassifier(n_estimators=200, max_depth=4, max_features="sqrt",
        random_state=random_state)``.
    lambda_sparse : float, default=0.002
        Sparsity weight (log-odds scale, mean loss).
    lambda_fusion : float, default=0.0
        Fusion weight between neighbouring leaves of a tree.
    lambda_2 : float, default=1e-4
        Ridge weight, :math:`\tfrac12 \lambda_2 \|w\|^2`: keeps the weights finite
        when the selected rules separate the classes (MCP alone does not bound them).
    penalty : {"mcp", "l1"}, default="mcp"
        Sparsity penalty on the rule weights.
    gamma : float, default=1.1
        MCP concavity (> 1).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    n_path : int, default=10
        Warm-start points from the all-zero weight down to ``lambda_sparse``.
    max_iter : int, default=200
        Scoring passes per path point.
    tol : float, default=1e-5
        Stationarity tolerance on the proximal-gradient mapping.
    random_state : int, RandomState or None, default=None
        Seeds the default forest.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels; ``predict_proba`` columns follow this order.
    ensemble_ : the fitted ensemble
        The ensemble whose leaves are the candidate rules.
    coef_ : ndarray of shape (n_rules,)
        Rule weights.
    intercept_ : float
        Log-odds of ``classes_[1]`` for a row no selected rule covers.
    rules_ : pandas.DataFrame
        The selected rules: ``rule``, ``tree``, ``leaf``, ``weight``, ``leaf_value``
        (see above), ``contribution`` (``weight * leaf_value``, added to the log-odds
        of ``classes_[1]`` for rows satisfying the rule), ``support`` (weighted share
        of training rows).
    n_rules_, n_trees_used_, n_nodes_kept_ : int
        Selected rules; trees they come from; nodes of the union of their
        root-to-leaf paths.
    objective_, n_iter_, converged_, kkt_violation_
        Objective (mean log loss plus penalties), block updates, certificate flag
        and value.
    n_features_in_, feature_names_in_
        Features seen in ``fit``.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from l0learn import FIREClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> forest = RandomForestClassifier(50, max_depth=3, random_state=0).fit(X, y)
    >>> fire = FIREClassifier(forest, lambda_sparse=0.005).fit(X, y)
    >>> 0 < fire.n_rules_ <= 20 and fire.score(X, y) > 0.9
    True
    """

    _loss = "log_loss"

    def __init__(self, ensemble=None, *, lambda_sparse=0.002, lambda_fusion=0.0, lambda_2=1e-4,
                 penalty="mcp", gamma=1.1, fit_intercept=True, n_path=10, max_iter=200,
                 tol=1e-5, random_state=None):
        super().__init__(ensemble, lambda_sparse=lambda_sparse, lambda_fusion=lambda_fusion,
                         lambda_2=lambda_2, penalty=penalty, gamma=gamma, fit_intercept=fit_intercept,
                         n_path=n_path, max_iter=max_iter, tol=tol, random_state=random_state)

    def _default_ensemble(self):
        return RandomForestClassifier(n_estimators=200, max_depth=4, max_features="sqrt",
                                      random_state=self.random_state)

    def _target(self, y, w):
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y")
        if y_type != "binary":
            raise ValueError("Only binary classification is supported (FIREClassifier). The type "
                             f"of the target is {y_type}.")
        self.classes_ = np.unique(y)
        if self.classes_.size != 2:
            raise ValueError(f"FIREClassifier needs 2 classes in y; got {self.classes_.size}.")
        weighted = np.unique(y[w > 0])
        if weighted.size != 2:
            raise ValueError("FIREClassifier needs 2 classes among the rows with positive "
                             f"sample_weight; got only class {weighted.tolist()}.")
        return (y == self.classes_[1]).astype(np.float64)

    def _check_ensemble(self, ensemble):
        classes = getattr(ensemble, "classes_", None)
        if classes is None or not hasattr(ensemble, "predict_proba"):
            raise TypeError("FIREClassifier needs a classification ensemble "
                            "(RandomForestClassifier, ExtraTreesClassifier, "
                            "GradientBoostingClassifier or DecisionTreeClassifier); got "
                            f"{type(ensemble).__name__}.")
        if len(classes) != 2 or not np.array_equal(np.asarray(classes), self.classes_):
            raise ValueError(f"the fitted ensemble's classes {list(classes)} differ from the "
                             f"labels of y {list(self.classes_)}.")

    def decision_function(self, X):
        """Log-odds of ``classes_[1]``: intercept plus the selected rules' contributions."""
        return self._raw_prediction(X)

    def predict_proba(self, X):
        """Class probabilities; columns follow ``classes_``."""
        p1 = expit(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed stably from the log-odds."""
        u = self.decision_function(X)
        return np.column_stack([-np.logaddexp(0.0, u), -np.logaddexp(0.0, -u)])

    def predict(self, X):
        """Predicted class labels."""
        positive = self.decision_function(X) > 0  # checks that the model is fitted
        return self.classes_[positive.astype(int)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


def _nodes_kept(rules, selected):
    """Nodes in the union of the root-to-leaf paths of the selected rules."""
    total = 0
    by_tree = {}
    for j in selected:
        by_tree.setdefault(rules.rule_tree(j), []).append(j)
    for t, js in by_tree.items():
        parent = _parents(rules.trees[t])
        kept = set()
        for j in js:
            node = int(rules.leaves[t][j - rules.offsets[t]])
            while node >= 0 and node not in kept:
                kept.add(node)
                node = parent[node][0]
        total += len(kept)
    return total


def _check_float32_range(X):
    """scikit-learn's trees compute in float32: refuse values float32 cannot represent."""
    magnitude = np.abs(X[X != 0])
    if magnitude.size == 0:
        return
    info = np.finfo(np.float32)
    tiny, big = float(info.tiny), float(info.max)  # compared as float64, not cast to float32
    lo, hi = float(magnitude.min()), float(magnitude.max())
    if lo < tiny or hi > big:
        raise ValueError(
            "FIRE's tree ensembles compute in float32, which represents magnitudes in "
            f"[{tiny:.3g}, {big:.3g}] only; X has nonzero entries of magnitude "
            f"{lo:.3g}..{hi:.3g}. Rescale X (e.g. with StandardScaler) first.")


def fire_path(X, y, *, loss="squared_error", lambdas=None, n_lambdas=20, lambda_min_ratio=1e-3,
              sample_weight=None, verbose=False, **params):
    """FIRE along a decreasing path of sparsity weights, with warm starts.

    Parameters
    ----------
    X, y, sample_weight
        As for :meth:`FIRERegressor.fit` (or :meth:`FIREClassifier.fit`).
    loss : {"squared_error", "log_loss"}, default="squared_error"
        ``"squared_error"``: a path of :class:`FIRERegressor`; ``"log_loss"``: of
        :class:`FIREClassifier` (two classes).
    lambdas : array-like, default=None
        Decreasing sparsity weights; default a geometric grid of ``n_lambdas``
        values from the smallest all-zero value down to ``lambda_min_ratio`` times it.
    n_lambdas : int, default=20
        Length of the automatic grid.
    lambda_min_ratio : float, default=1e-3
        Smallest automatic value relative to the largest.
    verbose : bool, default=False
        Report each finished path point and the time left.
    **params
        Other estimator parameters (``ensemble``, ``lambda_fusion``, ``penalty``,
        ``gamma``, ``fit_intercept``, ``max_iter``, ``tol``, ``random_state``).

    Returns
    -------
    models : list of FIRERegressor or FIREClassifier
        One fitted estimator per weight (sharing the ensemble).
    summary : pandas.DataFrame
        ``lambda_sparse``, ``n_rules``, ``n_trees``, ``n_nodes``, ``objective``,
        ``n_iter``, ``converged``, ``kkt_violation``.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from l0learn import fire_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> models, summary = fire_path(X, y, n_lambdas=4, random_state=0)
    >>> summary["n_rules"].is_monotonic_increasing
    True
    """
    estimators = {"squared_error": FIRERegressor, "log_loss": FIREClassifier}
    if loss not in estimators:
        raise ValueError(f"loss must be one of {sorted(estimators)}; got {loss!r}.")
    base = estimators[loss](**params)
    base._validate_params()
    problem = base._prepare(X, y, sample_weight)
    if lambdas is None:
        top = problem.lambda_max()
        if top == 0.0:
            warn_user("y is constant (or every rule is orthogonal to it): all rule weights "
                      "are zero at every lambda, so the path has the single point 0.",
                      UserWarning)
            lambdas = np.zeros(1)
        else:
            lambdas = top * np.geomspace(1.0, lambda_min_ratio, n_lambdas)
    lambdas = np.asarray(lambdas, dtype=np.float64)
    if lambdas.ndim != 1 or lambdas.size == 0 or np.any(lambdas < 0) or np.any(np.diff(lambdas) > 0):
        raise ValueError("lambdas must be a non-empty, non-increasing sequence of values >= 0.")
    models, rows = [], []
    progress = Progress(len(lambdas), "path points", verbose)
    for lam in lambdas:
        _, updates, converged, kkt = problem.solve(lam, base.lambda_fusion,
                                                   max_iter=base.max_iter, tol=base.tol)
        model = clone(base).set_params(lambda_sparse=float(lam))
        for attr in ("n_features_in_", "feature_names_in_", "ensemble_", "_rules", "classes_"):
            if hasattr(base, attr):
                setattr(model, attr, getattr(base, attr))
        model._store(problem, updates, converged, kkt)
        model._fit_complete = True  # fitted here, not by fit()
        models.append(model)
        rows.append((lam, model.n_rules_, model.n_trees_used_, model.n_nodes_kept_,
                     model.objective_, model.n_iter_, model.converged_, model.kkt_violation_))
        progress.update(info=f"{model.n_rules_} rules")
    progress.close()
    summary = pd.DataFrame(rows, columns=["lambda_sparse", "n_rules", "n_trees", "n_nodes",
                                          "objective", "n_iter", "converged", "kkt_violation"])
    return models, summary
