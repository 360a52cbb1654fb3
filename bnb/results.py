"""What a solve returns."""

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    """What is known about the solution."""

    OPTIMAL = "optimal"            # incumbent proven within the gap tolerance
    FEASIBLE = "feasible"          # a limit stopped the search; incumbent with its gap
    INFEASIBLE = "infeasible"      # no feasible solution exists
    NO_SOLUTION = "no_solution"    # a limit stopped the search before any solution


class Termination(str, Enum):
    """Why the search stopped."""

    QUEUE_EMPTY = "queue_empty"
    GAP_REACHED = "gap_reached"
    TIME_LIMIT = "time_limit"
    NODE_LIMIT = "node_limit"


@dataclass
class Result:
    """The outcome of :func:`bnb.solve`.

    Attributes
    ----------
    status : Status
    termination : Termination
    objective : float
        Incumbent objective (``inf`` without a solution).
    solution : object
    lower_bound : float
        Global lower bound: min over open nodes and nodes retired without being
        resolved (never above ``objective``).
    abs_gap, rel_gap : float
    n_nodes : int
        Nodes relaxed.
    n_open : int
        Nodes left in the queue.
    time : float
        Seconds.
    log : list of dict
        Progress rows (nodes, open, incumbent, bound, gap, time).
    """

    status: Status
    termination: Termination
    objective: float
    solution: Any
    lower_bound: float
    abs_gap: float
    rel_gap: float
    n_nodes: int
    n_open: int
    time: float
    log: list = field(default_factory=list)
