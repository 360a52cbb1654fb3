"""Cross-validation and grid searches on a Dask cluster give the serial answer.

Runs only when ``distributed`` is installed (``pip install ".[distributed]"``).
"""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

from sklearn.model_selection import GridSearchCV  # noqa: E402

from l0learn import GraphL0BnBCV, L0Regressor, L0RegressorCV  # noqa: E402
from l0learn.datasets import make_graphical_model, make_sparse_regression  # noqa: E402


@pytest.fixture(scope="module")
def cluster_client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_cv_and_grid_search_on_dask_equal_serial(cluster_client):
    X, y, _ = make_sparse_regression(120, 60, 4, seed=5)
    Xg, _ = make_graphical_model(150, 8, design="banded", cond=5.0, seed=2)
    grid = {"lambda_0": [0.05, 0.01, 0.002], "penalty": ["L0", "L0L2"]}

    serial_cv = L0RegressorCV(max_support_size=10, random_state=0, n_jobs=1).fit(X, y)
    serial_graph = GraphL0BnBCV(n_lambda=6, n_jobs=1).fit(Xg)
    serial_search = GridSearchCV(L0Regressor(), grid, cv=3, n_jobs=1).fit(X, y)
    with distributed.get_task_stream(cluster_client) as stream, \
            joblib.parallel_backend("dask"):
        dask_cv = L0RegressorCV(max_support_size=10, random_state=0, n_jobs=2).fit(X, y)
        dask_graph = GraphL0BnBCV(n_lambda=6, n_jobs=2).fit(Xg)
        dask_search = GridSearchCV(L0Regressor(), grid, cv=3, n_jobs=2).fit(X, y)
    # the folds and grid points really ran as tasks on the cluster's workers
    workers = {task["worker"] for task in stream.data}
    keys = " ".join(task["key"] for task in stream.data)
    assert len(workers) == 2
    for work in ("_fold_scores", "_fold_", "_fit_and_score"):  # L0 CV, graph CV, grid search
        assert work in keys, work

    np.testing.assert_allclose(dask_cv.cv_means_, serial_cv.cv_means_, rtol=1e-12)
    np.testing.assert_array_equal(dask_cv.coef_, serial_cv.coef_)
    np.testing.assert_allclose(dask_graph.cv_results_["mean_test_score"],
                               serial_graph.cv_results_["mean_test_score"], rtol=1e-12)
    assert dask_graph.lambda_0_ == serial_graph.lambda_0_
    np.testing.assert_allclose(dask_search.cv_results_["mean_test_score"],
                               serial_search.cv_results_["mean_test_score"], rtol=1e-12)
    assert dask_search.best_params_ == serial_search.best_params_
