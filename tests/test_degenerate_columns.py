"""Constant and duplicate columns: every estimator names them, judged free of scale."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

from l0learn import (FASTClassifier, FASTRegressor, FIREClassifier, FIRERegressor, L0Classifier,
                     L0Regressor,
                     MultiTaskL0Regressor)
from l0learn._shared.columns import constant_columns, find_duplicate_columns

ESTIMATORS = {
    "L0Regressor": lambda: L0Regressor(lambda_0=0.01),
    "L0Classifier": lambda: L0Classifier(lambda_0=0.01),
    "FASTRegressor": lambda: FASTRegressor(),
    "FASTClassifier": lambda: FASTClassifier(),
    "FIRERegressor": lambda: FIRERegressor(RandomForestRegressor(10, max_depth=2,
                                                                 random_state=0)),
    "FIREClassifier": lambda: FIREClassifier(RandomForestClassifier(10, max_depth=2,
                                                                    random_state=0)),
    "MultiTaskL0Regressor": lambda: MultiTaskL0Regressor(s=2),
}


def _data(seed=0, n=80, p=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, 0] - X[:, 1] + 0.3 * rng.standard_normal(n)
    return X, y


def _target(name, y):
    if "Classifier" not in name:
        return y
    noise = np.random.default_rng(1).standard_normal(y.shape[0])  # overlapping classes
    return (y + 1.5 * noise > 0).astype(int)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_constant_column_warns_everywhere(name):
    X, y = _data()
    X[:, 2] = 7.5
    with pytest.warns(UserWarning, match=r"1 constant column\(s\) \(x2\)"):
        ESTIMATORS[name]().fit(X, _target(name, y))


@pytest.mark.parametrize("name", ESTIMATORS)
def test_duplicate_columns_warn_everywhere(name):
    X, y = _data()
    X = np.c_[X, X[:, 1]]
    with pytest.warns(UserWarning, match=r"1 pair\(s\) of identical columns \(x1=x5\)"):
        ESTIMATORS[name]().fit(X, _target(name, y))


@pytest.mark.parametrize("name", ESTIMATORS)
def test_clean_design_does_not_warn(name):
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        ESTIMATORS[name]().fit(X, _target(name, y))


@pytest.mark.parametrize("scale", [1e-150, 1e-13, 1.0, 1e13, 1e150])
def test_constancy_does_not_depend_on_scale(scale):
    X, _ = _data()
    X[:, 3] = 2.0
    X[:5, 4] = np.nan  # partly missing: not constant (missingness is information)
    X[5:, 4] = 1.0
    np.testing.assert_array_equal(constant_columns(X * scale), [0, 0, 0, 1, 0])
    np.testing.assert_array_equal(constant_columns(sp.csc_matrix(np.nan_to_num(X) * scale)),
                                  [0, 0, 0, 1, 0])


def test_sparse_column_with_implicit_zeros_is_not_constant():
    X = sp.csc_matrix(np.array([[0.0, 1.0], [3.0, 1.0], [3.0, 1.0]]))
    np.testing.assert_array_equal(constant_columns(X), [False, True])


def test_duplicates_with_missing_values():
    X, _ = _data()
    X[:4, 0] = np.nan
    X = np.c_[X, X[:, 0]]
    assert find_duplicate_columns(X) == [(0, 5)]


def test_multitask_fit_does_not_depend_on_the_scale_of_X():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 10))
    Y = np.c_[X[:, :3] @ [1.0, -1.0, 0.5], X[:, :3] @ [0.8, -1.2, 0.4]]
    Y += 0.2 * rng.standard_normal(Y.shape)
    ref = MultiTaskL0Regressor(s=3).fit(X, Y)
    for scale in (1e-13, 1e13):
        m = MultiTaskL0Regressor(s=3).fit(X * scale, Y)
        np.testing.assert_allclose(m.predict(X * scale), ref.predict(X), rtol=1e-8, atol=1e-8)
        assert m.score(X * scale, Y) > 0.9


def test_duplicates_found_without_intercept_when_not_neighbours():
    # Without centring every column's mean fingerprint is 0: the pair must still be found.
    X, y = _data(p=4)
    X = np.c_[X, X[:, 0]]
    with pytest.warns(UserWarning, match=r"identical columns \(x0=x4\)"):
        L0Regressor(lambda_0=0.01, fit_intercept=False).fit(X, y)
