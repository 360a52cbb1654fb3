"""Bad input gives a clear error (or a named warning), never a numba traceback or a hang."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import l0learn
from l0learn import L0Regressor, L0RegressorCV, l0_path


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 6))
    return X, X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(30)


@pytest.mark.parametrize("bad,match", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_x(data, bad, match):
    X, y = data
    X = X.copy()
    X[3, 2] = bad
    for fit in (lambda: L0Regressor().fit(X, y), lambda: l0_path(X, y),
                lambda: l0learn.fit(X, y)):
        with pytest.raises(ValueError, match=match):
            fit()


def test_non_finite_y(data):
    X, y = data
    y = y.copy()
    y[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        L0Regressor().fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        l0_path(X, y)


def test_shape_mismatch(data):
    X, y = data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        L0Regressor().fit(X, y[:-1])
    with pytest.raises(ValueError, match="X has 30 samples but y has 29"):
        l0_path(X, y[:-1])
    with pytest.raises(ValueError, match="1-dimensional|2D"):
        l0_path(X, np.c_[y, y])
    with pytest.raises(ValueError, match="Expected 2D array"):
        L0Regressor().fit(X[:, 0], y)


def test_empty_and_single_sample(data):
    X, y = data
    with pytest.raises(ValueError, match="0 sample"):
        L0Regressor().fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="0 feature"):
        L0Regressor().fit(X[:, :0], y)
    with pytest.raises(ValueError, match=r"1 sample\(s\) .* minimum of 2"):
        L0Regressor().fit(X[:1], y[:1])


def test_non_numeric(data):
    X, y = data
    Xs = X.astype(object)
    Xs[0, 0] = "abc"
    with pytest.raises(ValueError, match="could not convert string to float"):
        L0Regressor().fit(Xs, y)
    with pytest.raises(ValueError, match="could not convert string to float"):
        L0Regressor().fit(X, np.array(["a"] * 30))


def test_constant_column_is_named_and_left_out(data):
    X, y = data
    X = X.copy()
    X[:, 4] = 3.0
    frame = pd.DataFrame(X, columns=list("abcdef"))
    with pytest.warns(UserWarning, match=r"constant column\(s\) \(e\)"):
        m = L0Regressor(lambda_0=1e-6).fit(frame, y)
    assert m.coef_[4] == 0.0
    Xs = sp.csc_matrix(X)
    with pytest.warns(UserWarning, match=r"constant column\(s\) \(x4\)"):
        L0Regressor().fit(Xs, y)


def test_duplicate_columns_are_named(data):
    X, y = data
    X = np.c_[X, X[:, 1]]
    with pytest.warns(UserWarning, match=r"identical columns \(x1=x6\)"):
        m = L0Regressor().fit(X, y)
    assert np.count_nonzero(m.coef_[[1, 6]]) == 1


def test_p_larger_than_n_works():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 200))
    y = X[:, 5] * 3 + 0.01 * rng.standard_normal(20)
    m = L0Regressor(k=1).fit(X, y)
    np.testing.assert_array_equal(m.support_, [5])


def test_constant_target_gives_the_empty_model(data):
    X, _ = data
    m = L0Regressor().fit(X, np.full(30, 2.5))
    assert not m.coef_.any() and m.intercept_ == 2.5


@pytest.mark.parametrize("params,match", [
    ({"penalty": "L3"}, "penalty"),
    ({"lambda_0": -1.0}, "lambda_0"),
    ({"gamma": -0.1}, "gamma"),
    ({"algorithm": "IHT"}, "algorithm"),
    ({"k": 0}, "'k'"),
    ({"max_support_size": 0}, "max_support_size"),
    ({"lower_bounds": 0.5}, "lower_bounds"),
    ({"upper_bounds": -0.5}, "upper_bounds"),
    ({"max_iter": 0}, "max_iter"),
    ({"tol": -1.0}, "tol"),
    ({"exclude_first_k": -1}, "exclude_first_k"),
])
def test_invalid_hyperparameters(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        L0Regressor(**params).fit(X, y)


def test_invalid_bound_vectors_and_weights(data):
    X, y = data
    with pytest.raises(ValueError, match="one entry per feature"):
        L0Regressor(lower_bounds=[-1, -1]).fit(X, y)
    with pytest.raises(ValueError, match="lower_bounds must be <= 0"):
        L0Regressor(lower_bounds=[-1, -1, 0.5, -1, -1, -1]).fit(X, y)
    with pytest.raises(ValueError, match="strictly smaller"):
        L0Regressor(lower_bounds=0.0, upper_bounds=0.0).fit(X, y)
    with pytest.raises(ValueError, match="exclude_first_k=7 exceeds"):
        L0Regressor(exclude_first_k=7).fit(X, y)
    with pytest.raises(ValueError, match="non-negative"):
        L0Regressor().fit(X, y, sample_weight=-np.ones(30))
    with pytest.raises(ValueError, match="shape"):
        L0Regressor().fit(X, y, sample_weight=np.ones(3))


def test_invalid_path_and_cv_arguments(data):
    X, y = data
    with pytest.raises(ValueError, match="strictly decreasing"):
        l0_path(X, y, lambda_grid=[0.1, 0.2])
    with pytest.raises(ValueError, match="positive and finite"):
        l0_path(X, y, lambda_grid=[0.1, -0.2])
    with pytest.raises(ValueError, match="lambda_grid has 1 sequence"):
        l0_path(X, y, penalty="L0L2", gamma=[1.0, 0.1], lambda_grid=[0.1, 0.01])
    with pytest.raises(ValueError, match="selection"):
        L0RegressorCV(selection="best").fit(X, y)
    with pytest.raises(ValueError, match="loss='Logistic' needs exactly two labels in y"):
        l0learn.fit(X, y, loss="Logistic")
    with pytest.raises(ValueError, match="loss must be one of"):
        l0learn.fit(X, y, loss="Poisson")
    with pytest.raises(ValueError, match="num_folds"):
        l0learn.cvfit(X, y, num_folds=1)
    with pytest.raises(TypeError, match="max_support_size must be an integer"):
        l0_path(X, y, max_support_size=2.5)


def test_iteration_limit_warns_and_returns_a_solution(data):
    X, y = data
    from sklearn.exceptions import ConvergenceWarning
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        m = L0Regressor(max_iter=1, tol=0.0, lambda_0=1e-4).fit(X, y)
    assert not m.converged_ and np.all(np.isfinite(m.coef_))
