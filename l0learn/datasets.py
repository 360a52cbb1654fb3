"""Synthetic data used by tests, benchmarks and vignettes.

Every generator takes a seed and uses its own ``numpy.random.Generator``; none
touches NumPy's global random state.
"""

import numpy as np


def _design(rng, n_samples, n_features, rho, correlation):
    z = rng.standard_normal((n_samples, n_features))
    if rho == 0.0:
        return z
    if correlation == "toeplitz":
        # AR(1) columns: Corr(x_i, x_j) = rho^|i - j|.
        c = np.sqrt(1.0 - rho * rho)
        for j in range(1, n_features):
            z[:, j] = rho * z[:, j - 1] + c * z[:, j]
        return z
    if correlation == "constant":
        common = rng.standard_normal((n_samples, 1))
        return np.sqrt(rho) * common + np.sqrt(1.0 - rho) * z
    raise ValueError("correlation must be 'toeplitz' or 'constant'.")


def make_sparse_regression(n_samples=500, n_features=5000, n_nonzero=10, *, snr=5.0,
                           rho=0.0, correlation="toeplitz", support="spread",
                           intercept=0.0, seed=1):
    """A linear model with ``n_nonzero`` unit coefficients and Gaussian noise.

    With the defaults this is the benchmark design of L0Learn's comparisons:
    ``X`` standard normal, ``b_j = 1`` on indices ``floor(i * p / k)``, noise
    variance ``Var(X b) / snr`` (sample variance, ``ddof=1``).

    Parameters
    ----------
    n_samples, n_features, n_nonzero : int
        Rows, columns and nonzero coefficients (all equal to 1).
    snr : float, default=5.0
        Signal-to-noise ratio; ``numpy.inf`` gives noiseless data.
    rho : float, default=0.0
        Correlation parameter of the design.
    correlation : {"toeplitz", "constant"}, default="toeplitz"
        ``Corr(x_i, x_j) = rho^|i-j|`` or ``rho`` for all pairs.
    support : {"spread", "first"}, default="spread"
        Nonzeros at ``floor(i * p / k)`` or on the first ``k`` features.
    intercept : float, default=0.0
        Added to the response.
    seed : int, default=1
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    coef : ndarray of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from l0learn.datasets import make_sparse_regression
    >>> X, y, beta = make_sparse_regression(50, 20, 3, seed=0)
    >>> X.shape, int(np.count_nonzero(beta))
    ((50, 20), 3)
    """
    if not 0 <= rho < 1:
        raise ValueError("rho must be in [0, 1).")
    if n_nonzero > n_features:
        raise ValueError("n_nonzero cannot exceed n_features.")
    rng = np.random.default_rng(seed)
    X = _design(rng, n_samples, n_features, rho, correlation)
    coef = np.zeros(n_features)
    if support == "spread":
        idx = (np.arange(n_nonzero) * n_features) // n_nonzero
    elif support == "first":
        idx = np.arange(n_nonzero)
    else:
        raise ValueError("support must be 'spread' or 'first'.")
    coef[idx] = 1.0
    signal = X @ coef
    if np.isinf(snr):
        noise = np.zeros(n_samples)
    else:
        sigma = np.sqrt(np.var(signal, ddof=1) / snr)
        noise = rng.normal(scale=sigma, size=n_samples)
    return X, signal + intercept + noise, coef


def additive_signal(X):
    """The five shapes of the FAST/FIRE additive benchmark design (features 5.. are noise).

    f0 = 1.5·1[x0 > 0] (one jump), f1 = sin(pi x1), f2 = x2², f3 = 1[x3 > 0.5] −
    1[x3 < −0.3] (two jumps), f4 = 0.5·floor(4 (x4 + 1)) / 4 (an 8-level staircase).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features in [-1, 1] (at least five columns).

    Examples
    --------
    >>> import numpy as np
    >>> from l0learn.datasets import additive_signal, make_additive_regression
    >>> X, y, *_ = make_additive_regression(100, random_state=0)
    >>> additive_signal(X).shape
    (100,)
    """
    X = np.asarray(X, dtype=np.float64)
    return (1.5 * (X[:, 0] > 0) + np.sin(np.pi * X[:, 1]) + X[:, 2] ** 2
            + ((X[:, 3] > 0.5).astype(float) - (X[:, 3] < -0.3))
            + 0.5 * np.floor(4 * (X[:, 4] + 1)) / 4)


