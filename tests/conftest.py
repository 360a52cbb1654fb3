import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session", autouse=True)
def warm_kernels():
    """Compile (or load from the disk cache) the kernels once per test run."""
    from l0learn import L0Regressor
    X = np.random.default_rng(0).standard_normal((20, 5))
    L0Regressor().fit(X, X[:, 0])
