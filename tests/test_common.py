"""scikit-learn's estimator checks for every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from l0learn import (FASTClassifier, FASTRegressor, FASTRegressorCV, L0Classifier,
                     L0ClassifierCV, L0Regressor, L0RegressorCV)

ESTIMATORS = [
    L0Regressor(),
    L0Regressor(penalty="L0L2", gamma=0.01, k=3, algorithm="CD"),
    L0Regressor(penalty="L0L2", lambda_0=0.02, gamma=0.1, algorithm="BnB", max_nodes=30),
    L0RegressorCV(cv=3, num_lambda=10, num_gamma=2, penalty="L0L1", max_support_size=5),
    L0Classifier(),
    L0ClassifierCV(cv=3, num_lambda=10, max_support_size=5),
    L0Classifier(loss="squared_hinge", penalty="L0L2", gamma=0.1, algorithm="CD", tol=1e-12,
                 max_iter=5000),
    FASTRegressor(),
    FASTRegressor(fusion="l0", max_features=2, max_bins=16),
    FASTRegressorCV(cv=3, n_lambdas=5, lambda_group=1e-3),
    FASTClassifier(),
    FASTClassifier(max_features=1, feature_selection="greedy"),
]


def _expected_failed_checks(estimator):
    # None: every check passes.
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
