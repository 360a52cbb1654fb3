"""bnb.solve refuses bad arguments and malformed Problem answers instead of certifying them."""

import numpy as np
import pytest

import bnb
from bnb import Relaxation
from toy_problems import CoveringKnapsack, random_knapsack


@pytest.mark.parametrize("kwargs, error", [
    (dict(gap_tol="0.1"), TypeError), (dict(gap_tol=-1), ValueError),
    (dict(gap_tol=np.nan), ValueError), (dict(abs_gap_tol=-1e-3), ValueError),
    (dict(gap_floor=0.0), ValueError), (dict(time_limit=-1), ValueError),
    (dict(time_limit=0), ValueError), (dict(node_limit=0), ValueError),
    (dict(node_limit=2.5), TypeError), (dict(incumbent="x"), TypeError),
    (dict(incumbent=(np.nan, None)), ValueError), (dict(print_fn=3), TypeError),
    (dict(strategy="random"), ValueError),
])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        bnb.solve(random_knapsack(0), **kwargs)


def test_problem_must_be_a_problem():
    with pytest.raises(TypeError, match="bnb.Problem"):
        bnb.solve(None)


class NaNBound(CoveringKnapsack):
    """Returns a NaN bound at the first node below the root."""

    def relax(self, node):
        out = super().relax(node)
        if node.depth == 1:
            return Relaxation(lower_bound=np.nan, objective=out.objective, solution=out.solution,
                              values=out.values)
        return out


class ShortValues(CoveringKnapsack):
    """Returns one relaxed value too few below the root."""

    def relax(self, node):
        out = super().relax(node)
        if node.depth >= 1 and out.values is not None:
            out.values = out.values[:-1]
        return out


class NaNHeuristic(CoveringKnapsack):
    def heuristic(self, node, relaxation):
        return np.nan, relaxation.solution


class BadBranch(CoveringKnapsack):
    def branch(self, node, relaxation):
        return 10 ** 6, 1


@pytest.mark.parametrize("cls, match", [
    (NaNBound, "lower bound nan"), (ShortValues, "relaxed values"),
    (NaNHeuristic, "heuristic at node"), (BadBranch, "branch at node"),
])
def test_malformed_problem_answers_raise(cls, match):
    base = random_knapsack(3, n=12)
    problem = cls(base.cost, base.weight, base.demand)
    with pytest.raises(ValueError, match=match):
        bnb.solve(problem, gap_tol=0.0)


def test_well_formed_problem_is_unaffected():
    problem = random_knapsack(3, n=12)
    result = bnb.solve(problem, gap_tol=0.0)
    assert result.objective == pytest.approx(problem.brute_force()[0])
