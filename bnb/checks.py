"""Input checks for :func:`bnb.solve` and checks of what a :class:`Problem` returns.

A certificate is only as good as the numbers it is built from: a NaN bound, a
relaxation of the wrong length or a heuristic "solution" with a NaN objective
must stop the search with an error naming the culprit, never be folded into
a reported optimum.
"""

import numbers

import numpy as np

from .problem import Problem, Relaxation


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_nonnegative(value, name, *, allow_inf=False, positive=False):
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number; got {value!r}.")
    value = float(value)
    if np.isnan(value) or (np.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be finite; got {value!r}.")
    if value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be {'positive' if positive else 'non-negative'}; "
                         f"got {value!r}.")
    return value


def check_solve_arguments(problem, gap_tol, abs_gap_tol, gap_floor, time_limit, node_limit,
                          incumbent, log_interval, print_fn):
    """Validate :func:`bnb.solve`'s arguments; return the incumbent as ``(upper, solution)``."""
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a bnb.Problem; got {type(problem).__name__}.")
    check_nonnegative(gap_tol, "gap_tol")
    check_nonnegative(abs_gap_tol, "abs_gap_tol")
    check_nonnegative(gap_floor, "gap_floor", positive=True)
    check_nonnegative(time_limit, "time_limit", allow_inf=True, positive=True)
    check_nonnegative(log_interval, "log_interval", allow_inf=True)
    if not (_is_real(node_limit) and (float(node_limit) == np.inf
                                      or isinstance(node_limit, numbers.Integral))):
        raise TypeError(f"node_limit must be an integer or inf; got {node_limit!r}.")
    if node_limit < 1:
        raise ValueError(f"node_limit must be at least 1; got {node_limit!r}.")
    if not callable(print_fn):
        raise TypeError("print_fn must be callable.")
    if incumbent is None:
        return np.inf, None
    if not (isinstance(incumbent, tuple) and len(incumbent) == 2 and _is_real(incumbent[0])):
        raise TypeError("incumbent must be a tuple (objective, solution) with a real objective; "
                        f"got {incumbent!r}.")
    if np.isnan(incumbent[0]):
        raise ValueError("the incumbent's objective is NaN.")
    return float(incumbent[0]), incumbent[1]


class ProblemChecker:
    """Checks each answer of a :class:`Problem` (remembers the number of binaries)."""

    def __init__(self, problem):
        self.name = type(problem).__name__
        self.n_variables = None

    def relaxation(self, node, relaxation):
        where = f"{self.name}.relax at node {node.index} (depth {node.depth})"
        if not isinstance(relaxation, Relaxation):
            raise TypeError(f"{where} returned {type(relaxation).__name__}, not a Relaxation.")
        if not _is_real(relaxation.lower_bound) or np.isnan(relaxation.lower_bound):
            raise ValueError(f"{where} returned the lower bound {relaxation.lower_bound!r}; "
                             "a bound must be a number (inf for an infeasible node).")
        if relaxation.lower_bound == -np.inf:
            raise ValueError(f"{where} returned a lower bound of -inf.")
        if relaxation.values is not None:
            v = np.asarray(relaxation.values)
            if v.ndim != 1 or not np.all(np.isfinite(v)):
                raise ValueError(f"{where} returned relaxed values that are not a finite 1-D "
                                 "array.")
            if self.n_variables is None:
                self.n_variables = v.shape[0]
            elif v.shape[0] != self.n_variables:
                raise ValueError(f"{where} returned {v.shape[0]} relaxed values; earlier nodes "
                                 f"returned {self.n_variables}.")
            fixed = np.concatenate([node.fixed_zero, node.fixed_one])
            if fixed.size and fixed.max() >= v.shape[0]:
                raise ValueError(f"{where} returned {v.shape[0]} relaxed values, but the node "
                                 f"fixes variable {int(fixed.max())}.")

    def objective(self, value, what, node):
        if not _is_real(value) or np.isnan(value):
            raise ValueError(f"{self.name}.{what} at node {node.index} gave the objective "
                             f"{value!r}; a feasible solution's objective must be a number.")
        return float(value)

    def heuristic(self, found, node):
        if found is None:
            return None
        if not (isinstance(found, tuple) and len(found) == 2):
            raise TypeError(f"{self.name}.heuristic at node {node.index} returned {found!r}; "
                            "expected None or (objective, solution).")
        return self.objective(found[0], "heuristic", node), found[1]

    def branching(self, node, choice):
        variable, preferred = choice
        fixed = set(node.fixed_zero.tolist()) | set(node.fixed_one.tolist())
        ok = isinstance(variable, numbers.Integral) and variable >= 0 and variable not in fixed
        if ok and self.n_variables is not None:
            ok = variable < self.n_variables
        if not ok or preferred not in (0, 1):
            raise ValueError(f"{self.name}.branch at node {node.index} chose ({variable!r}, "
                             f"{preferred!r}); the variable must be a free binary's index and "
                             "the preferred value 0 or 1.")
        return int(variable), int(preferred)
