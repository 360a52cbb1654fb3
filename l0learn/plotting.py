"""Matplotlib helpers (the optional ``plot`` extra); matplotlib is imported on first use."""

import numpy as np


def _axes(ax):
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install 'l0learn-mio[plot]'") from exc
    return plt.figure(figsize=(6, 4)).gca()


def plot_coefficient_path(path, index=None, *, show_lines=True, ax=None):
    """Coefficients against support size along a path.

    Parameters
    ----------
    path : RegularizationPath
    index : array-like of int, default=None
        Which solutions (default: all).
    show_lines : bool, default=True
        Join each coefficient's values with a line.
    ax : matplotlib Axes, default=None

    Returns
    -------
    ax : matplotlib Axes
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


def plot_cv_errors(support_size, means, sds, *, ax=None):
    """Cross-validation error (mean +- one sd over folds) against support size."""
    ax = _axes(ax)
    ax.errorbar(support_size, means, yerr=sds, fmt="o-", capsize=2, markersize=3)
    ax.set_xlabel("support size")
    ax.set_ylabel("CV mean squared error")
    return ax
