"""Response standardisation for estimators whose penalties act on a unit-free response."""

import numpy as np


def standardise_response(y, w, centre=True):
    """Weighted mean (0 without ``centre``), weighted spread and standardised ``y``.

    ``w`` sums to one.  The spread is the root weighted mean square about the
    centre; a (numerically) constant response gets spread 1 and residual 0.
    Used by the estimators whose penalties act on the standardised response
    (FAST, FIRE).
    """
    mean = float(np.sum(w * y)) if centre else 0.0
    scale = float(np.sqrt(np.sum(w * (y - mean) ** 2)))
    if scale <= 1e-12 * max(1.0, abs(mean)):
        return mean, 1.0, np.zeros_like(y, dtype=np.float64)
    return mean, scale, (y - mean) / scale
