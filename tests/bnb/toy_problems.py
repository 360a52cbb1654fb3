"""Tiny problems with known answers for the engine tests."""

import time
from itertools import product

import numpy as np

from bnb import Problem, Relaxation


class CoveringKnapsack(Problem):
    """min c'z  s.t.  a'z >= b,  z binary  (c, a > 0).

    The LP relaxation of one covering constraint is solved exactly by filling in
    order of cost per unit of coverage; the last item taken is the fractional one.
    """

    def __init__(self, cost, weight, demand, delay=0.0, with_heuristic=True):
        self.cost = np.asarray(cost, float)
        self.weight = np.asarray(weight, float)
        self.demand = float(demand)
        self.delay = delay
        self.with_heuristic = with_heuristic
        self.relaxations = []  # (node, lower bound) for every relaxed node

    def relax(self, node):
        if self.delay:
            time.sleep(self.delay)
        n = self.cost.size
        z = np.zeros(n)
        z[node.fixed_one] = 1.0
        need = self.demand - self.weight @ z
        free = self.free_variables(node, n)
        if need > 0 and self.weight[free].sum() < need:
            return Relaxation(lower_bound=np.inf)
        for i in free[np.argsort(self.cost[free] / self.weight[free], kind="stable")]:
            if need <= 0:
                break
            z[i] = min(1.0, need / self.weight[i])
            need -= self.weight[i] * z[i]
        value = float(self.cost @ z)
        self.relaxations.append((node, value))
        return Relaxation(lower_bound=value, objective=value, solution=z, values=z)

    def heuristic(self, node, relaxation):
        if not self.with_heuristic:
            return None
        z = np.ceil(relaxation.solution - 1e-12)
        return float(self.cost @ z), z

    def brute_force(self):
        best = (np.inf, None)
        for bits in product([0, 1], repeat=self.cost.size):
            z = np.array(bits, float)
            if self.weight @ z >= self.demand and self.cost @ z < best[0]:
                best = (float(self.cost @ z), z)
        return best


def random_knapsack(seed, n=10):
    rng = np.random.default_rng(seed)
    weight = rng.integers(1, 20, n).astype(float)
    cost = np.round(weight * rng.uniform(0.5, 1.5, n) + rng.uniform(0, 3, n), 2)
    return CoveringKnapsack(cost, weight, demand=0.45 * weight.sum())