def make_additive_regression(n_samples=20000, n_features=10, *, snr=5.0, random_state=None):
    """The additive step/smooth design of the FAST and FIRE benchmarks.

    ``X ~ U(-1, 1)^(n x p)`` (p >= 5), ``y = additive_signal(X) + e`` with noise
    variance Var(signal) / snr (ddof=1 variance of this draw's signal).  Draw
    order: X, then the noise, from ``numpy.random.default_rng(random_state)``,
    so a seed reproduces the published data sets.

    Parameters
    ----------
    n_samples : int, default=20000
        Rows.
    n_features : int, default=10
        Columns (at least 5; those after the fifth are noise).
    snr : float, default=5.0
        Signal-to-noise ratio.
    random_state : int or None, default=None
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    X : ndarray (n_samples, n_features)
    y : ndarray (n_samples,)
    signal : ndarray (n_samples,)
        The noiseless response (for the achievable error).
    noise_var : float

    Examples
    --------
    >>> from l0learn.datasets import make_additive_regression
    >>> X, y, *_ = make_additive_regression(100, random_state=0)
    >>> X.shape[0], y.shape[0]
    (100, 100)
    """
    if n_features < 5:
        raise ValueError(f"n_features must be >= 5 (five active shapes); got {n_features}.")
    rng = np.random.default_rng(random_state)
    X = rng.uniform(-1.0, 1.0, (n_samples, n_features))
    signal = additive_signal(X)
    noise_var = float(np.var(signal, ddof=1) / snr)
    y = signal + rng.normal(scale=np.sqrt(noise_var), size=n_samples)
    return X, y, signal, noise_var


def make_multitask_regression(n_per_task=50, n_features=250, n_tasks=4, *, rho=0.5,
                              n_common=10, n_candidates=5, p_candidate=0.5, beta_var=10.0,
                              noise_var_range=(0.05, 0.2), shared_design=True, n_test=None,
                              random_state=None):
    """The multi-task simulation design of Behdin et al. (sMTL, 2022).

    X ~ N(0, Σ) with Σ_ij = rho^|i - j|; every task uses the ``n_common`` features
    0, 2, ..., 2(n_common - 1) and each of the next ``n_candidates`` even-indexed
    features with probability ``p_candidate``; β_kj = μ_j + u_kj with μ_j ~ ±U(0.2, 0.5)
    shared and u_kj ~ N(0, beta_var) task-specific (values differ strongly between
    tasks); y_k = X β_k + ε_k, σ_k² ~ U(noise_var_range); no intercept.

    Parameters
    ----------
    n_per_task : int, default=50
        Training rows per task.
    n_features : int, default=250
        Columns.
    n_tasks : int, default=4
        Tasks.
    rho : float, default=0.5
        Toeplitz correlation of the design.
    n_common : int, default=10
        Features active in every task.
    n_candidates : int, default=5
        Further features, each active in a task with probability ``p_candidate``.
    p_candidate : float, default=0.5
        See ``n_candidates``.
    beta_var : float, default=10.0
        Variance of the task-specific part of the coefficients.
    noise_var_range : tuple of float, default=(0.05, 0.2)
        Range of the tasks' noise variances.
    shared_design : bool, default=True
        One ``X`` for all tasks (multi-label) or a separate draw per task.
    n_test : int, default=None
        Test rows per task drawn the same way (``None``: no test set).
    random_state : int or None, default=None
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    X, y, tasks : stacked training rows (``X`` shared by all tasks when
        ``shared_design``: then ``y`` is (n_per_task, n_tasks) and ``tasks`` is None)
    coef : ndarray (n_tasks, n_features), the true coefficients
    test : tuple (X, y, tasks) of ``n_test`` rows per task drawn the same way (or None)

    Examples
    --------
    >>> from l0learn.datasets import make_multitask_regression
    >>> X, y, tasks, coef, test = make_multitask_regression(40, 50, 2, shared_design=False,
    ...                                                     random_state=0)
    >>> X.shape, coef.shape
    ((80, 50), (2, 50))
    """
    rng = np.random.default_rng(random_state)
    p = n_features
    if 2 * (n_common + n_candidates) > p:
        raise ValueError("n_features is too small for the common and candidate features.")
    common = np.arange(n_common) * 2
    candidates = 2 * n_common + np.arange(n_candidates) * 2
    mu = rng.choice([-1.0, 1.0], p) * rng.uniform(0.2, 0.5, p)
    coef = np.zeros((n_tasks, p))
    for k in range(n_tasks):
        support = np.r_[common, candidates[rng.random(n_candidates) < p_candidate]]
        coef[k, support] = mu[support] + rng.normal(scale=np.sqrt(beta_var), size=support.size)
    noise_sd = np.sqrt(rng.uniform(*noise_var_range, n_tasks))
    idx = np.arange(p)
    chol = np.linalg.cholesky(rho ** np.abs(idx[:, None] - idx[None, :]))

    def draw(n):
        if shared_design:
            X = rng.standard_normal((n, p)) @ chol.T
            Y = X @ coef.T + rng.standard_normal((n, n_tasks)) * noise_sd[None, :]
            return X, Y, None
        Xs, ys, ts = [], [], []
        for k in range(n_tasks):
            X = rng.standard_normal((n, p)) @ chol.T
            Xs.append(X)
            ys.append(X @ coef[k] + rng.normal(scale=noise_sd[k], size=n))
            ts.append(np.full(n, k))
        return np.vstack(Xs), np.concatenate(ys), np.concatenate(ts)

    train = draw(n_per_task)
    test = draw(n_test) if n_test else None
    return train[0], train[1], train[2], coef, test


