"""The normalised least-squares problem the kernels solve, without copying ``X``.

Working columns are ``x~_j = (x_j - mu_j) / s_j`` (weighted mean and weighted
norm, so ``sum_i w_i x~_ij^2 = 1``) and the working response is
``y~ = (y - ybar) / scale_y`` with ``scale_y = ||sqrt(w) (y - ybar)||``.  This is
L0Learn's scaling (unit-norm columns and response, one half of the residual sum
of squares, no ``1/n``), so ``lambda_0`` and ``gamma`` mean what they mean in
L0Learn and L0BnB.  Sample weights enter as ``sum_i w_i r_i^2``.
"""


import numpy as np
import scipy.sparse as sp

from ._cd_kernels import column_stats

# Placeholder dense array for sparse designs: 2 x 2 so it is F-contiguous only
# (an empty array counts as C-contiguous and would compile a second signature).
_EMPTY_DENSE = np.zeros((2, 2), dtype=np.float64, order="F")
_EMPTY_FLOAT = np.empty(0, dtype=np.float64)
_EMPTY_INT = np.empty(0, dtype=np.int32)


def _fortran_only(X):
    """``X`` as an array numba types as F-contiguous (copied only when it is not).

    The kernels read columns, so a C-ordered ``X`` (numpy's default) is copied
    once, here (the validation upstream keeps the caller's order, so this is the
    only copy).
    A single-column array is both C- and F-contiguous and numba would type it as
    C, compiling a second signature; pad it with a zero column the kernels never
    visit (they loop over ``n_features`` columns only).
    """
    if X.shape[1] == 1 or (X.flags.c_contiguous and X.flags.f_contiguous):
        padded = np.zeros((X.shape[0], X.shape[1] + 1), order="F")
        padded[:, :X.shape[1]] = X
        return padded
    if X.flags.f_contiguous:
        return X
    return np.asfortranarray(X)


def weighted_norm(v, w):
    """``sqrt(sum w v^2)`` without overflow or underflow of the squares."""
    top = float(np.abs(v).max()) if v.size else 0.0
    if not top > 0.0 or not np.isfinite(top):
        return top
    u = v / top
    return float(top * np.sqrt(w @ (u * u)))


class Design:
    """A validated design matrix with its implicit centring and scaling.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), F-ordered float64, or CSC matrix
        Not copied and never written to.
    sample_weight : ndarray of shape (n_samples,)
        Strictly positive weights.
    fit_intercept : bool
        Whether columns are centred (the intercept is then implicit).
    """

    def __init__(self, X, sample_weight, fit_intercept):
        self.X = X
        self.is_sparse = sp.issparse(X)
        self.n_samples, self.n_features = X.shape
        self.w = sample_weight
        if self.is_sparse:
            self.dense = _EMPTY_DENSE
            self.data, self.indices, self.indptr = X.data, X.indices, X.indptr
        else:
            self.dense = _fortran_only(X)
            self.X = X = self.dense[:, :self.n_features]
            self.data, self.indices, self.indptr = _EMPTY_FLOAT, _EMPTY_INT, _EMPTY_INT
        self.mu, self.norm, amax = column_stats(
            self.dense, self.data, self.indices, self.indptr, self.is_sparse,
            self.n_features, self.w, bool(fit_intercept))
        # Squares of entries beyond 1e+-150 overflow or underflow: those norms are taken
        # again on the column divided by its largest entry.
        extreme = np.flatnonzero((amax > 1e150) | ((amax > 0.0) & (amax < 1e-150)))
        for j in extreme:
            self.norm[j] = weighted_norm(self.column_raw(j) - self.mu[j], self.w)
        # A column whose spread is at rounding level carries no information.
        tiny = 1e-10 * np.maximum(amax, np.finfo(float).tiny) * np.sqrt(self.w.sum())
        self.constant = self.norm <= tiny
        self.inv_s = np.where(self.constant, 0.0, 1.0 / np.where(self.constant, 1.0, self.norm))

    def fingerprints(self):
        """Per-column (mean, norm): equal for identical columns (duplicate detection)."""
        return np.c_[self.mu, self.norm]

    def kernel_args(self):
        """The design as the kernels take it."""
        return (self.dense, self.data, self.indices, self.indptr, self.is_sparse,
                self.mu, self.inv_s, self.w)

    def gradient(self, wr):
        """``X~' W r`` for every column (``wr`` is the weighted residual)."""
        xtr = self.X.T @ wr
        return self.inv_s * (np.asarray(xtr).ravel() - self.mu * wr.sum())

    def column_raw(self, j):
        """Column ``j`` of ``X`` as a dense vector (not centred or scaled)."""
        col = self.X[:, [j]]
        return col.toarray().ravel() if self.is_sparse else np.asarray(col).ravel()

    def column(self, j):
        """The working column ``x~_j`` as a dense vector."""
        return (self.column_raw(j) - self.mu[j]) * self.inv_s[j]

    def weighted_columns(self, idx):
        """``W X~[:, idx]`` as a dense ``(n_samples, len(idx))`` array."""
        cols = self.X[:, idx]
        cols = cols.toarray() if self.is_sparse else np.asarray(cols)
        return self.w[:, None] * ((cols - self.mu[idx]) * self.inv_s[idx])

    def gram_columns(self, idx):
        """``X~' W X~[:, idx]``: the Gram matrix columns for the coordinates ``idx``."""
        m = self.weighted_columns(idx)
        # (m' X)' rather than X' m: OpenBLAS takes a much slower path for the latter when
        # m has a few columns (2.2 ms vs 1.2 ms at 500 x 5000, two columns, one thread)
        xtm = np.asarray(m.T @ self.X).T
        return self.inv_s[:, None] * (xtm - self.mu[:, None] * m.sum(axis=0))

    def gram_block(self, idx):
        """``X~[:, idx]' W X~[:, idx]``: the Gram matrix among the coordinates ``idx``."""
        m = self.weighted_columns(idx)
        cols = self.X[:, idx]
        xtm = np.asarray(cols.T @ m)
        return self.inv_s[idx, None] * (xtm - self.mu[idx, None] * m.sum(axis=0))

    def predict_normalised(self, beta):
        """``X~ beta`` (unweighted)."""
        nz = np.flatnonzero(beta)
        if nz.size == 0:
            return np.zeros(self.n_samples)
        coef = beta[nz] * self.inv_s[nz]
        return np.asarray(self.X[:, nz] @ coef).ravel() - self.mu[nz] @ coef
