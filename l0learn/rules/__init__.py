"""FIRE: a few readable rules from a fitted tree ensemble.

* :mod:`.fire` -- :class:`FIRERegressor`, :class:`FIREClassifier` and :func:`fire_path`;
* ``_ensemble`` -- leaves of a scikit-learn ensemble as rules (codes, values, text);
* ``_kernels`` -- greedy block coordinate descent over trees (numba).
"""

from .fire import FIREClassifier, FIRERegressor, fire_path

__all__ = ["FIREClassifier", "FIRERegressor", "fire_path"]
