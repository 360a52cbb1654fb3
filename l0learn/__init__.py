"""Mixed-integer statistical estimation: sparse models by discrete optimisation.

One subpackage per estimator family -- :mod:`l0learn.linear_model`,
:mod:`l0learn.covariance`, :mod:`l0learn.additive`, :mod:`l0learn.rules`,
:mod:`l0learn.multitask` -- on top of the shared pieces in ``l0learn._shared``
and the public :mod:`l0learn.datasets`, :mod:`l0learn.metrics` and
:mod:`l0learn.plotting`.  :mod:`l0learn.interface` and :mod:`l0learn.models` are
L0Learn 0.4.3's module names, so code written for L0Learn imports unchanged.  Exact solvers are :class:`bnb.Problem` instances run by
the generic engine in :mod:`bnb`.
"""

__version__ = "0.1.0"

from .additive import (FASTClassifier, FASTClassifierCV, FASTRegressor,  # noqa: E402
                       FASTRegressorCV)
from .covariance import GraphL0BnB, GraphL0BnBCV  # noqa: E402
from .linear_model import (CVFitModel, FitModel, L0Classifier, L0ClassifierCV,  # noqa: E402
                           L0Regressor, L0RegressorCV, RegularizationPath, cvfit, fit, l0_path)
from .multitask import MultiTaskL0Regressor, MultiTaskL0RegressorCV  # noqa: E402
from .rules import FIREClassifier, FIRERegressor, fire_path  # noqa: E402
from . import interface, models  # noqa: E402,F401  (L0Learn's module names)

__all__ = ["L0Regressor", "L0RegressorCV", "L0Classifier", "L0ClassifierCV", "RegularizationPath", "l0_path",
           "FitModel", "CVFitModel", "fit", "cvfit", "FASTRegressor", "FASTRegressorCV",
           "FASTClassifier", "FASTClassifierCV", "FIREClassifier", "FIRERegressor", "fire_path", "MultiTaskL0Regressor",
           "MultiTaskL0RegressorCV", "GraphL0BnB", "GraphL0BnBCV", "__version__"]
