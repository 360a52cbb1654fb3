"""The engine on tiny problems: one test per status and termination, every strategy."""

import subprocess
import sys

import numpy as np
import pytest

import bnb
from bnb import Status, Termination
from bnb.convergence import absolute_gap, relative_gap

from toy_problems import CoveringKnapsack, random_knapsack

STRATEGIES = ["best-bound", "depth-first", "best-bound-dive"]


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("seed", range(8))
def test_optimum_equals_enumeration(strategy, seed):
    problem = random_knapsack(seed)
    best, _ = problem.brute_force()
    result = bnb.solve(problem, strategy=strategy, gap_tol=0.0)
    assert result.status is Status.OPTIMAL
    # open nodes whose bound equals the incumbent may remain (gap already 0)
    assert result.termination in (Termination.QUEUE_EMPTY, Termination.GAP_REACHED)
    assert result.objective == pytest.approx(best)
    assert result.lower_bound <= best + 1e-9 and result.rel_gap == 0.0
    # every relaxation bound is below the optimum of its subtree, and children never
    # report a bound below their parent's
    for node, bound in problem.relaxations:
        assert node.bound >= bound - 1e-12


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_log_bounds_stay_below_the_optimum(strategy):
    problem = random_knapsack(3, n=12)
    best, _ = problem.brute_force()
    result = bnb.solve(problem, strategy=strategy, gap_tol=0.0, log_interval=0.0)
    assert len(result.log) > 3
    for row in result.log:
        assert row["bound"] <= best + 1e-9 <= row["incumbent"] + 2e-9 or row["incumbent"] == np.inf
    bounds = [row["bound"] for row in result.log if np.isfinite(row["bound"])]
    if strategy == "best-bound":
        assert np.all(np.diff(bounds) >= -1e-12)  # best-first: the bound never falls


def test_optimal_at_the_root():
    problem = CoveringKnapsack([1.0, 5.0, 4.0], [10.0, 1.0, 1.0], demand=10.0)
    result = bnb.solve(problem)
    assert result.status is Status.OPTIMAL and result.n_nodes == 1
    assert result.objective == 1.0 and result.rel_gap == 0.0


def test_infeasible():
    problem = CoveringKnapsack([1.0, 2.0], [1.0, 1.0], demand=3.0)
    result = bnb.solve(problem)
    assert result.status is Status.INFEASIBLE and result.objective == np.inf
    assert result.solution is None and result.termination is Termination.QUEUE_EMPTY


def test_node_limit_returns_the_incumbent_with_a_valid_gap():
    problem = random_knapsack(5, n=12)
    best, _ = problem.brute_force()
    result = bnb.solve(problem, node_limit=3, gap_tol=0.0)
    assert result.termination is Termination.NODE_LIMIT and result.n_nodes == 3
    assert result.status is Status.FEASIBLE
    assert result.lower_bound <= best <= result.objective
    assert result.abs_gap == pytest.approx(result.objective - result.lower_bound)


def test_node_limit_without_a_solution():
    problem = random_knapsack(5, n=12)
    problem.with_heuristic = False
    result = bnb.solve(problem, node_limit=1, gap_tol=0.0)
    assert result.status is Status.NO_SOLUTION and result.rel_gap == np.inf


def test_time_limit_returns_the_incumbent():
    problem = random_knapsack(6, n=12)
    problem.delay = 0.02
    best, _ = problem.brute_force()
    result = bnb.solve(problem, time_limit=0.1, gap_tol=0.0, strategy="best-bound")
    assert result.termination is Termination.TIME_LIMIT
    assert result.time < 1.0 and 1 <= result.n_nodes <= 10
    assert result.lower_bound <= best <= result.objective


def test_gap_reached():
    problem = random_knapsack(7, n=12)
    best, _ = problem.brute_force()
    exact = bnb.solve(random_knapsack(7, n=12), gap_tol=0.0)
    loose = bnb.solve(problem, gap_tol=0.2)
    assert loose.termination is Termination.GAP_REACHED and loose.status is Status.OPTIMAL
    assert loose.rel_gap <= 0.2 and loose.lower_bound <= best <= loose.objective
    assert loose.n_nodes < exact.n_nodes


def test_given_incumbent_is_used():
    problem = random_knapsack(2)
    best, z = problem.brute_force()
    result = bnb.solve(problem, incumbent=(best, z), gap_tol=0.0)
    assert result.objective == best


def test_gaps_handle_infinities():
    assert absolute_gap(np.inf, 1.0) == np.inf and relative_gap(np.inf, 1.0) == np.inf
    assert absolute_gap(2.0, -np.inf) == np.inf
    assert absolute_gap(2.0, 3.0) == 0.0 and relative_gap(2.0, 2.0) == 0.0
    assert relative_gap(-4.0, -5.0) == pytest.approx(0.25)
    assert relative_gap(0.0, -1e-3) == pytest.approx(1e-3 / 1e-12)


def test_verbose_log(capsys):
    bnb.solve(random_knapsack(1), verbose=True, log_interval=0.0)
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["nodes", "open", "incumbent", "bound", "gap", "time"]
    assert len(out) > 2


def test_unknown_strategy():
    with pytest.raises(ValueError, match="strategy must be one of"):
        bnb.solve(random_knapsack(1), strategy="random")


def test_bnb_imports_nothing_from_l0learn():
    code = "import sys, bnb; print(any(m.startswith('l0learn') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
    from pathlib import Path
    for path in (Path(bnb.__file__).parent).glob("*.py"):
        assert "l0learn" not in path.read_text()
