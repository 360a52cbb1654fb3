"""The solve loop: relax, bound, prune, branch, keep the incumbent and the global bound."""

import heapq
import time

import numpy as np

from .checks import ProblemChecker, check_solve_arguments
from .convergence import GAP_SCALE_FLOOR, absolute_gap, can_prune, gap_closed, relative_gap
from .node import Node
from .queue import STRATEGIES
from .results import Result, Status, Termination

_LOG_HEADER = f"{'nodes':>9} {'open':>8} {'incumbent':>14} {'bound':>14} {'gap':>9} {'time':>8}"


class _OpenBounds:
    """The minimum bound over open nodes, kept current under pushes and pops."""

    def __init__(self):
        self._heap = []
        self._open = set()

    def add(self, node):
        self._open.add(node.index)
        heapq.heappush(self._heap, (node.bound, node.index))

    def remove(self, node):
        self._open.discard(node.index)

    def minimum(self):
        while self._heap and self._heap[0][1] not in self._open:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else np.inf


def solve(problem, *, strategy="best-bound-dive", gap_tol=1e-4, abs_gap_tol=1e-12,
          gap_floor=GAP_SCALE_FLOOR, time_limit=np.inf, node_limit=np.inf, incumbent=None,
          verbose=False,
          log_interval=1.0, print_fn=print):
    """Branch and bound on ``problem`` (a :class:`bnb.Problem`).

    Parameters
    ----------
    problem : Problem
        The problem to solve (a :class:`bnb.Problem` subclass instance).
    strategy : {"best-bound", "depth-first", "best-bound-dive"}, default="best-bound-dive"
        Node selection; see :mod:`bnb.queue`.
    gap_tol : float, default=1e-4
        Stop once ``(incumbent - bound) / |incumbent| <= gap_tol``; nodes that cannot
        improve the incumbent by more than this are pruned.
    abs_gap_tol : float, default=1e-12
        The same in absolute terms.
    gap_floor : float, default=1e-12
        The relative gap divides by ``max(|incumbent|, gap_floor)``: problems whose
        objective can be near zero or negative set a natural scale here.
    time_limit : float, default=inf
        Seconds (wall clock, ``time.perf_counter``); checked between nodes.
    node_limit : int, default=inf
        Nodes relaxed.
    incumbent : tuple (objective, solution), optional
        A known feasible solution.
    verbose : bool, default=False
        Print a progress log (every ``log_interval`` seconds and at each new incumbent).
    log_interval : float, default=1.0
        Seconds between log rows (rows are also written at each new incumbent).
    print_fn : callable, default=print
        Where log lines go.

    Returns
    -------
    Result

    Examples
    --------
    >>> import numpy as np, bnb
    >>> class Knapsack(bnb.Problem):  # min c'z subject to a'z >= 2, z binary
    ...     c, a = np.array([3.0, 2.0, 4.0]), np.array([1.0, 1.0, 2.0])
    ...     def relax(self, node):
    ...         z = np.zeros(3); z[node.fixed_one] = 1.0
    ...         free = self.free_variables(node, 3)
    ...         need = 2.0 - self.a @ z
    ...         if need > 0 and self.a[free].sum() < need:
    ...             return bnb.Relaxation(lower_bound=np.inf)  # infeasible node
    ...         for i in free[np.argsort(self.c[free] / self.a[free])]:
    ...             if need <= 0:
    ...                 break
    ...             z[i] = min(1.0, need / self.a[i]); need -= self.a[i] * z[i]
    ...         return bnb.Relaxation(lower_bound=self.c @ z, objective=self.c @ z, solution=z,
    ...                               values=z)
    >>> result = bnb.solve(Knapsack(), gap_tol=0.0)
    >>> result.status.value, result.objective
    ('optimal', 4.0)
    """
    start = time.perf_counter()
    if not isinstance(strategy, str) or strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {sorted(STRATEGIES)}; got {strategy!r}.")
    upper, best = check_solve_arguments(problem, gap_tol, abs_gap_tol, gap_floor, time_limit,
                                        node_limit, incumbent, log_interval, print_fn)
    check = ProblemChecker(problem)
    queue = STRATEGIES[strategy]()
    open_bounds = _OpenBounds()
    # Bounds of nodes closed without being resolved (integral relaxations solved
    # inexactly, nodes pruned within tolerance): they stay in the global bound.
    retired = np.inf
    n_nodes = 0
    counter = 1
    log = []
    last_log = -np.inf

    def global_bound():
        return min(open_bounds.minimum(), retired, upper)

    def record(force=False):
        nonlocal last_log
        now = time.perf_counter() - start
        if not force and now - last_log < log_interval:
            return
        last_log = now
        lb = global_bound()
        row = dict(nodes=n_nodes, open=len(queue), incumbent=upper, bound=lb,
                   gap=relative_gap(upper, lb, gap_floor), time=now)
        log.append(row)
        if verbose:
            if len(log) == 1:
                print_fn(_LOG_HEADER)
            print_fn(f"{row['nodes']:>9d} {row['open']:>8d} {row['incumbent']:>14.8g} "
                     f"{row['bound']:>14.8g} {row['gap']:>9.3%} {row['time']:>7.2f}s")

    def offer(objective, solution):
        nonlocal upper, best
        if objective < upper:
            upper, best = float(objective), solution
            record(force=True)

    def _process(node):
        nonlocal n_nodes, counter

        def retire():
            nonlocal retired
            if node.bound < upper:
                retired = min(retired, node.bound)

        if can_prune(node.bound, upper, gap_tol, abs_gap_tol, gap_floor):
            retire()
            return
        relaxation = problem.relax(node)
        check.relaxation(node, relaxation)
        n_nodes += 1
        node.bound = max(node.bound, relaxation.lower_bound)
        if node.bound == np.inf:  # infeasible node
            return
        if not can_prune(node.bound, upper, gap_tol, abs_gap_tol, gap_floor):
            # Nodes about to be pruned cannot lead to a better solution: no heuristic there.
            found = check.heuristic(problem.heuristic(node, relaxation), node)
            if found is not None:
                offer(*found)
        if problem.is_integral(node, relaxation):
            offer(check.objective(relaxation.objective, "relax", node), relaxation.solution)
            retire()
        elif can_prune(node.bound, upper, gap_tol, abs_gap_tol, gap_floor):
            retire()
        else:
            variable, preferred = check.branching(node, problem.branch(node, relaxation))
            first = node.child(variable, preferred, relaxation.warm_start, counter)
            second = node.child(variable, 1 - preferred, relaxation.warm_start, counter + 1)
            counter += 2
            queue.push_children(first, second)
            open_bounds.add(first)
            open_bounds.add(second)
        record()

    root = Node(index=0)
    queue.push(root)
    open_bounds.add(root)
    termination = Termination.QUEUE_EMPTY
    while len(queue):
        if gap_closed(upper, global_bound(), gap_tol, abs_gap_tol, gap_floor):
            termination = Termination.GAP_REACHED
            break
        if time.perf_counter() - start >= time_limit:
            termination = Termination.TIME_LIMIT
            break
        if n_nodes >= node_limit:
            termination = Termination.NODE_LIMIT
            break
        node = queue.pop()
        # The node counts as open (with its parent's bound) until it is resolved,
        # so a log row written meanwhile never overstates the global bound.
        _process(node)
        open_bounds.remove(node)

    lower = global_bound()
    if termination in (Termination.QUEUE_EMPTY, Termination.GAP_REACHED):
        status = Status.OPTIMAL if np.isfinite(upper) else Status.INFEASIBLE
        if termination is Termination.QUEUE_EMPTY and np.isfinite(upper) and not gap_closed(
                upper, lower, gap_tol, abs_gap_tol, gap_floor):
            # Every node was resolved, but some only to the relaxation's accuracy.
            status = Status.FEASIBLE
    else:
        status = Status.FEASIBLE if np.isfinite(upper) else Status.NO_SOLUTION
    record(force=True)
    return Result(status=status, termination=termination, objective=upper, solution=best,
                  lower_bound=lower, abs_gap=absolute_gap(upper, lower),
                  rel_gap=relative_gap(upper, lower, gap_floor), n_nodes=n_nodes, n_open=len(queue),
                  time=time.perf_counter() - start, log=log)
