"""Encode each feature as integer level codes for the additive step-function models.

* Ordered (numeric) features: the levels are the sorted unique training values,
  or, when there are more than ``max_bins`` of them, quantile bins of the
  training rows.  Level ``k`` starts at ``thresholds[k]`` (the smallest training
  value in it); a new value ``x`` falls in the last level whose threshold is
  ``<= x``, and values below the first threshold fall in level 0.  The shape is
  thus a right-continuous step function.
* Categorical features: one level per training category, unordered.
* Missing values (NaN): one extra level after the others when the training
  column has any, with its own unpenalised value.  A NaN at prediction time in a
  column that had none in training, and an unseen category, fall in no level
  and contribute 0 (the average effect, since shapes are centred).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

ORDERED = 0
CATEGORICAL = 1


@dataclass
class FeatureLevels:
    """The levels of one feature."""

    kind: int                 # ORDERED or CATEGORICAL
    thresholds: np.ndarray    # ordered: level start values; categorical: category values
    has_missing: bool

    @property
    def n_chain(self):
        return self.thresholds.shape[0]

    @property
    def n_levels(self):
        return self.n_chain + int(self.has_missing)

    def codes(self, column):
        """Level code of every value of ``column`` (-1: no level, contributes 0)."""
        column = np.asarray(column, dtype=np.float64)
        missing = np.isnan(column)
        if self.kind == ORDERED:
            codes = np.searchsorted(self.thresholds, column, side="right") - 1
            np.maximum(codes, 0, out=codes)
        else:
            pos = np.searchsorted(self.thresholds, column)
            pos_c = np.minimum(pos, self.n_chain - 1)
            codes = np.where(self.thresholds[pos_c] == column, pos_c, -1)
        codes[missing] = self.n_chain if self.has_missing else -1
        return codes.astype(np.int32)


def _ordered_levels(column, max_bins):
    values = column[~np.isnan(column)]
    uniques, counts = np.unique(values, return_counts=True)
    if uniques.shape[0] <= max_bins:
        return uniques
    # quantile bins: equal numbers of rows per bin where ties allow
    rows_before = np.cumsum(counts) - counts
    bin_of_unique = (rows_before * max_bins) // values.shape[0]
    starts = np.flatnonzero(np.r_[True, np.diff(bin_of_unique) > 0])
    return uniques[starts]


def fit_levels(X, categorical, max_bins):
    """Levels of every column of ``X`` (float array, NaN = missing) and their codes.

    Returns
    -------
    levels : list of FeatureLevels
    codes : int32 array of shape (n_samples, n_features), F-ordered
    """
    n, p = X.shape
    levels = []
    codes = np.empty((n, p), dtype=np.int32, order="F")
    for j in range(p):
        column = X[:, j]
        has_missing = bool(np.isnan(column).any())
        if categorical[j]:
            cats = np.unique(column[~np.isnan(column)])
            lev = FeatureLevels(CATEGORICAL, cats, has_missing)
        else:
            lev = FeatureLevels(ORDERED, _ordered_levels(column, max_bins), has_missing)
        levels.append(lev)
        codes[:, j] = lev.codes(column)
    return levels, codes


def transform_codes(X, levels):
    """Level codes of new data with the training levels."""
    n, p = X.shape
    codes = np.empty((n, p), dtype=np.int32, order="F")
    for j, lev in enumerate(levels):
        codes[:, j] = lev.codes(X[:, j])
    return codes


def _is_categorical_dtype(dtype):
    return (isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype))


def categorical_mask(X, categorical_features, n_features, feature_names=None):
    """Boolean mask of the categorical columns from the ``categorical_features`` parameter."""
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    if isinstance(categorical_features, str):
        if categorical_features != "from_dtype":
            raise ValueError("categorical_features must be 'from_dtype', None, or indices, "
                             f"names or a boolean mask of columns; got {categorical_features!r}.")
        if isinstance(X, pd.DataFrame):
            return np.array([_is_categorical_dtype(dt) for dt in X.dtypes], dtype=bool)
        return np.zeros(n_features, dtype=bool)
    spec = np.asarray(categorical_features)
    mask = np.zeros(n_features, dtype=bool)
    if spec.size == 0:
        return mask
    if spec.dtype == bool:
        if spec.shape != (n_features,):
            raise ValueError(f"a boolean categorical_features mask needs {n_features} entries; "
                             f"got {spec.shape[0]}.")
        return spec.copy()
    if spec.dtype.kind in "iu":
        if spec.min() < -n_features or spec.max() >= n_features:
            raise ValueError(f"categorical_features indices must lie in [0, {n_features}); got "
                             f"{spec.tolist()}.")
        mask[spec] = True
        return mask
    if spec.dtype.kind in "UO":
        if feature_names is None:
            raise ValueError("categorical_features given by name needs X as a DataFrame with "
                             "column names.")
        names = list(feature_names)
        for name in spec.tolist():
            if name not in names:
                raise ValueError(f"categorical feature {name!r} is not a column of X.")
            mask[names.index(name)] = True
        return mask
    raise TypeError("categorical_features must be 'from_dtype', None, or indices, names or a "
                    f"boolean mask of columns; got {categorical_features!r}.")


def frame_to_float(X, categories):
    """Replace non-numeric DataFrame columns by float category codes (NaN stays missing).

    ``categories`` maps column name -> list of categories; columns not yet in it
    get their categories from this data (fit); unseen categories become -1.0,
    which is never a training code and so falls in no level.
    """
    if not isinstance(X, pd.DataFrame):
        return X
    out = {}
    for name in X.columns:
        col = X[name]
        if _is_categorical_dtype(col.dtype) or name in categories:
            if name not in categories:
                cats = (list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype)
                        else sorted(col.dropna().unique().tolist(), key=str))
                categories[name] = cats
            lookup = {cat: float(i) for i, cat in enumerate(categories[name])}
            codes = np.array(col.astype(object).map(lookup), dtype=np.float64)
            missing = col.isna().to_numpy()
            codes[np.isnan(codes) & ~missing] = -1.0  # unseen category
            out[name] = codes
        else:
            out[name] = col
    return pd.DataFrame(out, index=X.index, columns=X.columns)
