"""FAST: additive models with piecewise-constant shape functions.

* :mod:`.fast` -- :class:`FASTRegressor`, :class:`FASTClassifier`,
  :class:`FASTRegressorCV`;
* ``_encoding`` -- features as integer level codes (bins, categories, missing);
* ``_solver`` -- block coordinate descent, feature selection, paths;
* ``_kernels`` -- the numba block updates (exact 1-D solvers from
  :mod:`l0learn._shared.fused`).
"""

from .fast import FASTClassifier, FASTClassifierCV, FASTRegressor, FASTRegressorCV

__all__ = ["FASTRegressor", "FASTRegressorCV", "FASTClassifier", "FASTClassifierCV"]
