"""L0RegressorCV and GridSearchCV(L0Regressor) on a local Dask cluster: 1 vs 2 workers.

    python benchmarks/bench_dask.py

Data: n = 500, p = 5000, k = 10, SNR 5; X and y are scattered to the workers once
(``parallel_backend("dask", scatter=[X, y])``) rather than shipped with every task.  Each configuration runs twice on a fresh
``LocalCluster`` (one thread per worker process); the second time is reported
(the first loads the numba kernels in the workers).
"""

import time

import joblib
from distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV

from l0learn import L0Regressor, L0RegressorCV
from l0learn.datasets import make_sparse_regression


def main():
    X, y, _ = make_sparse_regression(500, 5000, 10, snr=5.0, seed=1)
    grid = {"lambda_0": [0.05, 0.02, 0.01, 0.005], "penalty": ["L0", "L0L2"],
            "gamma": [0.001, 0.1]}
    jobs = {
        "L0RegressorCV(L0L2, cv=5, n_jobs=-1)": lambda: L0RegressorCV(
            penalty="L0L2", num_gamma=5, cv=5, max_support_size=30, n_jobs=-1).fit(X, y),
        "GridSearchCV(L0Regressor, 16 points x 5 folds, n_jobs=-1)": lambda: GridSearchCV(
            L0Regressor(), grid, cv=5, n_jobs=-1).fit(X, y),
    }
    print(f"{'workload':<58}{'1 worker s':>11}{'2 workers s':>12}{'speed-up':>9}")
    for label, job in jobs.items():
        times = []
        for n_workers in (1, 2):
            with LocalCluster(n_workers=n_workers, threads_per_worker=1,
                              dashboard_address=None) as cluster, Client(cluster):
                with joblib.parallel_backend("dask", scatter=[X, y]):
                    job()
                    t = time.perf_counter()
                    job()
                    times.append(time.perf_counter() - t)
        print(f"{label:<58}{times[0]:11.2f}{times[1]:12.2f}{times[0] / times[1]:9.2f}")


if __name__ == "__main__":
    main()
