"""Multi-task best subset: identities, closed-form moves, enumeration, limits, inputs, errors."""

from itertools import combinations, product

import numpy as np
import pandas as pd
import pytest

from l0learn import MultiTaskL0Regressor, MultiTaskL0RegressorCV
from l0learn.multitask._solver import (MultiTaskData, MultiTaskProblem, greedy_common_start,
                                       local_search)
from l0learn.datasets import make_multitask_regression


def _tiny(seed, K=2, p=6, n=25, shared=False):
    rng = np.random.default_rng(seed)
    Xs = [rng.normal(size=(n, p)) for _ in range(1 if shared else K)]
    if shared:
        Xs = Xs * K
    for X in Xs:
        X[:, 1] += 0.6 * X[:, 0]
    beta = np.zeros((K, p))
    for k in range(K):
        beta[k, rng.choice(p, 2, replace=False)] = rng.normal(scale=2, size=2)
    ys = [X @ b + 0.5 * rng.normal(size=n) for X, b in zip(Xs, beta)]
    return Xs, ys


def _objective_after(problem, B, k, i, j, b):
    trial = B.copy()
    if i >= 0:
        trial[k, i] = 0.0
    if j >= 0:
        trial[k, j] = b
    return problem.objective(trial)


def test_zbar_identity():
    rng = np.random.default_rng(0)
    for _ in range(20):
        K, p = int(rng.integers(2, 6)), 12
        Z = (rng.random((K, p)) < 0.4).astype(float)
        zbar = Z.mean(axis=0)
        direct = np.sum((Z - zbar) ** 2)
        counts = Z.sum(axis=0)
        assert direct == pytest.approx(np.sum(counts * (K - counts)) / K)
        pairs = sum(np.sum((Z[a] - Z[b]) ** 2) for a, b in combinations(range(K), 2))
        assert direct == pytest.approx(pairs / K)
    # maximum s(K - 1) when sK <= p: disjoint supports
    K, s, p = 3, 2, 8
    Z = np.zeros((K, p))
    for k in range(K):
        Z[k, 2 * k:2 * k + 2] = 1
    assert np.sum((Z - Z.mean(axis=0)) ** 2) == pytest.approx(s * (K - 1))


@pytest.mark.parametrize("seed", range(6))
def test_closed_form_moves_equal_brute_force_objective_changes(seed):
    Xs, ys = _tiny(seed, K=3, p=7)
    problem = MultiTaskProblem(MultiTaskData(Xs, ys), 3, 0.05, 0.3, 0.2, False)
    rng = np.random.default_rng(seed)
    B = np.zeros((3, 7))
    for k in range(3):
        B[k, rng.choice(7, 2, replace=False)] = rng.normal(size=2)
    base = problem.objective(B)
    for k in range(3):
        for delta, kind, i, j, b in problem.task_moves(B, k):
            if kind == "refit-swap":  # drop i, refit the task, add j: b is the new row
                trial = B.copy()
                trial[k] = b
                assert delta == pytest.approx(problem.objective(trial) - base, abs=1e-10)
                assert trial[k, i] == 0 and trial[k, j] != 0
                continue
            assert delta == pytest.approx(_objective_after(problem, B, k, i, j, b) - base,
                                          abs=1e-10)
            if kind != "drop":  # b is the best single coefficient: perturbing it cannot help
                for eps in (-1e-3, 1e-3):
                    assert _objective_after(problem, B, k, i, j, b + eps) >= base + delta - 1e-12


@pytest.mark.parametrize("lambdas", [(0.05, 0.0, 0.4), (0.05, 0.3, 0.4)])
def test_cached_moves_follow_the_other_tasks(lambdas):
    """A task's moves are cached while its row is unchanged; when another task moves,
    the Zbar counts (and with Bbar the mean) change, and the cached moves must still
    give the exact objective changes."""
    Xs, ys = _tiny(11, K=3, p=7)
    problem = MultiTaskProblem(MultiTaskData(Xs, ys), 3, *lambdas, False)
    rng = np.random.default_rng(3)
    B = np.zeros((3, 7))
    for k in range(3):
        B[k, rng.choice(7, 2, replace=False)] = rng.normal(size=2)
    problem.task_moves(B, 0)  # fills the cache
    for step in range(4):
        B[1 + step % 2] = 0.0  # another task moves: counts and mean change
        B[1 + step % 2, rng.choice(7, 3, replace=False)] = rng.normal(size=3)
        base = problem.objective(B)
        for delta, kind, i, j, b in problem.task_moves(B, 0):
            trial = B.copy()
            if kind == "refit-swap":
                trial[0] = b
            else:
                if i >= 0:
                    trial[0, i] = 0.0
                if j >= 0:
                    trial[0, j] = b
            assert delta == pytest.approx(problem.objective(trial) - base, abs=1e-10)


