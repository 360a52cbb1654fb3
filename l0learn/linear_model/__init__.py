"""Sparse linear models: L0-regularised regression and classification.

* :mod:`.regression` -- :class:`L0Regressor`, :class:`L0RegressorCV`;
* :mod:`.classification` -- :class:`L0Classifier`, :class:`L0ClassifierCV`
  (logistic and squared-hinge losses);
* :mod:`.path` -- :func:`l0_path` and the cross-validated path shared by both;
* :mod:`.compat` -- L0Learn's functional API (:func:`fit`, :func:`cvfit`);
* solvers: ``_design`` (the implicitly normalised problem), ``_penalties``,
  ``_solver`` (active-set CD, swap local search, paths),
  ``_classification_solver``, and the numba kernels ``_cd_kernels``,
  ``_classification_kernels``;
* exact L0L2 regression: ``_exact`` (the :class:`bnb.Problem`, certified big-M)
  and ``_relaxation_kernels`` (its node relaxation).
"""

from .classification import L0Classifier, L0ClassifierCV
from .compat import CVFitModel, FitModel, cvfit, fit
from .path import RegularizationPath, l0_path
from .regression import L0Regressor, L0RegressorCV

__all__ = ["L0Regressor", "L0RegressorCV", "L0Classifier", "L0ClassifierCV", "RegularizationPath",
           "l0_path", "FitModel", "CVFitModel", "fit", "cvfit"]
