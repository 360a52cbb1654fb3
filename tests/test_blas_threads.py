"""Solvers run with one BLAS thread (see ``l0learn._shared.threads``).

Two BLAS threads turn every small product into spin-waiting as soon as another
process is busy (a multinomial path on digits: 6 s -> 18 s); the limit must hold
inside every solver entry point, whatever the caller's setting.
"""

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from l0learn import GraphL0BnB, L0Classifier, L0Regressor
from l0learn.covariance import _solver as graph_solver
from l0learn.datasets import make_graphical_model, make_sparse_regression
from l0learn.linear_model import _design
from l0learn.linear_model import _multinomial
from l0learn.linear_model._multinomial import MultinomialProblem, multinomial_path


def _blas_threads():
    return max(info["num_threads"] for info in threadpool_info()
               if info["user_api"] == "blas")


@pytest.fixture
def two_blas_threads():
    # The caller allows two threads: without the solvers' own limit they would use them.
    with threadpool_limits(limits=2, user_api="blas"):
        if _blas_threads() < 2:
            pytest.skip("this BLAS cannot run two threads")
        yield


def _recording(monkeypatch, owner, name):
    seen = []
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        seen.append(_blas_threads())
        return original(*args, **kwargs)
    monkeypatch.setattr(owner, name, wrapper)
    return seen


def test_multinomial_path_and_fit_use_one_blas_thread(two_blas_threads, monkeypatch):
    seen = _recording(monkeypatch, _multinomial.MultinomialSolver, "_sweeps")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 8))
    y = np.argmax(X[:, :3] + 0.5 * rng.standard_normal((60, 3)), axis=1)
    problem = MultinomialProblem(X, y, 3, np.ones(60), True)
    multinomial_path(problem, "L0L2", 1e-2, algorithm="CDPSI", max_support_size=4,
                     num_lambda=5, max_iter=50, tol=1e-6, max_swaps=5)
    L0Classifier(loss="multinomial", lambda_0=0.5).fit(X, y)
    assert seen and set(seen) == {1}
    assert _blas_threads() == 2  # restored for the caller


def test_graph_primal_solver_uses_one_blas_thread(two_blas_threads, monkeypatch):
    seen = _recording(monkeypatch, graph_solver, "primal_violations")
    X, _ = make_graphical_model(10, 60, design="banded", seed=0)  # n < p/4: residual form
    GraphL0BnB(0.1).fit(X)
    assert seen and set(seen) == {1}


def test_exact_l0l2_search_uses_one_blas_thread(two_blas_threads, monkeypatch):
    # Next to a busy process the node relaxations' X'r products made the search 2.7x
    # slower (benchmarks/bench_busy_exact.py).
    seen = _recording(monkeypatch, _design.Design, "gradient")
    X, y, _ = make_sparse_regression(60, 40, 3, snr=5.0, seed=0)
    L0Regressor("L0L2", lambda_0=0.05, gamma=0.01, algorithm="BnB", max_nodes=20).fit(X, y)
    assert seen and set(seen) == {1}
