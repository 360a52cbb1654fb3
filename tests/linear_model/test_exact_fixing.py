"""Reduced-cost fixing and the eigenvalue-shifted relaxation against enumeration.

Every support of a small problem is enumerated (ridge refit per support), so for any
node (variables fixed to zero / one) and any incumbent value ``U`` we know exactly
which completions beat ``U``.  A variable fixed to zero must be in none of them, one
fixed to one in all of them, and the node's bound must not exceed its best completion.
"""

from itertools import combinations

import numpy as np
import pytest

from bnb import Node
from l0learn.linear_model._exact import CardinalityL0L2Problem, L0L2Problem
from l0learn.linear_model._solver import NormalisedProblem, Settings
from l0learn.utils._testing import force_node_form, normalise, objective, ridge_on_support


def instance(rng):
    """A random small problem: correlated or near-duplicate columns, weights, no intercept."""
    n, p = rng.integers(12, 40), rng.integers(5, 9)
    design = rng.choice(["iid", "correlated", "near-duplicate"])
    X = rng.standard_normal((n, p))
    if design == "correlated":
        X = X @ np.linalg.cholesky(0.7 ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))).T
    elif design == "near-duplicate":
        X[:, 1] = X[:, 0] + 1e-3 * rng.standard_normal(n)
    coef = np.zeros(p)
    coef[rng.choice(p, 3, replace=False)] = rng.choice([-1.0, 1.0], 3) * rng.uniform(0.3, 2, 3)
    y = X @ coef + rng.uniform(0.2, 1.5) * rng.standard_normal(n) + rng.uniform(-3, 3)
    w = rng.uniform(0.2, 2.0, n) if rng.random() < 0.3 else np.ones(n)
    fit_intercept = bool(rng.random() < 0.8)
    return X, y, w, fit_intercept


def random_case(rng):
    """A random instance, its penalties, and every support's objective (enumerated)."""
    X, y, w, fit_intercept = instance(rng)
    p = X.shape[1]
    lam2 = 10.0 ** rng.uniform(-4, 1)
    lam0 = rng.uniform(0.002, 0.05)
    Xn, yn, _, _ = normalise(X, y, w, fit_intercept)
    problem = NormalisedProblem(np.asfortranarray(X), y, w, fit_intercept,
                                np.full(p, -np.inf), np.full(p, np.inf))
    return problem, all_supports(Xn, yn, lam0, lam2), lam0, lam2


def all_supports(Xn, yn, lam0, lam2):
    p = Xn.shape[1]
    return {S: objective(Xn, yn, ridge_on_support(Xn, yn, S, lam2), lam0, 0.0, lam2)
            for size in range(p + 1) for S in combinations(range(p), size)}


def random_node(rng, p):
    order = rng.permutation(p)
    n0, n1 = rng.integers(0, 3), rng.integers(0, 3)
    return Node(np.sort(order[:n0]).astype(np.int64), np.sort(order[n0:n0 + n1]).astype(np.int64))


def completions(values, node, k=None):
    zero, one = set(node.fixed_zero.tolist()), set(node.fixed_one.tolist())
    return {S: v for S, v in values.items()
            if not zero & set(S) and one <= set(S) and (k is None or len(S) <= k)}


def check_fixings(node, relaxation, values, upper):
    _, zero, one = relaxation.warm_start
    new_zero = set(zero.tolist()) - set(node.fixed_zero.tolist())
    new_one = set(one.tolist()) - set(node.fixed_one.tolist())
    for S, v in values.items():
        if v < upper:  # a completion better than the incumbent: no fixing may cut it off
            assert not new_zero & set(S), (S, v, upper, new_zero)
            assert new_one <= set(S), (S, v, upper, new_one)
    return len(new_zero) + len(new_one)


