"""The protocol a problem implements to be solved by the engine."""

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Relaxation:
    """The answer of :meth:`Problem.relax` for one node.

    Attributes
    ----------
    lower_bound : float
        A valid lower bound on every feasible solution below the node, however
        inexactly the relaxation was solved (``numpy.inf`` when the node is
        infeasible).
    objective : float
        The objective of ``solution``: when the relaxation is integral this is a
        feasible solution's value.
    solution : object
        The relaxed solution.
    values : ndarray or None
        The relaxed values of the binary variables (used by the default branching
        and integrality rules).
    warm_start : object
        Passed to the children.
    """

    lower_bound: float
    objective: float = np.inf
    solution: Any = None
    values: np.ndarray = None
    warm_start: Any = None


class Problem:
    """Base class for problems solved by :func:`bnb.solve`.

    Subclasses implement :meth:`relax` and usually :meth:`heuristic`; the
    defaults of :meth:`branch` and :meth:`is_integral` read ``Relaxation.values``.

    Examples
    --------
    See :func:`bnb.solve` for a complete problem (a covering knapsack).  The default
    branching rule picks the most fractional free variable of the relaxation:

    >>> import numpy as np, bnb
    >>> relaxed = bnb.Relaxation(lower_bound=0.0, values=np.array([0.0, 0.4, 1.0]))
    >>> bnb.Problem().branch(bnb.Node(), relaxed)
    (1, 0)
    """

    #: relaxed values within this distance of 0 or 1 count as integral
    integrality_tol = 1e-6

    def relax(self, node):
        """Solve the node's relaxation: a :class:`Relaxation`."""
        raise NotImplementedError

    def heuristic(self, node, relaxation):
        """A feasible solution below (or anywhere near) the node: ``(objective, solution)`` or None."""
        return None

    def is_integral(self, node, relaxation):
        """Whether the relaxed solution is feasible for the original problem."""
        v = relaxation.values
        if v is None:
            return False
        free = self.free_variables(node, v.shape[0])
        z = v[free]
        return bool(np.all((z <= self.integrality_tol) | (z >= 1.0 - self.integrality_tol)))

    def branch(self, node, relaxation):
        """The variable to branch on: the most fractional free one by default.

        Returns ``(variable, preferred_value)``; the child fixing the preferred
        value is explored first by depth-first search and dives.
        """
        v = relaxation.values
        free = self.free_variables(node, v.shape[0])
        frac = np.minimum(v[free], 1.0 - v[free])
        k = int(np.argmax(frac))
        var = int(free[k])
        return var, int(v[var] >= 0.5)

    @staticmethod
    def free_variables(node, n_variables):
        mask = np.ones(n_variables, dtype=bool)
        mask[node.fixed_zero] = False
        mask[node.fixed_one] = False
        return np.flatnonzero(mask)
