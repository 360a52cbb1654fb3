"""L0Learn 0.4.3's Python API as its users call it: option checks, result objects, losses.

Written from L0Learn's documented behaviour (its test suite was read, not copied);
each deliberate difference is listed in the README and asserted here too.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import l0learn
from l0learn.datasets import make_sparse_regression
from l0learn.interface import (CLASSIFICATION_LOSS, SUPPORTED_ALGORITHM, SUPPORTED_LOSS,
                               SUPPORTED_PENALTY)
from l0learn.models import (CVFitModel, FitModel, logistic_loss, regularization_loss,
                            squared_error, squared_hinge_loss)

N = 40


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.random((N, N)), rng.random(N)


BAD_OPTIONS = [
    dict(max_support_size=2.0), dict(max_support_size=-1), dict(max_iter=1.0), dict(max_iter=0),
    dict(active_set_num=1.3), dict(active_set_num=0), dict(max_swaps=0), dict(max_swaps=4.5),
    dict(screen_size=2.0), dict(screen_size=-1), dict(exclude_first_k=2.0),
    dict(exclude_first_k=-1), dict(exclude_first_k=N + 1), dict(gamma_max=-1),
    dict(gamma_min=1, gamma_max=0.5), dict(gamma_min=-1), dict(partial_sort="yes"),
    dict(active_set="yes"), dict(intercept="yes"), dict(rtol=1.0), dict(rtol=-0.1),
    dict(atol=-1), dict(scale_down_factor=-1), dict(scale_down_factor=2),
    dict(scale_down_factor=0.0), dict(lows="low"), dict(highs="high"), dict(lows=1.0),
    dict(lows=0.0, highs=0.0), dict(highs=-np.ones(N)), dict(lows=-np.ones(N + 1)),
    dict(penalty="L0", num_gamma=2), dict(penalty="L0L1", num_gamma=3.0),
    dict(penalty="L0L1", num_lambda=5.0), dict(penalty="L0L1", num_lambda=-2),
    dict(penalty="L0L2", lambda_grid=[[10], [10]], num_lambda=1, num_gamma=None),
    dict(penalty="L0L2", lambda_grid=[[10], [10]], num_lambda=None, num_gamma=2),
    dict(penalty="L0", lambda_grid=[[10], [10]], num_lambda=None, num_gamma=None),
    dict(penalty="L0", lambda_grid=[[10, 11]], num_lambda=None, num_gamma=None),
    dict(penalty="L0L1", lambda_grid=[[-1]], num_lambda=None, num_gamma=None),
    dict(loss="NOT A LOSS"), dict(penalty="L0LX"), dict(algorithm="BnB"),
]


@pytest.mark.parametrize("options", BAD_OPTIONS, ids=lambda o: ",".join(map(str, o.items())))
@pytest.mark.parametrize("function", [l0learn.fit, l0learn.cvfit])
def test_invalid_options_raise_value_error(function, options, data):
    X, y = data
    with pytest.raises(ValueError):
        function(X, y, **options)


def test_count_errors_are_also_type_errors(data):
    X, y = data
    with pytest.raises(TypeError, match="max_support_size must be an integer"):
        l0learn.fit(X, y, max_support_size=2.0)


@pytest.mark.parametrize("num_folds", [-1, 0, 1, N, 2.0])
def test_invalid_fold_counts(num_folds, data):
    X, y = data
    with pytest.raises(ValueError):
        l0learn.cvfit(X, y, num_folds=num_folds)


def test_all_constant_design_is_refused(data):
    _, y = data
    with pytest.raises(ValueError, match="every column of X is constant"):
        l0learn.fit(np.zeros((N, 5)), y)


@pytest.mark.parametrize("penalty", ["L0L1", "L0L2"])
def test_single_gamma_warns_once_and_a_grid_does_not(penalty, data):
    X, y = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        l0learn.fit(X, y, penalty=penalty, num_gamma=1, num_lambda=10)
    assert len(caught) == 1 and "num_gamma=1" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        l0learn.fit(X, y, penalty=penalty, num_gamma=2, num_lambda=10)


def test_option_tuples():
    assert set(SUPPORTED_LOSS) == {"SquaredError", "Logistic", "SquaredHinge"}
    assert set(CLASSIFICATION_LOSS) < set(SUPPORTED_LOSS)
    assert SUPPORTED_PENALTY == ("L0", "L0L1", "L0L2")
    assert SUPPORTED_ALGORITHM == ("CD", "CDPSI")


@pytest.fixture
def hand_model():
    """A FitModel built from L0Learn's fields: three gammas, two features."""
    return FitModel(settings={"loss": "SquaredError", "intercept": True, "penalty": "L0L1"},
                    lambda_0=[[10, 5], [10], [10, 5, 0]], gamma=[2, 1, 0],
                    support_size=[[0, 1], [3], [4, 5, 6]],
                    coeffs=[sp.csc_matrix([[0, 0], [1, 2]]), sp.csc_matrix([[0], [3]]),
                            sp.csc_matrix([[0, 0, 0], [4, 5, 6]])],
                    intercepts=[[-1, -2], [-3], [-4, -5, -6]],
                    converged=[[True, True], [False], [True, False, True]])


