"""Numba kernels: every ``@njit(cache=True)`` function of the package.

Kernels take plain float64/int32 arrays and scalars only, so each compiles once
per signature and is cached on disk.  A design matrix is passed in one uniform
form whether it is dense or sparse (see :mod:`l0learn._kernels._cd`), which keeps
one compiled signature per kernel.
"""
