"""Matplotlib helpers (the optional ``plot`` extra); matplotlib is imported on first use."""

import numpy as np


def _axes(ax, **figure_kwargs):
    """``ax``, or the axes of a new figure (``figure_kwargs`` go to ``plt.subplots``)."""
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install 'l0learn-mio[plot]'") from exc
    figure_kwargs.setdefault("figsize", (6, 4))
    return plt.subplots(**figure_kwargs)[1]


def plot_coefficient_path(path, index=None, *, show_lines=True, ax=None):
    """Coefficients against support size along a path.

    Parameters
    ----------
    path : RegularizationPath
        A path from :func:`l0learn.l0_path` (or an estimator's ``path_``).
    index : array-like of int, default=None
        Which solutions (default: all).
    show_lines : bool, default=True
        Join each coefficient's values with a line.
    ax : matplotlib Axes, default=None
        Draw here; otherwise on a new figure.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from l0learn import l0_path
    >>> from l0learn.datasets import make_sparse_regression
    >>> from l0learn.plotting import plot_coefficient_path
    >>> X, y, _ = make_sparse_regression(100, 30, 3, seed=0)
    >>> ax = plot_coefficient_path(l0_path(X, y, max_support_size=5))
    >>> ax.get_xlabel()
    'support size'
    """
    ax = _axes(ax)
    idx = np.arange(len(path)) if index is None else np.asarray(index)
    coef = path.coef[:, idx].toarray()
    size = path.support_size[idx]
    for row in coef[np.any(coef != 0, axis=1)]:
        ax.plot(size, row, "-o" if show_lines else "o", markersize=3)
    ax.set_xlabel("support size")
    ax.set_ylabel("coefficient")
    ax.axhline(0.0, color="gray", linewidth=0.5)
    return ax


def plot_cv_errors(support_size, means, sds, *, ax=None, **figure_kwargs):
    """Cross-validation error (mean +- one sd over folds) against support size.

    Parameters
    ----------
    support_size : array-like of int
        Support size of each path point (the x axis).
    means, sds : array-like of float
        Mean and standard deviation of the held-out error of each point.
    ax : matplotlib Axes, default=None
        Draw here; otherwise on a new figure.
    **figure_kwargs
        Passed to ``plt.subplots`` for the new figure (e.g. ``figsize``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from l0learn.plotting import plot_cv_errors
    >>> ax = plot_cv_errors([0, 1, 2], [1.0, 0.5, 0.6], [0.1, 0.1, 0.1])
    >>> ax.get_ylabel()
    'CV mean squared error'
    """
    ax = _axes(ax, **figure_kwargs)
    ax.errorbar(support_size, means, yerr=sds, fmt="o-", capsize=2, markersize=3)
    ax.set_xlabel("support size")
    ax.set_ylabel("CV mean squared error")
    return ax


def plot_shape_functions(model, features=None, *, n_cols=3, axes=None):
    """One panel per shape function of a fitted FAST model (as EBM's global explanations).

    Numeric features are drawn as step functions over the training range,
    categorical ones (and the missing-value level) as bars.

    Parameters
    ----------
    model : FASTRegressor or FASTClassifier (fitted)
        The fitted additive model.
    features : list of int or str, default=None
        Which features (default: the non-zero shapes, by importance).
    n_cols : int, default=3
        Panels per row when ``axes`` is not given.
    axes : array of matplotlib Axes, default=None
        One panel per drawn feature; otherwise a new figure.

    Returns
    -------
    axes : ndarray of matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from l0learn import FASTRegressor
    >>> from l0learn.plotting import plot_shape_functions
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> axes = plot_shape_functions(FASTRegressor(lambda_fusion=0.01, max_features=3).fit(X, y))
    """
    if features is None:
        active = np.asarray(model.active_features_)
        order = np.argsort(-model.feature_importances_[active], kind="stable")
        features = [int(j) for j in active[order]]
    index = [model._feature_index(f) for f in features]
    if axes is None:
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("plotting needs matplotlib: pip install 'l0learn-mio[plot]'") from exc
        n = max(len(index), 1)
        rows = (n + n_cols - 1) // n_cols
        cols = min(n, n_cols)
        _, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    axes = np.asarray(axes).ravel()
    for ax, j in zip(axes, index):
        lev, vals = model.levels_[j], model.shape_values_[j]
        if lev.kind == 1:  # categorical: one bar per category (and missing)
            labels = [str(c) for c in model._category_labels(j)]
            heights = list(vals[:lev.n_chain])
            if lev.has_missing:
                labels.append("missing")
                heights.append(vals[lev.n_chain])
            ax.bar(range(len(labels)), heights)
            ax.set_xticks(range(len(labels)), labels, rotation=45)
        else:
            x = np.r_[lev.thresholds, lev.thresholds[-1]]
            ax.step(x, np.r_[vals[:lev.n_chain], vals[lev.n_chain - 1]], where="post")
            if lev.has_missing:
                ax.text(0.02, 0.95, f"missing: {vals[lev.n_chain]:.3g}",
                        transform=ax.transAxes, va="top", fontsize=8)
        ax.axhline(0.0, color="gray", linewidth=0.5)
        ax.set_title(model._name(j))
    for ax in axes[len(index):]:
        ax.set_visible(False)
    return axes
