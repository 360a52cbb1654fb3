"""One BLAS thread inside our solvers.

The coordinate-descent solvers call BLAS for one kind of operation, the full
gradient ``X' r`` (a matrix-vector product: memory-bound, so a second thread
gains little).  OpenBLAS's default of one thread per core turns into
oversubscription as soon as anything else runs: another busy process, the
folds of a 2-job cross-validation, ``GridSearchCV(n_jobs=-1)`` or a Dask
worker per core.  One 500 x 5000 product then goes from about 1 ms to 26 ms.
So every solver entry point runs with BLAS limited to one thread; parallelism
comes from our own jobs (folds, grid points), as in L0Learn.
"""

import functools

_CONTROLLER = None


def _controller():
    # Created on first use, after numpy and scipy have loaded their BLAS libraries.
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER


def single_blas_thread(func):
    """Run ``func`` with BLAS limited to one thread (restored afterwards)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with _controller().limit(limits=1, user_api="blas"):
            return func(*args, **kwargs)
    return wrapper
