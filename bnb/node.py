"""Nodes of the search tree."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

_NO_INDICES = np.zeros(0, dtype=np.int64)


@dataclass(slots=True)
class Node:
    """A partial assignment of the binary variables.

    Attributes
    ----------
    fixed_zero, fixed_one : ndarray of int
        Variables fixed to 0 and to 1 on the path from the root.
    depth : int
    bound : float
        A valid lower bound on every solution below this node (the parent's bound
        until the node is relaxed).
    warm_start : object
        Whatever the problem passed down from the parent's relaxation.
    index : int
        Creation order (ties in the queues are broken by it, so runs are repeatable).
    """

    fixed_zero: np.ndarray = field(default_factory=lambda: _NO_INDICES)
    fixed_one: np.ndarray = field(default_factory=lambda: _NO_INDICES)
    depth: int = 0
    bound: float = -np.inf
    warm_start: Any = None
    index: int = 0

    def child(self, variable, value, warm_start, index):
        """The child fixing ``variable`` to ``value`` (0 or 1)."""
        v = np.array([variable], dtype=np.int64)
        if value:
            return Node(self.fixed_zero, np.concatenate([self.fixed_one, v]), self.depth + 1,
                        self.bound, warm_start, index)
        return Node(np.concatenate([self.fixed_zero, v]), self.fixed_one, self.depth + 1,
                    self.bound, warm_start, index)