@pytest.mark.parametrize("seed", range(8))
def test_refit_swap_is_the_best_drop_refit_add(seed):
    """The vectorised refit-swap (one inverse for every drop, one product for every
    newcomer) returns the best of all "drop i, refit task k, add j" moves found by
    refitting each drop and pricing each newcomer by brute force."""
    K, p = 3, 8
    Xs, ys = _tiny(100 + seed, K=K, p=p)
    lambdas = [(0.05, 0.3, 0.2), (0.0, 0.0, 0.0), (1e-3, 1.0, 0.5), (0.0, 0.1, 0.0)][seed % 4]
    problem = MultiTaskProblem(MultiTaskData(Xs, ys), 4, *lambdas, False)
    rng = np.random.default_rng(seed)
    B = np.zeros((K, p))
    for k in range(K):
        B[k, rng.choice(p, 3, replace=False)] = rng.normal(size=3)
    base = problem.objective(B)
    for k in range(K):
        move = [m for m in problem.task_moves(B, k) if m[1] == "refit-swap"][0]
        best = np.inf
        for i in np.flatnonzero(B[k]):
            dropped = B.copy()
            dropped[k, i] = 0.0
            problem.refit_task(dropped, k)
            for j in range(p):
                if B[k, j] != 0:
                    continue
                # quadratic in t != 0 (at t = 0 the Zbar count jumps): fit it on -1, 1, 2
                f = [_objective_after(problem, dropped, k, -1, j, t) for t in (-1.0, 1.0, 2.0)]
                a2 = ((f[2] - f[1]) - (f[1] - f[0]) / 2) / 3
                a1 = (f[1] - f[0]) / 2
                t = -a1 / (2 * a2)
                best = min(best, _objective_after(problem, dropped, k, -1, j, t) - base)
        assert move[0] == pytest.approx(best, abs=1e-9)


def _best_moves_brute_force(problem, B):
    """Smallest objective change over every single swap / add / drop with the best new value."""
    base = problem.objective(B)
    best = np.inf
    for k in range(problem.data.K):
        S = list(np.flatnonzero(B[k]))
        outs = S + [-1]
        ins = [j for j in range(problem.data.p) if j not in S] + [-1]
        for i, j in product(outs, ins):
            if i < 0 and j < 0:
                continue
            if i < 0 and len(S) >= problem.s:
                continue
            if j < 0:
                best = min(best, _objective_after(problem, B, k, i, -1, 0.0) - base)
                continue
            # the objective is quadratic in the new coefficient: fit it from three points
            vals = [_objective_after(problem, B, k, i, j, t) for t in (-1.0, 0.0, 1.0)]
            a2 = (vals[0] + vals[2] - 2 * vals[1]) / 2
            a1 = (vals[2] - vals[0]) / 2
            t = -a1 / (2 * a2)
            best = min(best, _objective_after(problem, B, k, i, j, t) - base)
    return best


def _enumerate(problem):
    """Global optimum over all per-task supports of size <= s (exact refits)."""
    d = problem.data
    supports = [()] + [c for r in range(1, problem.s + 1) for c in combinations(range(d.p), r)]
    best = np.inf
    for choice in product(supports, repeat=d.K):
        B = np.zeros((d.K, d.p))
        for k, S in enumerate(choice):
            B[k, list(S)] = np.finfo(float).tiny
        problem.refit(B)
        best = min(best, problem.objective(B))
    return best


@pytest.mark.parametrize("K, p, lambdas", [(2, 6, (1e-3, 0.0, 0.05)), (2, 6, (0.0, 0.2, 0.02)),
                                           (3, 5, (1e-2, 0.0, 0.1))])
