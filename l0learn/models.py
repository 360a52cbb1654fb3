"""L0Learn's ``l0learn.models`` module: result objects and loss helpers.

Code written for L0Learn 0.4.3 imports these names from here unchanged.  The
implementations live in :mod:`l0learn.linear_model` (see
``_compat_models`` for the deliberate differences from L0Learn).
"""

from .linear_model._compat_models import (CVFitModel, FitModel, logistic_loss,
                                          regularization_loss, squared_error,
                                          squared_hinge_loss)

__all__ = ["FitModel", "CVFitModel", "regularization_loss", "squared_error", "logistic_loss",
           "squared_hinge_loss"]