def test_model_from_fields_selects_nearest(hand_model):
    m = hand_model
    assert m.coeff().shape == (3, 6)
    np.testing.assert_array_equal(m.coeff().toarray()[0], [-1, -2, -3, -4, -5, -6])
    np.testing.assert_array_equal(m.coeff(gamma=1.2).toarray().ravel(), [-3, 0, 3])
    np.testing.assert_array_equal(m.coeff(lambda_0=6).toarray().ravel(), [-2, 0, 2])
    np.testing.assert_array_equal(m.coeff(gamma=0, lambda_0=6, include_intercept=False)
                                  .toarray().ravel(), [0, 5])
    np.testing.assert_array_equal(m.predict(np.array([[1.0, 2.0]])), [[1, 2, 3, 4, 5, 6]])


def test_characteristics_columns_and_order(hand_model):
    table = hand_model.characteristics()
    assert list(table.columns) == ["l0", "support_size", "intercept", "converged", "l1"]
    assert table["l1"].tolist() == [2, 2, 1, 0, 0, 0]
    one = hand_model.characteristics(gamma=0, lambda_0=5)
    assert one.to_dict("records") == [{"l0": 5, "support_size": 5, "intercept": -5,
                                       "converged": False, "l1": 0}]


def test_lambda_outside_the_grid_warns(hand_model):
    with pytest.warns(UserWarning, match="outside the grid of gamma=2"):
        hand_model.coeff(lambda_0=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hand_model.coeff(lambda_0=7)


def test_cv_model_from_fields_plots(hand_model):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    fields = {k: getattr(hand_model, k) for k in ("settings", "lambda_0", "gamma", "support_size",
                                                 "coeffs", "intercepts", "converged")}
    cv = CVFitModel(**fields, cv_means=[np.ones(2), np.ones(1), np.ones(3)],
                    cv_sds=[np.zeros(2), np.zeros(1), np.zeros(3)])
    assert cv.cv_plot(gamma=1).get_ylabel() == "CV mean squared error"
    ax = hand_model.plot(gamma=1, show_lines=True, include_legend=True)
    assert ax.get_legend() is not None and ax.get_xlabel() == "support size"


def test_regularization_loss_sums_in_row_order():
    C = np.array([[0.0, 1.5], [2.0, -3.0], [-1.0, 0.0]])
    got = regularization_loss(sp.csc_matrix(C), l0=[1.0, 2.0], l1=0.5, l2=0.25)
    want = [2 + 0.5 * 3 + 0.25 * 5, 2 * 2 + 0.5 * 4.5 + 0.25 * (2.25 + 9)]
    np.testing.assert_array_equal(got, want)
    assert regularization_loss(sp.csc_matrix(C[:, :1]), l0=1) == 2.0
    with pytest.raises(ValueError, match="one per solution"):
        regularization_loss(sp.csc_matrix(C), l1=np.ones((1, 2)))
    with pytest.raises(ValueError, match="3 values for 2 solution"):
        regularization_loss(sp.csc_matrix(C), l0=np.ones(3))


def test_loss_helpers():
    y = np.arange(5.0)
    np.testing.assert_allclose(squared_error(y[:, None], y), [15, 7.5, 5, 7.5, 15])
    assert logistic_loss(np.ones(4), np.full(4, 0.5)) == pytest.approx(4 * np.log(2))
    assert np.isfinite(logistic_loss(np.ones(2), np.zeros(2)))
    # element-wise hinge (L0Learn's helper reduces over the samples first)
    assert squared_hinge_loss(np.ones(10), np.full(10, 0.5)) == pytest.approx(2.5)
    assert squared_hinge_loss(np.array([1.0, -1.0]), np.array([2.0, -3.0])) == 0.0


def test_score_uses_the_fits_loss():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((120, 10))
    labels = np.where(X[:, 0] + 0.8 * rng.standard_normal(120) > 0, 1, -1)
    model = l0learn.fit(X, labels, loss="Logistic", max_support_size=3)
    lam = model.lambda_0[0][-1]
    prob = model.predict(X, lambda_0=lam)
    y01 = (labels == 1).astype(float)
    want = -(y01 * np.log(prob[:, 0]) + (1 - y01) * np.log(1 - prob[:, 0])).sum()
    assert model.score(X, labels, lambda_0=lam)[0] == pytest.approx(want)
    trained = model.score(X, labels, lambda_0=lam, training=True)[0]
    coef = model.coeff(lambda_0=lam, include_intercept=False)
    assert trained == pytest.approx(want + lam * coef.nnz)
    table = model.score(X, labels, include_characteristics=True)
    assert "Logistic" in table.columns and len(table) == len(model.lambda_0[0])
    hinge = l0learn.fit(X, labels, loss="SquaredHinge", max_support_size=3)
    f = hinge.predict(X)
    np.testing.assert_allclose(hinge.score(X, labels),
                               (np.maximum(0, 1 - labels[:, None] * f) ** 2).sum(axis=0))


def test_readme_example_picks_a_grid_value():
    X, y, _ = make_sparse_regression(200, 100, 5, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = l0learn.fit(X, y, penalty="L0L2", algorithm="CDPSI", max_support_size=10,
                          num_gamma=3)
        lam = fit.lambda_0[0][-1]
        coef = fit.coeff(lambda_0=lam, gamma=fit.gamma[0])
    assert coef.nnz > 1  # not the intercept-only model