def test_local_search_reaches_enumerated_optimum_and_is_swap_local_optimal(K, p, lambdas):
    hits, cases = 0, 8
    for seed in range(cases):
        Xs, ys = _tiny(seed, K=K, p=p)
        problem = MultiTaskProblem(MultiTaskData(Xs, ys), 2, *lambdas, False)
        B = np.zeros((K, p))
        greedy_common_start(problem, B)
        local_search(problem, B)
        assert _best_moves_brute_force(problem, B) >= -1e-9  # swap-local optimal
        refit = B.copy()
        problem.refit(refit)
        np.testing.assert_allclose(refit, B, atol=1e-8)  # converged on its supports
        hits += problem.objective(B) <= _enumerate(problem) + 1e-9
    assert hits >= cases - 2


def test_estimator_solutions_are_swap_local_optimal_on_the_paper_design():
    X, Y, _, _, _ = make_multitask_regression(50, 60, 3, random_state=1)
    for lz in (0.0, 0.05, 1.0):
        model = MultiTaskL0Regressor(s=12, lambda_1=1e-3, lambda_2=1e-2, lambda_z=lz).fit(X, Y)
        sd = X.std(axis=0)
        problem = MultiTaskProblem(MultiTaskData([X / sd] * 3, [Y[:, k] for k in range(3)]),
                                   12, 1e-3, 1e-2, lz, False)
        B = model.coef_ * sd[None, :]
        assert problem.objective(B) == pytest.approx(model.objective_, rel=1e-10)
        assert _best_moves_brute_force(problem, B) >= -1e-9 * max(1, model.objective_)


def test_zero_sharing_equals_separate_per_task_fits():
    for seed in range(4):
        Xs, ys = _tiny(seed, K=2, p=6)
        joint = MultiTaskL0Regressor(s=2, lambda_1=1e-2, scale=False).fit(Xs, ys)
        for k in range(2):
            alone = MultiTaskProblem(MultiTaskData([Xs[k]], [ys[k]]), 2, 1e-2, 0.0, 0.0, False)
            best = _enumerate(alone)
            B = joint.coef_[k:k + 1].copy()
            assert alone.objective(B) == pytest.approx(best, abs=1e-9)


def test_large_lambda_z_gives_the_common_support_fit():
    X, Y, _, _, _ = make_multitask_regression(60, 40, 3, random_state=2)
    cs = MultiTaskL0Regressor(s=8, lambda_1=1e-3, common_support=True).fit(X, Y)
    big = MultiTaskL0Regressor(s=8, lambda_1=1e-3, lambda_z=1e6).fit(X, Y)
    assert all(np.array_equal(a, cs.supports_[0]) for a in big.supports_)
    np.testing.assert_allclose(big.coef_, cs.coef_, atol=1e-10)


def test_large_lambda_2_makes_values_equal_across_tasks():
    X, Y, _, _, _ = make_multitask_regression(60, 30, 3, random_state=3)
    model = MultiTaskL0Regressor(s=6, lambda_2=1e6, common_support=True).fit(X, Y)
    assert np.ptp(model.coef_, axis=0).max() < 1e-4 * np.abs(model.coef_).max()


def test_zbar_recovers_heterogeneous_supports_better_than_separate_fits():
    X, Y, _, coef, _ = make_multitask_regression(50, 250, 4, random_state=0,
                                                 noise_var_range=(0.05, 0.2))

    def f1(est):
        tp = np.sum((est != 0) & (coef != 0))
        return 2 * tp / (np.count_nonzero(est) + np.count_nonzero(coef))

    zbar = MultiTaskL0Regressor(s=13, lambda_1=1e-3, lambda_z=0.1).fit(X, Y)
    separate = [MultiTaskL0Regressor(s=13, lambda_1=1e-3).fit(X, Y[:, k]) for k in range(4)]
    f1_sep = f1(np.vstack([m.coef_ for m in separate]))
    assert f1(zbar.coef_) >= 0.9 and f1(zbar.coef_) > f1_sep


