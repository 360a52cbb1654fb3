"""Every warning an estimator issues names the user's line, not a library frame.

scikit-learn wraps ``fit`` (``_fit_context``) and CV helpers call it through
joblib, so a fixed ``stacklevel`` lands in ``sklearn/base.py``; these tests call
each estimator from this file and check the reported file is this one.
"""

import warnings

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score

from l0learn import (FASTRegressor, FIREClassifier, FIRERegressor, GraphL0BnB, L0Classifier,
                     L0Regressor, l0_path)


def _design(seed=0, n=60, p=8):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 3] = 1.0  # a constant column: the linear estimators warn about it
    y = X[:, 0] - X[:, 1] + 0.5 * rng.standard_normal(n)
    return X, y


def _recorded(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    assert caught, "the call was expected to warn"
    return caught


def _assert_all_here(caught):
    places = {(w.filename, w.category.__name__) for w in caught}
    assert all(w.filename == __file__ for w in caught), places


def test_regressor_warnings_point_here():
    X, y = _design()
    _assert_all_here(_recorded(lambda: L0Regressor(lambda_0=0.01).fit(X, y)))


def test_regressor_warning_through_cross_val_score_points_here():
    X, y = _design()
    _assert_all_here(_recorded(lambda: cross_val_score(L0Regressor(lambda_0=0.01), X, y, cv=2)))


def test_classifier_warnings_point_here():
    X, y = _design()
    _assert_all_here(_recorded(lambda: L0Classifier(lambda_0=0.01).fit(X, y > 0)))


def test_path_warnings_point_here():
    X, y = _design()
    _assert_all_here(_recorded(lambda: l0_path(X, y, max_support_size=3)))


def test_graph_warning_points_here():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 4))
    X[:, 3] = X[:, 2]
    _assert_all_here(_recorded(lambda: GraphL0BnB(0.1).fit(X)))


def test_fast_convergence_warning_points_here():
    X, y = _design()
    caught = _recorded(lambda: FASTRegressor(max_iter=1, tol=1e-12).fit(X, y))
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
    _assert_all_here(caught)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_fire_convergence_warning_points_here():
    X, y = _design()
    forest = RandomForestRegressor(n_estimators=10, max_depth=2, random_state=0).fit(X, y)
    caught = _recorded(lambda: FIRERegressor(forest, max_iter=1, tol=1e-14).fit(X, y))
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
    _assert_all_here(caught)
    labels = (y > np.median(y)).astype(int)
    caught = _recorded(lambda: FIREClassifier(max_iter=1, tol=1e-14,
                                              random_state=0).fit(X, labels))
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
    _assert_all_here(caught)
