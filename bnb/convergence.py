"""All tolerance and gap logic of the engine, with infinities handled explicitly."""

import numpy as np

#: objective values smaller than this in magnitude use it as the gap scale
GAP_SCALE_FLOOR = 1e-12


def absolute_gap(upper, lower):
    """``upper - lower``; ``inf`` when either side is unknown, 0 when they cross."""
    if upper == np.inf or lower == -np.inf:
        return np.inf
    return max(upper - lower, 0.0)


def relative_gap(upper, lower, floor=GAP_SCALE_FLOOR):
    """``(upper - lower) / max(|upper|, floor)``."""
    gap = absolute_gap(upper, lower)
    if gap == 0.0 or not np.isfinite(gap):
        return gap
    return gap / max(abs(upper), floor)


def can_prune(bound, upper, gap_tol, abs_tol, floor=GAP_SCALE_FLOOR):
    """Whether a node with this ``bound`` cannot hold a solution worth finding.

    True when the bound is at or above the incumbent, or close enough that any
    solution below would improve the incumbent by less than the tolerances.
    """
    if not np.isfinite(upper):
        return bound == np.inf
    return bound >= upper - max(abs_tol, gap_tol * max(abs(upper), floor))


def gap_closed(upper, lower, gap_tol, abs_tol, floor=GAP_SCALE_FLOOR):
    """Whether the incumbent is proven within ``gap_tol`` (relative) or ``abs_tol``."""
    if not np.isfinite(upper):
        return False
    return absolute_gap(upper, lower) <= abs_tol or relative_gap(upper, lower, floor) <= gap_tol
