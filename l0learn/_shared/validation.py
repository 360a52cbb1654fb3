"""Input checks shared by every estimator: bad input becomes a clear error."""

import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array


def check_design(X, *, estimator_name="this estimator", min_samples=2):
    """Return ``X`` as a float64 array or a canonical CSC matrix.

    Copies only when needed (another dtype, read-only memory, a non-canonical
    sparse matrix); never modifies the caller's object.  The memory order is
    kept: the solvers make their one F-ordered copy themselves, faster.
    """
    X = check_array(X, accept_sparse="csc", dtype=np.float64,
                    accept_large_sparse=False, ensure_min_samples=min_samples,
                    ensure_min_features=1, estimator=estimator_name,
                    force_writeable=True, input_name="X")
    return canonical_sparse(X) if sp.issparse(X) else X


def canonical_sparse(X):
    """CSC with sorted, summed indices and int32 index arrays (copying if needed)."""
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    if X.indices.dtype != np.int32 or X.indptr.dtype != np.int32:
        X = sp.csc_matrix((X.data, X.indices.astype(np.int32), X.indptr.astype(np.int32)),
                          shape=X.shape)
    return X


def check_target(y, n_samples):
    """A finite float64 vector with one entry per sample."""
    y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
    if y.ndim != 1:
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        else:
            raise ValueError(f"y must be 1-dimensional; got an array of shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise ValueError(f"X has {n_samples} samples but y has {y.shape[0]}.")
    return y


def check_weights(sample_weight, n_samples):
    """Non-negative finite weights with a positive sum (ones when ``None``)."""
    if sample_weight is None:
        return np.ones(n_samples)
    w = check_array(sample_weight, ensure_2d=False, dtype=np.float64,
                    input_name="sample_weight")
    if w.ndim == 0:
        w = np.full(n_samples, float(w))
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must have shape ({n_samples},); got {w.shape}.")
    if np.any(w < 0):
        raise ValueError("sample_weight must be non-negative.")
    if not w.sum() > 0:
        raise ValueError("sample_weight must not be all zero: its sum must be positive.")
    if np.count_nonzero(w) < 2:
        raise ValueError("at least 2 samples need a positive sample_weight.")
    return np.array(w, dtype=np.float64)


def check_bounds(bound, n_features, name, sign):
    """A per-coefficient bound vector on the original scale.

    ``sign`` is -1 for lower bounds (which must be <= 0) and +1 for upper bounds
    (which must be >= 0).  ``None`` means unbounded.
    """
    if bound is None:
        return np.full(n_features, sign * np.inf)
    arr = np.asarray(bound, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n_features, float(arr))
    if arr.shape != (n_features,):
        raise ValueError(
            f"{name} must be a scalar or have one entry per feature ({n_features}); "
            f"got shape {arr.shape}.")
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} contains NaN.")
    if sign < 0 and np.any(arr > 0):
        raise ValueError(f"{name} must be <= 0 (zero must be feasible for every coefficient).")
    if sign > 0 and np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 (zero must be feasible for every coefficient).")
    return arr


def check_bound_pair(lower, upper):
    if np.any(lower >= upper):
        raise ValueError("lower_bounds must be strictly smaller than upper_bounds.")


class ParameterError(ValueError, TypeError):
    """A parameter of the wrong type: catchable as ``TypeError`` and as ``ValueError``.

    scikit-learn's own parameter errors are both; L0Learn raises ``ValueError``
    for a count given as ``2.0``, and code written for either keeps working.
    """


def check_count(value, name, *, minimum=0, allow_none=True):
    """An integer >= ``minimum`` (or ``None`` when allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"{name} must be an integer; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}.")
    return int(value)


def check_lambda_grid(grid):
    """A strictly decreasing sequence of positive finite numbers."""
    arr = np.asarray(grid, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("a lambda grid must be a non-empty 1-D sequence.")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError("lambda grid values must be positive and finite.")
    if np.any(np.diff(arr) >= 0):
        raise ValueError("a lambda grid must be strictly decreasing.")
    return arr
