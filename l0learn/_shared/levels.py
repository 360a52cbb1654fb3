"""Per-level sums and weights of integer-coded columns (FAST features, FIRE trees).

A column of ``codes`` assigns every row a level (a bin or category of a feature, a
leaf of a tree).  Both block solvers aggregate the residual and the sample weights
per level before solving a one-dimensional fused problem on the level means.
"""

from numba import njit


@njit(cache=True, nogil=True)
def level_sums(j, codes, w, v, n_levels, out):
    """``out[k] = sum of w_i v_i over rows at level k`` for feature ``j``."""
    for k in range(n_levels):
        out[k] = 0.0
    for i in range(codes.shape[0]):
        out[codes[i, j]] += w[i] * v[i]


@njit(cache=True, nogil=True)
def level_weights(codes, offsets, w, out):
    """``out[offsets[j] + k]`` = total weight of the rows at level ``k`` of column ``j``."""
    out[:] = 0.0
    for j in range(offsets.shape[0] - 1):
        off = offsets[j]
        for i in range(codes.shape[0]):
            out[off + codes[i, j]] += w[i]
