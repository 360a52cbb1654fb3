"""A generic branch-and-bound engine for problems with binary variables.

The engine owns the search (node queue, pruning, incumbent, global bound, gaps,
limits, progress log); a :class:`Problem` answers questions about one node.
It imports nothing from the estimators that use it.
"""

from .node import Node
from .problem import Problem, Relaxation
from .results import Result, Status, Termination
from .tree import solve

__all__ = ["Node", "Problem", "Relaxation", "Result", "Status", "Termination", "solve"]
