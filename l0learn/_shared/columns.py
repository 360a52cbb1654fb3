"""Constant and duplicate columns: found the same way, reported the same way, everywhere.

Every estimator warns (naming the columns) when ``X`` has columns that carry no
information (constant) or the same information twice (identical), and says
what that means for its own model.  Constancy is judged relative to the
column's own magnitude, so rescaling ``X`` by any power of ten changes nothing.
"""

import numpy as np
import scipy.sparse as sp

from .warn import warn_user

# A column whose spread is below this fraction of its largest magnitude is constant
# (its variation is at rounding level).
RELATIVE_SPREAD_TOL = 1e-10


def constant_columns(X):
    """Boolean mask of columns whose spread is at rounding level (NaN entries ignored).

    A column that is constant apart from missing values (NaN) is *not* constant:
    its missingness is information.
    """
    if sp.issparse(X):
        X = sp.csc_matrix(X)
        n = X.shape[0]
        counts = np.diff(X.indptr)
        hi = np.asarray(X.max(axis=0).toarray()).ravel()
        lo = np.asarray(X.min(axis=0).toarray()).ravel()
        # A stored-full column is constant when max == min; a column with implicit zeros
        # is constant only when every stored value is zero as well.
        spread = np.where(counts == n, hi - lo, np.maximum(hi, 0) - np.minimum(lo, 0))
        scale = np.maximum(np.abs(hi), np.abs(lo))
        return spread <= RELATIVE_SPREAD_TOL * scale
    X = np.asarray(X, dtype=np.float64)
    if not np.isnan(X).any():  # the common case: no temporary copies of X
        hi, lo = X.max(axis=0), X.min(axis=0)
        return (hi - lo) <= RELATIVE_SPREAD_TOL * np.maximum(np.abs(hi), np.abs(lo))
    missing = np.isnan(X)
    has_missing = missing.any(axis=0)
    with np.errstate(all="ignore"):
        hi = np.where(missing.all(axis=0), 0.0, np.nanmax(np.where(missing, -np.inf, X), axis=0))
        lo = np.where(missing.all(axis=0), 0.0, np.nanmin(np.where(missing, np.inf, X), axis=0))
    scale = np.maximum(np.abs(hi), np.abs(lo))
    flat = (hi - lo) <= RELATIVE_SPREAD_TOL * scale
    partly_missing = has_missing & ~missing.all(axis=0)
    return flat & ~partly_missing


def find_duplicate_columns(X, skip=None, rng_seed=0, fingerprints=None):
    """Return pairs ``(j, k)`` (j < k) of identical columns of ``X`` (NaN equals NaN).

    Candidates are columns with equal fingerprints -- by default two random
    projections of every column (one pass over ``X``); a caller that already
    has per-column statistics (means and norms) passes them as ``fingerprints``
    of shape (n_features, 2) and saves that pass.  Candidates are then compared
    exactly.  Columns flagged in ``skip`` (e.g. constant ones, reported
    separately) are ignored.
    """
    n, p = X.shape
    if p < 2:
        return []
    if fingerprints is not None:
        proj = np.asarray(fingerprints, dtype=np.float64)
    elif sp.issparse(X):
        proj = np.asarray(X.T @ np.random.default_rng(rng_seed).standard_normal((n, 2)))
    else:
        # NaN (missing) entries project as a fixed odd value so that equal patterns match.
        filled = np.where(np.isnan(X), np.pi, X) if np.isnan(X).any() else X
        proj = np.asarray(filled.T @ np.random.default_rng(rng_seed).standard_normal((n, 2)))
    keep = np.arange(p) if skip is None else np.flatnonzero(~skip)
    order = keep[np.lexsort((proj[keep, 1], proj[keep, 0]))]  # equal fingerprints adjacent
    sp_ = proj[order]
    close = np.all(np.abs(sp_[1:] - sp_[:-1]) <= 1e-9 * (1.0 + np.abs(sp_[1:])), axis=1)
    pairs = []
    for a in np.flatnonzero(close):
        j, k = sorted((int(order[a]), int(order[a + 1])))
        cj, ck = X[:, [j]], X[:, [k]]
        if sp.issparse(X):
            equal = (cj != ck).nnz == 0
        else:
            equal = np.array_equal(cj, ck, equal_nan=True)
        if equal:
            pairs.append((j, k))
    return pairs


def warn_degenerate_columns(X, *, constant=None, fingerprints=None, feature_names=None,
                            consequence="their coefficients are fixed at 0",
                            duplicates="at most one of each pair is selected and which one "
                                       "is arbitrary"):
    """Warn, naming them, about constant columns and pairs of identical columns.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    constant : ndarray of bool, default=None
        The constant columns as the estimator judged them (computed when ``None``).
    fingerprints : ndarray of shape (n_features, 2), default=None
        Per-column statistics that identical columns share (see
        :func:`find_duplicate_columns`).
    feature_names : sequence of str, default=None
    consequence, duplicates : str
        What each finding means for the estimator's model (ends the sentence).

    Returns
    -------
    constant : ndarray of bool
    """
    if constant is None:
        constant = constant_columns(X)

    def name(j):
        return str(feature_names[j]) if feature_names is not None else f"x{j}"

    const = np.flatnonzero(constant)
    if const.size:
        shown = ", ".join(name(j) for j in const[:10]) + (" ..." if const.size > 10 else "")
        warn_user(f"{const.size} constant column(s) ({shown}) carry no information; "
                  f"{consequence}.", UserWarning)
    if duplicates is not None:
        pairs = find_duplicate_columns(X, skip=constant, fingerprints=fingerprints)
        if pairs:
            shown = ", ".join(f"{name(j)}={name(k)}" for j, k in pairs[:10])
            warn_user(f"{len(pairs)} pair(s) of identical columns ({shown}); {duplicates}.",
                      UserWarning)
    return constant
