"""Mixed-integer statistical estimation: sparse models by discrete optimisation."""

__version__ = "0.1.0"

from .linear import L0Regressor, L0RegressorCV  # noqa: E402
from .classification import L0Classifier, L0ClassifierCV  # noqa: E402
from .path import RegularizationPath, l0_path  # noqa: E402
from .compat import FitModel, CVFitModel, fit, cvfit  # noqa: E402
from .additive import FASTClassifier, FASTRegressor, FASTRegressorCV  # noqa: E402
from .rules import FIRERegressor, fire_path  # noqa: E402
from .multitask import MultiTaskL0Regressor, MultiTaskL0RegressorCV  # noqa: E402
from .graph import GraphL0BnB, GraphL0BnBCV  # noqa: E402

__all__ = ["L0Regressor", "L0RegressorCV", "L0Classifier", "L0ClassifierCV", "RegularizationPath", "l0_path",
           "FitModel", "CVFitModel", "fit", "cvfit", "FASTRegressor", "FASTRegressorCV",
           "FASTClassifier", "FIRERegressor", "fire_path", "MultiTaskL0Regressor",
           "MultiTaskL0RegressorCV", "GraphL0BnB", "GraphL0BnBCV", "__version__"]