@pytest.mark.parametrize("form", ["covariance", "active-gram", "residual", "refix"])
@pytest.mark.parametrize("seed", range(8))
def test_fixings_and_bounds_agree_with_enumeration(seed, form, monkeypatch):
    # every node form of the relaxation (see force_node_form): small problems take the
    # covariance form; the others are forced
    rng = np.random.default_rng(1000 + seed)
    n_fixed = 0
    ran = 0
    for _ in range(30):  # 8 x 30 = 240 instances, two problem forms each
        problem, values, lam0, lam2 = random_case(rng)
        p = problem.design.n_features
        node = random_node(rng, p)
        kernel = force_node_form(monkeypatch, form, unfixed=p - node.fixed_zero.size)
        below = completions(values, node)
        best_below = min(below.values())
        # The incumbent: the node's best completion, or a better one found elsewhere.
        upper = best_below + rng.choice([0.0, 1e-3, 0.05]) * abs(best_below)
        upper = min(upper, min(values.values()) + rng.choice([0.0, 1.0]))
        mio = L0L2Problem(problem, lam0, lam2, Settings())
        mio.upper = max(upper, lam0 + 1e-12)
        relaxation = mio.relax(node)
        ran += kernel.calls
        assert relaxation.lower_bound <= best_below + 1e-9 * max(1.0, abs(best_below))
        n_fixed += check_fixings(node, relaxation, below, mio.upper)

        k = int(rng.integers(1, p))
        below_k = completions({S: v - lam0 * len(S) for S, v in values.items()}, node, k)
        if node.fixed_one.size > k or not below_k:
            continue
        best_k = min(below_k.values())
        card = CardinalityL0L2Problem(problem, k, lam2, Settings())
        card.upper = best_k + rng.choice([0.0, 1e-3]) * abs(best_k)
        relaxation = card.relax(node)
        assert relaxation.lower_bound <= best_k + 1e-9 * max(1.0, abs(best_k))
        n_fixed += check_fixings(node, relaxation, below_k, card.upper)
    assert n_fixed > 0  # the rule does fix variables on these instances
    assert ran > 0  # and the form under test ran (for "refix": a node was re-solved)


@pytest.mark.parametrize("seed", range(4))
def test_guessed_shift_bounds_agree_with_enumeration(seed, monkeypatch):
    # The covariance form's guessed shift (certified by Cholesky, see _guessed_shift):
    # a history of "earlier blocks" with eigenvalues from 0.5 to 3 times the node's
    # own, so that the guess is sometimes certified below lambda_min and sometimes
    # refused; bounds and fixings must hold either way.
    import l0learn.linear_model._exact as l0l2
    guesses = []
    original = l0l2.L0L2Problem._guessed_shift

    def record(self, gram, kind):
        shift = original(self, gram, kind)
        guesses.append((shift, np.linalg.eigvalsh(gram)[0]))
        return shift

    monkeypatch.setattr(l0l2.L0L2Problem, "_guessed_shift", record)
    rng = np.random.default_rng(2000 + seed)
    for _ in range(60):  # 4 x 60 = 240 instances
        problem, values, lam0, lam2 = random_case(rng)
        p = problem.design.n_features
        node = random_node(rng, p)
        below = completions(values, node)
        best_below = min(below.values())
        mio = L0L2Problem(problem, lam0, lam2, Settings())
        mio.upper = max(best_below + rng.choice([0.0, 1e-3]) * abs(best_below), lam0 + 1e-12)
        cols = np.flatnonzero(mio.node_kinds(node) != 0)
        own = np.linalg.eigvalsh(mio._stored_gram(cols))[0] if cols.size else 0.0
        mio._eigen_sizes = [cols.size] * 3
        mio._eigen_values = list(own * rng.uniform(0.5, 3.0, 3) / l0l2._GUESS_FRACTION)
        relaxation = mio.relax(node)
        assert relaxation.lower_bound <= best_below + 1e-9 * max(1.0, abs(best_below))
        check_fixings(node, relaxation, below, mio.upper)
    used = [s for s, _ in guesses if s > 0.0]
    assert all(s <= lam for s, lam in guesses)  # never above the block's eigenvalue
    assert used and len(used) < len(guesses)  # certified sometimes, refused sometimes
