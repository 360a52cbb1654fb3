"""An interrupted fit (Ctrl-C, an error mid-way) leaves the estimator unfitted, not half-fitted."""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import NotFittedError

from l0learn import (FASTRegressor, FIREClassifier, FIRERegressor, GraphL0BnB, L0Classifier, L0Regressor,
                     L0RegressorCV, MultiTaskL0Regressor)

ESTIMATORS = [
    (L0Regressor, "linear_model.regression", "fit_single"),
    (L0RegressorCV, "linear_model.regression", "cross_validate_path"),
    (L0Classifier, "linear_model.classification", "fit_single"),
    (FASTRegressor, "additive.fast", "SquaredFit"),
    (MultiTaskL0Regressor, "multitask.regression", "multi_start"),
    (GraphL0BnB, "covariance.graph_l0bnb", "primal_solve"),
    (FIREClassifier, "rules.fire", "extract_rules"),
]


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 6))
    return X, X[:, 0] - X[:, 1] + 0.3 * rng.standard_normal(60)


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("cls, module, name", ESTIMATORS, ids=lambda v: getattr(v, "__name__", v))
def test_interrupted_fit_is_not_fitted(cls, module, name, monkeypatch):
    import importlib
    X, y = _data()
    target = y > 0 if cls in (L0Classifier, FIREClassifier) else y
    mod = importlib.import_module(f"l0learn.{module}")
    assert hasattr(mod, name), f"{module} has no {name}"
    model = cls()
    monkeypatch.setattr(mod, name, _interrupt)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, target) if cls is not GraphL0BnB else model.fit(X)
    method = "score" if cls is GraphL0BnB else "predict"
    with pytest.raises(NotFittedError):
        getattr(model, method)(X)
    monkeypatch.undo()
    model.fit(X, target) if cls is not GraphL0BnB else model.fit(X)
    getattr(model, method)(X)  # a completed fit is fitted again


def test_interrupted_refit_is_not_fitted(monkeypatch):
    import l0learn.rules.fire as fire
    X, y = _data()
    model = FIRERegressor(RandomForestRegressor(10, max_depth=2, random_state=0)).fit(X, y)
    monkeypatch.setattr(fire, "extract_rules", _interrupt)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)