def _shift_to_condition(B, cond):
    """``B + delta I`` with ``delta`` chosen so that its condition number is ``cond``.

    A pattern without edges (a uniform draw can have none) has one eigenvalue, which
    no shift spreads: its precision matrix is the identity (condition number 1).
    """
    evals = np.linalg.eigvalsh(B)
    if evals[-1] - evals[0] <= 1e-12 * max(1.0, abs(evals[-1])):
        return np.eye(B.shape[0])
    delta = (cond * evals[0] - evals[-1]) / (1.0 - cond)
    return B + delta * np.eye(B.shape[0])


def make_graphical_model(n_samples=400, n_features=200, *, design="banded", cond=10.0,
                         rho=0.5, half_bandwidth=3, edge_probability=None, hub_size=20,
                         seed=0):
    """Gaussian data with a sparse precision matrix (the GraphL0BnB study designs).

    ``X ~ N(0, Theta^-1)``.  For ``"banded"``, ``"uniform"`` and ``"hub"`` an
    off-diagonal pattern ``B`` is shifted, ``Theta = B + delta I``, so that
    ``cond(Theta) = cond``, then scaled so that the largest marginal variance is 1.
    The random stream is ``numpy.random.RandomState(seed)``, drawn in the order of
    the GraphL0 study (the edge pattern first, then ``Z`` of shape ``(n, p)``, ``X =
    Z L'`` with ``L`` the Cholesky factor of ``Theta^-1``), so the same seed gives
    the same data as there.

    Parameters
    ----------
    n_samples, n_features : int
        Rows and variables.
    design : {"banded", "uniform", "ar1", "hub"}, default="banded"
        - ``"banded"``: ``B_ij = rho^|i-j|`` for ``0 < |i-j| <= half_bandwidth``.
        - ``"uniform"``: ``B_ij = 0.5`` with probability ``edge_probability``
          (default ``3 / n_features``), independently per pair.
        - ``"ar1"``: correlation ``rho^|i-j|`` (``cond`` unused), so ``Theta`` is
          tridiagonal with unit-variance variables.
        - ``"hub"``: groups of ``hub_size`` consecutive nodes; the first node of each
          group is linked to the others with weight 0.5.
    cond : float, default=10.0
        Condition number of ``Theta`` (not for ``"ar1"``).
    rho : float, default=0.5
        Strength of the off-diagonal entries (design-specific, see ``design``).
    half_bandwidth : int, default=3
        ``"banded"``: neighbours on each side joined by an edge.
    edge_probability : float, optional
        ``"uniform"``: probability of each edge (default: about three per node).
    hub_size : int, default=20
        ``"hub"``: variables per hub.
    seed : int, default=0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    theta : ndarray of shape (n_features, n_features)
        The true precision matrix.

    Examples
    --------
    >>> from l0learn.datasets import make_graphical_model
    >>> X, theta = make_graphical_model(100, 6, design="banded", seed=0)
    >>> X.shape, theta.shape
    ((100, 6), (6, 6))
    """
    p = int(n_features)
    if p < 2:
        raise ValueError("n_features must be at least 2.")
    if not cond > 1.0 and design != "ar1":
        raise ValueError(f"cond must be > 1; got {cond}.")
    rng = np.random.RandomState(seed)
    idx = np.arange(p)
    lag = np.abs(idx[:, None] - idx[None, :])
    if design == "ar1":
        sigma = float(rho) ** lag
        theta = np.linalg.inv(sigma)
        theta[np.abs(theta) < 1e-12] = 0.0
    else:
        if design == "banded":
            B = np.where((lag > 0) & (lag <= half_bandwidth), float(rho) ** lag, 0.0)
        elif design == "uniform":
            prob = 3.0 / p if edge_probability is None else float(edge_probability)
            B = 0.5 * rng.binomial(1, prob, (p, p)) * np.tri(p, p, -1)
            B = B + B.T
        elif design == "hub":
            B = np.zeros((p, p))
            for start in range(0, p, hub_size):
                members = np.arange(start, min(start + hub_size, p))
                B[members[0], members[1:]] = B[members[1:], members[0]] = 0.5
        else:
            raise ValueError("design must be 'banded', 'uniform', 'ar1' or 'hub'; "
                             f"got {design!r}.")
        theta = _shift_to_condition(B, float(cond))
        theta = theta * np.max(np.diag(np.linalg.inv(theta)))
        sigma = np.linalg.inv(theta)
    chol = np.linalg.cholesky(sigma)
    X = rng.randn(int(n_samples), p) @ chol.T
    return X, theta