def test_input_forms_agree_and_predict_by_task():
    Xs, ys = _tiny(0, K=3, p=6)
    listed = MultiTaskL0Regressor(s=2, lambda_z=0.05).fit(Xs, ys)
    tasks = np.repeat(["a", "b", "c"], 25)
    stacked = MultiTaskL0Regressor(s=2, lambda_z=0.05).fit(np.vstack(Xs), np.concatenate(ys),
                                                           tasks=tasks)
    np.testing.assert_allclose(listed.coef_, stacked.coef_, atol=1e-12)
    assert list(stacked.tasks_) == ["a", "b", "c"]
    pred = stacked.predict(np.vstack(Xs), tasks=tasks)
    for k, X in enumerate(Xs):
        np.testing.assert_allclose(pred[25 * k:25 * (k + 1)],
                                   X @ stacked.coef_[k] + stacked.intercept_[k])
    assert stacked.predict(Xs[0]).shape == (25, 3)
    # multi-label: one X, y with a column per task; names kept
    df = pd.DataFrame(Xs[0], columns=[f"g{j}" for j in range(6)])
    Y = np.column_stack([ys[0], -ys[0] + 1])
    multi = MultiTaskL0Regressor(s=2).fit(df, Y)
    assert list(multi.feature_names_in_) == list(df.columns)
    assert multi.predict(df).shape == (25, 2)
    assert multi.score(df, Y) > 0.5


def test_intercepts_are_recovered():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 5)) + 3.0
    Y = np.column_stack([10 + 2 * X[:, 0], -5 + 3 * X[:, 1]])
    model = MultiTaskL0Regressor(s=1).fit(X, Y)
    np.testing.assert_allclose(model.intercept_, [10, -5], atol=1e-8)
    np.testing.assert_allclose(model.coef_[0, 0], 2, atol=1e-10)


def test_bad_input_gives_clear_errors():
    Xs, ys = _tiny(0, K=2, p=6)
    X, y = np.vstack(Xs), np.concatenate(ys)
    with pytest.raises(ValueError, match="one label per row"):
        MultiTaskL0Regressor().fit(X, y, tasks=np.zeros(10))
    tasks = np.r_[np.zeros(49), 1.0]
    with pytest.raises(ValueError, match="at least 2"):
        MultiTaskL0Regressor().fit(X, y, tasks=tasks)
    with pytest.raises(ValueError, match="NaN"):
        MultiTaskL0Regressor().fit(X, y, tasks=np.r_[np.zeros(49), np.nan])
    with pytest.raises(ValueError, match="not both"):
        MultiTaskL0Regressor().fit(Xs, ys, tasks=np.zeros(50))
    with pytest.raises(ValueError, match="same length"):
        MultiTaskL0Regressor().fit(Xs, ys[:1])
    with pytest.raises(ValueError, match="inconsistent"):
        MultiTaskL0Regressor().fit(X, y[:-1])
    model = MultiTaskL0Regressor(s=2).fit(X, y, tasks=np.repeat([0, 1], 25))
    with pytest.raises(ValueError, match="unknown task"):
        model.predict(X[:3], tasks=[0, 1, 7])
    with pytest.raises(ValueError, match="s"):
        MultiTaskL0Regressor(s=0).fit(X, y)


def test_cv_chooses_from_the_grid_and_refits():
    X, Y, _, _, _ = make_multitask_regression(40, 50, 3, random_state=4)
    cv = MultiTaskL0RegressorCV(s_values=(8, 12), lambda_z_values=(0.0, 0.1), cv=3,
                                random_state=0).fit(X, Y)
    assert len(cv.cv_results_) == 4
    assert cv.s_ in (8, 12) and cv.lambda_z_ in (0.0, 0.1)
    direct = MultiTaskL0Regressor(s=cv.s_, lambda_1=cv.lambda_1_, lambda_z=cv.lambda_z_).fit(X, Y)
    assert cv.objective_ <= direct.objective_ + 1e-8 * max(1, direct.objective_) or np.allclose(
        cv.coef_, direct.coef_)
    tasks = np.repeat([0, 1], 40)
    Xs = np.vstack([X, X + 0.1])
    ys = np.concatenate([Y[:, 0], Y[:, 1]])
    stacked = MultiTaskL0RegressorCV(s_values=(10,), lambda_z_values=(0.0, 0.1), cv=3,
                                     random_state=0).fit(Xs, ys, tasks=tasks)
    assert stacked.coef_.shape == (2, 50)
