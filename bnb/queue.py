"""Node selection strategies, one class each, chosen by name from ``STRATEGIES``."""

import heapq


class BestBound:
    """Always the open node with the smallest bound (ties: deeper, then older)."""

    def __init__(self):
        self._heap = []

    def __len__(self):
        return len(self._heap)

    def push(self, node):
        heapq.heappush(self._heap, (node.bound, -node.depth, node.index, node))

    def push_children(self, preferred, other):
        self.push(preferred)
        self.push(other)

    def pop(self):
        return heapq.heappop(self._heap)[-1]

    def nodes(self):
        return [entry[-1] for entry in self._heap]


class DepthFirst:
    """Last in, first out; the preferred child of a branching is explored first."""

    def __init__(self):
        self._stack = []

    def __len__(self):
        return len(self._stack)

    def push(self, node):
        self._stack.append(node)

    def push_children(self, preferred, other):
        self._stack.append(other)
        self._stack.append(preferred)

    def pop(self):
        return self._stack.pop()

    def nodes(self):
        return list(self._stack)


class BestBoundWithDives(BestBound):
    """Best-bound search that dives depth-first from each node it picks.

    After a branching the preferred child is explored next (the dive goes on
    until a node is pruned or integral) and the other child waits in the
    best-bound queue: incumbents come early, and the bound still rises.
    """

    def __init__(self):
        super().__init__()
        self._dive = None

    def __len__(self):
        return super().__len__() + (self._dive is not None)

    def push_children(self, preferred, other):
        if self._dive is not None:  # not expected: a dive node is popped before branching
            self.push(self._dive)
        self._dive = preferred
        self.push(other)

    def pop(self):
        if self._dive is not None:
            node, self._dive = self._dive, None
            return node
        return super().pop()

    def nodes(self):
        return super().nodes() + ([self._dive] if self._dive is not None else [])


STRATEGIES = {
    "best-bound": BestBound,
    "depth-first": DepthFirst,
    "best-bound-dive": BestBoundWithDives,
}
