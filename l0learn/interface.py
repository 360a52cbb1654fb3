"""L0Learn's ``l0learn.interface`` module: :func:`fit`, :func:`cvfit` and the option tuples.

Code written for L0Learn 0.4.3 imports these names from here unchanged.
"""

from .linear_model.compat import (CLASSIFICATION_LOSS, SUPPORTED_ALGORITHM, SUPPORTED_LOSS,
                                  SUPPORTED_PENALTY, cvfit, fit)

__all__ = ["fit", "cvfit", "SUPPORTED_LOSS", "CLASSIFICATION_LOSS", "SUPPORTED_PENALTY",
           "SUPPORTED_ALGORITHM"]
