"""Penalties of the linear models: L0 plus an optional L1 or squared-L2 term.

Each penalty is a small object that maps the user's ``gamma`` to the kernel's
``(lambda_1, lambda_2)`` pair, evaluates itself in NumPy (for tests and
reporting) and builds its default ``gamma`` grid.  Adding a penalty of the form
``lambda_0 ||b||_0 + lambda_1 ||b||_1 + lambda_2 ||b||_2^2`` means adding one
class here and one entry in ``PENALTIES``.
"""

import numpy as np


class _Penalty:
    name = None

    def split(self, gamma):
        """Return ``(lambda_1, lambda_2)`` for this penalty at ``gamma``."""
        raise NotImplementedError

    def value(self, beta, lambda_0, gamma, n_excluded=0):
        """``lambda_0 * #nonzero (beyond the first n_excluded) + lambda_1|b|_1 + lambda_2|b|^2``."""
        lam1, lam2 = self.split(gamma)
        beta = np.asarray(beta, dtype=float)
        return (lambda_0 * np.count_nonzero(beta[n_excluded:])
                + lam1 * np.abs(beta).sum() + lam2 * beta @ beta)

    def default_gammas(self, num_gamma, gamma_max, gamma_min, max_abs_gradient):
        """L0Learn's gamma grid (decreasing)."""
        raise NotImplementedError


class L0(_Penalty):
    """``lambda_0 ||b||_0`` alone; ``gamma`` is not used."""

    name = "L0"

    def split(self, gamma):
        return 0.0, 0.0

    def default_gammas(self, num_gamma, gamma_max, gamma_min, max_abs_gradient):
        return np.zeros(1)


class L0L2(_Penalty):
    """``lambda_0 ||b||_0 + gamma ||b||_2^2``."""

    name = "L0L2"

    def split(self, gamma):
        return 0.0, float(gamma)

    def default_gammas(self, num_gamma, gamma_max, gamma_min, max_abs_gradient):
        # L0Learn: num_gamma == 1 means gamma_max alone.
        if num_gamma == 1:
            return np.array([float(gamma_max)])
        return np.logspace(np.log10(gamma_max), np.log10(gamma_min), num_gamma)


class L0L1(_Penalty):
    """``lambda_0 ||b||_0 + gamma ||b||_1``."""

    name = "L0L1"

    def split(self, gamma):
        return float(gamma), 0.0

    def default_gammas(self, num_gamma, gamma_max, gamma_min, max_abs_gradient):
        if num_gamma == 1:
            return np.array([float(gamma_max)])
        # L0Learn starts at gamma = max|x_j' y|, where every model is empty and the
        # whole lambda_0 path is wasted; we drop that point and keep num_gamma values
        # of the same geometric grid below it.
        top = max_abs_gradient
        grid = np.logspace(np.log10(top), np.log10(top * gamma_min), num_gamma + 1)
        return grid[1:]


PENALTIES = {cls.name: cls() for cls in (L0, L0L1, L0L2)}
