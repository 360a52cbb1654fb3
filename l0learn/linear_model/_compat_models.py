"""L0Learn's result objects (:class:`FitModel`, :class:`CVFitModel`) and loss helpers.

The classes hold exactly L0Learn 0.4.3's fields, so code that builds or reads
them keeps working; everything (coefficients, predictions, scores, plots) is
computed from those fields.  Differences from L0Learn, each deliberate:

* ``squared_hinge_loss`` sums ``max(0, 1 - y f)^2`` over samples; L0Learn's helper
  takes ``np.max`` over the samples instead of ``np.maximum`` element-wise (a bug);
* ``score(training=True)`` adds the penalties of the coefficients without the
  intercept (L0Learn counts the intercept as a selected feature);
* ``score`` maps any two labels to 0/1 (Logistic) or -1/+1 (SquaredHinge), the
  larger label being positive, as :func:`l0learn.fit` does.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._shared.warn import warn_user


# -- losses ---------------------------------------------------------------------------------
def _penalty_vectors(n_solutions, l0, l1, l2):
    """Broadcast the three penalty weights to one value per solution (or raise)."""
    arrays = [np.asarray(v, dtype=np.float64) for v in (l0, l1, l2)]
    for name, a in zip(("l0", "l1", "l2"), arrays):
        if a.ndim > 1:
            raise ValueError(f"{name} must be a number or a 1-D sequence (one per solution); "
                             f"got an array of shape {a.shape}.")
        if a.ndim == 1 and a.shape[0] != n_solutions:
            raise ValueError(f"{name} has {a.shape[0]} values for {n_solutions} solution(s).")
    return [np.broadcast_to(a, (n_solutions,)) for a in arrays]


def regularization_loss(coeffs, l0=0, l1=0, l2=0):
    """Penalty of each solution: ``l0 ||b||_0 + l1 ||b||_1 + l2 ||b||_2^2``.

    Parameters
    ----------
    coeffs : sparse matrix or ndarray of shape (n_features, n_solutions)
        One column of coefficients per solution.
    l0, l1, l2 : float or sequence of float of length n_solutions
        Penalty weights, one value for all solutions or one per solution.

    Returns
    -------
    loss : float (one solution) or ndarray of shape (n_solutions,)

    Examples
    --------
    >>> import numpy as np
    >>> from l0learn.models import regularization_loss
    >>> regularization_loss(np.array([[0.0], [2.0], [-1.0]]), l0=1, l1=0.5)
    3.5
    """
    C = sp.csc_matrix(coeffs, dtype=np.float64)
    C.eliminate_zeros()
    C.sort_indices()
    k = C.shape[1]
    w0, w1, w2 = _penalty_vectors(k, l0, l1, l2)
    nnz = np.diff(C.indptr)
    # Each column's nonzeros, top-aligned in a zero-padded block: summing the block along
    # axis 0 adds every column's values one by one in row order (the rounding of a plain
    # loop), whatever numpy's vectorised reductions would do with a flat segment.
    block = np.zeros((int(nnz.max(initial=0)), k))
    block[np.arange(C.nnz) - np.repeat(C.indptr[:-1], nnz), np.repeat(np.arange(k), nnz)] = C.data
    absolute = np.abs(block).sum(axis=0)
    squares = np.square(block).sum(axis=0)
    loss = w0 * nnz + w1 * absolute + w2 * squares
    return float(loss[0]) if k == 1 else loss


def _with_penalty(loss, coeffs, l0, l1, l2):
    return loss if coeffs is None else loss + regularization_loss(coeffs, l0, l1, l2)


def _aligned(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_pred.ndim == 2 and y_true.ndim == 1:
        y_true = y_true[:, None]  # one column of predictions per solution
    return y_true, y_pred


def squared_error(y_true, y_pred, coeffs=None, l0=0, l1=0, l2=0):
    """``0.5 * sum((y - y_hat)^2)`` per solution, plus the penalties when ``coeffs`` is given.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed responses (labels for the classification losses).
    y_pred : array-like of shape (n_samples,) or (n_samples, n_solutions)
        Predictions, one column per solution.
    coeffs : sparse matrix of shape (n_features, n_solutions), default=None
        When given, each solution's penalties are added.
    l0, l1, l2 : float or sequence of float, default=0
        Penalty weights for ``coeffs`` (see :func:`regularization_loss`).

    Examples
    --------
    >>> from l0learn.models import squared_error
    >>> float(squared_error([1.0, 2.0], [1.0, 4.0]))
    2.0
    """
    y_true, y_pred = _aligned(y_true, y_pred)
    return _with_penalty(0.5 * np.square(y_true - y_pred).sum(axis=0), coeffs, l0, l1, l2)


def logistic_loss(y_true, y_pred, coeffs=None, l0=0, l1=0, l2=0, eps=1e-15):
    """Negative log-likelihood of 0/1 labels under probabilities ``y_pred``, summed over samples.

    Probabilities are clipped to ``[eps, 1 - eps]`` so that a confident mistake
    costs a large finite amount.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed responses (labels for the classification losses).
    y_pred : array-like of shape (n_samples,) or (n_samples, n_solutions)
        Predicted probabilities of label 1, one column per solution.
    coeffs : sparse matrix of shape (n_features, n_solutions), default=None
        When given, each solution's penalties are added.
    l0, l1, l2 : float or sequence of float, default=0
        Penalty weights for ``coeffs`` (see :func:`regularization_loss`).
    eps : float, default=1e-15
        Probabilities are clipped to ``[eps, 1 - eps]``.

    Examples
    --------
    >>> import numpy as np
    >>> from l0learn.models import logistic_loss
    >>> round(float(logistic_loss(np.ones(4), np.full(4, 0.5))), 6)
    2.772589
    """
    y_true, y_pred = _aligned(y_true, y_pred)
    prob = np.clip(y_pred, eps, 1.0 - eps)
    loss = -(y_true * np.log(prob) + (1.0 - y_true) * np.log1p(-prob)).sum(axis=0)
    return _with_penalty(loss, coeffs, l0, l1, l2)


def squared_hinge_loss(y_true, y_pred, coeffs=None, l0=0, l1=0, l2=0):
    """``sum(max(0, 1 - y f)^2)`` for labels ``y`` in {-1, +1} and scores ``f``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels in {-1, +1}.
    y_pred : array-like of shape (n_samples,) or (n_samples, n_solutions)
        Scores ``f`` (linear predictions), one column per solution.
    coeffs : sparse matrix of shape (n_features, n_solutions), default=None
        When given, each solution's penalties are added.
    l0, l1, l2 : float or sequence of float, default=0
        Penalty weights for ``coeffs`` (see :func:`regularization_loss`).

    Examples
    --------
    >>> import numpy as np
    >>> from l0learn.models import squared_hinge_loss
    >>> float(squared_hinge_loss(np.array([1.0, -1.0]), np.array([0.5, 0.5])))
    2.5
    """
    y_true, y_pred = _aligned(y_true, y_pred)
    margin = np.maximum(0.0, 1.0 - y_true * y_pred)
    return _with_penalty(np.square(margin).sum(axis=0), coeffs, l0, l1, l2)


def _binary(y, positive_zero_one):
    """Labels as 0/1 (or -1/+1): already so when they are, else larger label positive."""
    y = np.asarray(y)
    values = set(np.unique(y).tolist())
    if values <= {0, 1}:
        y01 = y.astype(np.float64)
    elif values <= {-1, 1}:
        y01 = (y == 1).astype(np.float64)
    else:
        y01 = (y == np.max(y)).astype(np.float64)
    return y01 if positive_zero_one else 2.0 * y01 - 1.0


# -- result objects -------------------------------------------------------------------------
def _nearest(values, target):
    return int(np.argmin(np.abs(np.asarray(values, dtype=np.float64) - target)))


@dataclass(repr=False, eq=False)
class FitModel:
    """Solutions of :func:`l0learn.fit`, grouped by gamma, in L0Learn's layout.

    Parameters
    ----------
    settings : dict
        ``loss``, ``intercept``, ``penalty`` (and ``algorithm``).
    lambda_0 : list of list of float
        One decreasing list per gamma.
    gamma : list of float
        The gamma values (0 for ``penalty="L0"``).
    support_size, intercepts, converged : list of list
        One list per gamma, aligned with ``lambda_0``.
    coeffs : list of scipy.sparse.csc_matrix
        One ``(n_features, n_lambda)`` matrix per gamma, on the original scale.
    objective : list of list of float, default=None
        The normalised objective of each solution (set by :func:`l0learn.fit`).
    path : RegularizationPath, default=None
        The same solutions as one flat path (set by :func:`l0learn.fit`).

    Examples
    --------
    >>> import l0learn
    >>> from l0learn.datasets import make_sparse_regression
    >>> X, y, _ = make_sparse_regression(100, 30, 3, seed=0)
    >>> model = l0learn.fit(X, y, max_support_size=5)
    >>> list(model.characteristics().columns)
    ['l0', 'support_size', 'intercept', 'converged']
    >>> model.predict(X[:2], lambda_0=model.lambda_0[0][-1]).shape
    (2, 1)
    """

    settings: dict
    lambda_0: list
    gamma: list
    support_size: list
    coeffs: list
    intercepts: list
    converged: list
    objective: list = field(default=None, kw_only=True)
    path: object = field(default=None, kw_only=True)

    def __repr__(self):
        n = sum(len(lams) for lams in self.lambda_0)
        return (f"{type(self).__name__}(loss={self.settings.get('loss')!r}, penalty="
                f"{self.settings.get('penalty')!r}, {n} solutions over {len(self.gamma)} gamma "
                "value(s))")

    def _repr_html_(self):
        return self.characteristics()._repr_html_()

    # -- selection ------------------------------------------------------------------------
    def _selection(self, lambda_0=None, gamma=None):
        """(gamma index, lambda indices) pairs of the selected solutions, in path order.

        Nearest values are taken; ``lambda_0`` alone means the first gamma.  A
        ``lambda_0`` outside that gamma's grid is answered with the nearest grid end
        and a warning (the solution at that value was never computed).
        """
        if gamma is None and lambda_0 is None:
            return [(g, np.arange(len(lams))) for g, lams in enumerate(self.lambda_0)]
        gi = 0 if gamma is None else _nearest(self.gamma, gamma)
        lams = self.lambda_0[gi]
        if lambda_0 is None:
            return [(gi, np.arange(len(lams)))]
        lo, hi = min(lams), max(lams)
        if lambda_0 < lo * (1 - 1e-9) or lambda_0 > hi * (1 + 1e-9):
            li = _nearest(lams, lambda_0)
            warn_user(f"lambda_0={lambda_0:g} lies outside the grid of gamma={self.gamma[gi]:g} "
                      f"([{lo:.4g}, {hi:.4g}]); returning the nearest solution (lambda_0="
                      f"{lams[li]:.4g}). Pick a value from model.lambda_0[{gi}].", UserWarning)
        return [(gi, np.array([_nearest(lams, lambda_0)]))]

    def coeff(self, lambda_0=None, gamma=None, include_intercept=True):
        """Coefficients of the selected solutions, one column each.

        Parameters
        ----------
        lambda_0, gamma : float, default=None
            Nearest values are used.  Neither: every solution; ``gamma`` only: every
            solution of that gamma; ``lambda_0`` only: the first gamma's solution.
        include_intercept : bool, default=True
            Put the intercepts in row 0.

        Returns
        -------
        coef : scipy.sparse.csc_matrix of shape (n_features [+ 1], n_solutions)
        """
        sel = self._selection(lambda_0, gamma)
        coef = sp.hstack([sp.csc_matrix(self.coeffs[g])[:, idx] for g, idx in sel], format="csc")
        if include_intercept:
            b0 = np.concatenate([np.asarray(self.intercepts[g])[idx] for g, idx in sel])
            coef = sp.vstack([sp.csc_matrix(b0[None, :]), coef], format="csc")
        return coef

    def characteristics(self, lambda_0=None, gamma=None):
        """One row per selected solution: ``l0``, ``support_size``, ``intercept``, ``converged``
        and, for L0L1 / L0L2, the gamma as ``l1`` / ``l2`` (L0Learn's columns and order)."""
        second = {"L0L1": "l1", "L0L2": "l2"}.get(self.settings.get("penalty"))
        tables = []
        for g, idx in self._selection(lambda_0, gamma):
            table = {"l0": [self.lambda_0[g][i] for i in idx],
                     "support_size": [self.support_size[g][i] for i in idx],
                     "intercept": [self.intercepts[g][i] for i in idx],
                     "converged": [self.converged[g][i] for i in idx]}
            if second is not None:
                table[second] = [self.gamma[g]] * len(idx)
            tables.append(pd.DataFrame(table))
        return pd.concat(tables).reset_index(drop=True)

    # -- prediction and scores ------------------------------------------------------------
    def predict(self, x, lambda_0=None, gamma=None):
        """Predictions of the selected solutions, shape ``(n_samples, n_solutions)``.

        Linear scores, except for ``loss="Logistic"``: probabilities of the larger label.
        """
        coef = self.coeff(lambda_0, gamma, include_intercept=True)
        x = x if sp.issparse(x) else np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != coef.shape[0] - 1:
            raise ValueError(f"x must have shape (n_samples, {coef.shape[0] - 1}); got "
                             f"{x.shape}.")
        scores = np.asarray(x @ coef[1:]) + coef[0].toarray()
        if self.settings.get("loss") == "Logistic":
            from scipy.special import expit
            return expit(scores)
        return scores

    def score(self, x, y, lambda_0=None, gamma=None, training=False,
              include_characteristics=False):
        """The fit's loss of each selected solution on ``(x, y)``.

        ``SquaredError``: half the residual sum of squares; ``Logistic``: the summed
        negative log-likelihood; ``SquaredHinge``: the summed squared hinge.
        ``training=True`` adds each solution's penalties (its ``l0``, ``l1``/``l2``
        times the coefficients without the intercept).  ``include_characteristics``
        returns :meth:`characteristics` with the score as a column named after the loss.
        """
        loss = self.settings.get("loss", "SquaredError")
        pred = self.predict(x, lambda_0, gamma)
        chars = self.characteristics(lambda_0, gamma)
        coeffs = self.coeff(lambda_0, gamma, include_intercept=False) if training else None
        weights = {k: chars[k].to_numpy(np.float64) if training and k in chars else 0.0
                   for k in ("l0", "l1", "l2")}
        if loss == "Logistic":
            value = logistic_loss(_binary(y, True), pred, coeffs, **weights)
        elif loss == "SquaredHinge":
            value = squared_hinge_loss(_binary(y, False), pred, coeffs, **weights)
        else:
            value = squared_error(y, pred, coeffs, **weights)
        if include_characteristics:
            chars[loss] = value
            return chars
        return value

    # -- plots ----------------------------------------------------------------------------
    def plot(self, gamma=0, show_lines=False, include_legend=False, ax=None, **kwargs):
        """Each selected coefficient against support size along one gamma's path.

        Parameters
        ----------
        gamma : float, default=0
            Nearest gamma is used (L0Learn's default).
        show_lines : bool, default=False
            Join each coefficient's values.
        include_legend : bool, default=False
            Label each line with its feature index.
        ax : matplotlib Axes, default=None
            Draw here; otherwise a new figure (``kwargs`` go to ``plt.subplots``).
        """
        from ..plotting import _axes
        ax = _axes(ax, **kwargs)
        gi = _nearest(self.gamma, gamma)
        coef = sp.csc_matrix(self.coeffs[gi]).toarray()
        size = np.asarray(self.support_size[gi])
        style = "-o" if show_lines else "o"
        for j in np.flatnonzero(np.any(coef != 0, axis=1)):
            ax.plot(size, coef[j], style, markersize=3, label=str(j))
        ax.set_xlabel("support size")
        ax.set_ylabel("coefficient")
        ax.axhline(0.0, color="gray", linewidth=0.5)
        if include_legend and ax.lines:
            ax.legend(title="feature", fontsize="small")
        return ax


@dataclass(repr=False, eq=False)
class CVFitModel(FitModel):
    """:class:`FitModel` with cross-validation errors.

    Parameters
    ----------
    settings, lambda_0, gamma, support_size, coeffs, intercepts, converged
        As for :class:`FitModel`.
    objective, path
        As for :class:`FitModel`.
    cv_means, cv_sds : list of ndarray
        Per gamma: mean and standard deviation (``ddof=1``) over folds of each
        lambda_0's held-out error (mean squared error, log loss or squared hinge,
        by the fit's loss).

    Examples
    --------
    >>> import l0learn
    >>> from l0learn.datasets import make_sparse_regression
    >>> X, y, _ = make_sparse_regression(100, 30, 3, seed=0)
    >>> cv = l0learn.cvfit(X, y, num_folds=3, max_support_size=5)
    >>> len(cv.cv_means[0]) == len(cv.lambda_0[0])
    True
    """

    cv_means: list = field(default=None)
    cv_sds: list = field(default=None)

    def cv_plot(self, gamma=0, ax=None, **kwargs):
        """Cross-validation error (mean +- one sd) against support size for one gamma."""
        from ..plotting import plot_cv_errors
        gi = _nearest(self.gamma, gamma)
        ax = plot_cv_errors(np.atleast_1d(self.support_size[gi]),
                            np.atleast_1d(self.cv_means[gi]), np.atleast_1d(self.cv_sds[gi]),
                            ax=ax, **kwargs)
        loss = {"Logistic": "log loss", "SquaredHinge": "squared hinge"}.get(
            self.settings.get("loss"), "mean squared error")
        ax.set_ylabel(f"CV {loss}")
        return ax

