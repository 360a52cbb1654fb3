"""Sparse Gaussian graphical models: :class:`GraphL0BnB`, :class:`GraphL0BnBCV`.

Named after :mod:`sklearn.covariance`, where scikit-learn users find
``GraphicalLasso``: these estimators fit the same object (a sparse precision
matrix, ``precision_`` and ``location_``) by l0l2-penalised pseudolikelihood.

* :mod:`.graph_l0bnb` -- the estimators;
* ``_solver`` -- active-set CD, row swaps, paths, held-out pseudolikelihood;
* ``_kernels`` -- numba kernels in covariance form (pair and diagonal moves);
* ``_exact`` and ``_hull_kernels`` -- the :class:`bnb.Problem` with its
  perspective and diagonal-aware (hull) node relaxations.
"""

from .graph_l0bnb import GraphL0BnB, GraphL0BnBCV

__all__ = ["GraphL0BnB", "GraphL0BnBCV"]
