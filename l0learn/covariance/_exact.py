"""The l0l2 Gaussian pseudolikelihood as a :class:`bnb.Problem`.

One binary per pair ``i < j`` (variable ``k`` is the pair ``(rows[k], cols[k])`` of
``numpy.triu_indices(p, 1)``).  Problem (see :mod:`l0learn.covariance._kernels`)::

    min F(Theta) = sum_i [-log theta_ii + theta_i' S theta_i / theta_ii]
                   + sum_{i<j} (lambda_0 z_ij + lambda_2 theta_ij^2),
    |theta_ij| <= M z_ij,  z_ij in {0, 1}.

**Node relaxation.**  ``z`` in [0, 1] with the node's fixings; per free pair the
penalty becomes the convex envelope ``psi`` of ``lambda_0 [t != 0] + lambda_2 t^2``
on ``[-M, M]`` (perspective regime when ``sqrt(lambda_0 / lambda_2) <= M``).  It is
solved by active-set coordinate descent (closed-form pair and diagonal steps),
screened over all free pairs, and bounded below by the Fenchel dual ``D`` of
:func:`l0learn.covariance._kernels.dual_bound`, valid however early CD stops.

**Which problem is certified.**  With ``lambda_2 > 0`` the envelope on the whole
line (``M = inf``) is already a valid relaxation, so without a user box the bounds
hold for the unconstrained problem.  A user ``M`` certifies the box-constrained one.

**The diagonal-aware ("hull") relaxation, used whenever ``S`` is positive definite.**
The perspective envelope prices an edge exactly only for ``|theta_ij| >= sqrt(lambda_0 /
lambda_2)``; with a small ridge it is close to an l1 fit and leaves large gaps (root
gaps of 6-8 % at p = 20, 121 % at p = 200 with lambda_2 = 0.01).  Part of the loss
behaves like a ridge whose weight depends on the diagonal: row ``i``'s term
``theta_i' S theta_i / theta_ii`` is linear in ``theta_ii`` plus a quadratic-over-linear
term in the off-diagonal entries, so ``shift_ij theta_ij^2 / theta_ii`` can be taken out
of it, and convexified together with ``z_ij`` (using only ``theta_ii >= 1 / S_ii``, true
of every optimal solution), for any ``shift_i >= 0`` with ``S_{-i,-i} - diag(shift_i)``
positive semidefinite; see :mod:`l0learn.covariance._hull_kernels`.  Every entry gets
``delta = lambda_min(S)``; or, when that bounds the first node with an incumbent less
well, 3/4 of it and, on the incumbent's edges (up to eight per row), the most the
rest of the row allows on top (:meth:`GraphL0Problem.target_shift`; p = 200,
lambda_2 = 0.1, uniform: root gap 12.8 % -> 10.9 %).  At p = 20 the hull takes
the root gap from 7.75 % to 2.00 % (uniform) and 6.47 % to 1.23 % (banded), and at
p = 200 it is stronger on every instance measured (``benchmarks/README.md``).  When
``S`` is singular (p >= n) the perspective relaxation is used.

**Certified big-M (bound tightening from the root's dual).**  Fix the dual point
``nu`` of the root (``nu_i = 2 R_i / theta_ii``).  For *any* ``Theta``,
``F(Theta) >= sum_i (1 + log c_i) + sum_{pairs} [theta_ij w_ij + lambda_0 [theta_ij
!= 0] + lambda_2 theta_ij^2]``.  Minimising every pair but ``(k, l)`` gives
``D_rest = D + max(0, phi*(|w_kl|))``; a solution better than the incumbent ``U``
with ``|theta_kl| = m > 0`` therefore needs ``lambda_2 m^2 - |w_kl| m + lambda_0 +
D_rest < U``, i.e. ``m < m_kl`` (the larger root).  ``M = max_kl m_kl`` removes no
solution better than ``U`` and is used once it is tighter than the current box.
"""

import time

import numpy as np

from bnb import Problem, Relaxation

from .._shared.perspective import conjugate_fixed_one, envelope_constants
from .._shared.threads import single_blas_thread
from ._hull_kernels import hull_dual_bound, hull_sweeps, hull_violations, shift_state
from ._kernels import dual_bound, l0l2_objective, relaxed_sweeps, relaxed_violations
from ._solver import GraphState, merge_pairs, primal_solve

_MAX_SCREENS = 100
_TARGETED_BASE = 0.75  # with targeted shifts, the uniform part as a fraction of lambda_min
_TARGETS_PER_ROW = 8  # incumbent edges per row that get a targeted shift
_TARGET_MAX_P = 2000  # targeting inverts S and solves a node twice; not tried above


class GraphL0Problem(Problem):
    """Branch and bound for one ``(lambda_0, lambda_2)`` on a covariance ``S``.

    Parameters
    ----------
    S : ndarray of shape (p, p)
    lambda_0, lambda_2 : float
    big_m : float or None
        User box on off-diagonal entries (``None``: none; needs ``lambda_2 > 0``).
    rel_tol : float
        Target relative primal-dual gap of each node relaxation.
    max_swaps : int
        Swap passes of the node heuristic.
    """

    integrality_tol = 1e-6

    def __init__(self, S, lambda_0, lambda_2, *, big_m=None, rel_tol=1e-6, max_swaps=10,
                 relaxation="auto"):
        if big_m is None and not lambda_2 > 0:
            raise ValueError("branch and bound without big_m needs lambda_2 > 0.")
        if relaxation not in ("auto", "hull", "perspective"):
            raise ValueError("relaxation must be 'auto', 'hull' or 'perspective'.")
        self.S = np.ascontiguousarray(S, dtype=float)
        self.p = self.S.shape[0]
        evals = np.linalg.eigvalsh(self.S)
        positive_definite = evals[0] > 1e-8 * evals[-1]
        if relaxation == "hull" and not positive_definite:
            raise ValueError("the hull relaxation needs a positive definite covariance.")
        self.hull = relaxation != "perspective" and positive_definite
        self.deadline = np.inf  # wall-clock limit for node solves (set by solve_graph_exact)
        self.gap_tol = 1e-6  # the search's gap tolerance (set by solve_graph_exact)
        self.lam_min = float(evals[0]) if positive_definite else 0.0
        # A hair below lambda_min keeps S - delta I positive semidefinite under rounding.
        self.delta = self.lam_min * (1.0 - 1e-6)
        # shift[i, j]: the curvature row i's loss hands to theta_ij's hull term (row i
        # runs on S - diag(shift[i])); delta everywhere, unless the first node with an
        # incumbent finds the targeted shifts (see target_shift) stronger.
        self.shift = np.full((self.p, self.p), self.delta)
        self.targeted = False
        self.diag_floor = 1.0 / np.diag(self.S)  # theta_ii >= 1 / S_ii at every optimum
        self.lam0, self.lam2 = float(lambda_0), float(lambda_2)
        self.big_m = np.inf if big_m is None else float(big_m)
        self.user_m = big_m
        self.rel_tol = rel_tol
        self.max_swaps = max_swaps
        self.rows, self.cols = np.triu_indices(self.p, 1)
        self.pair_index = np.full((self.p, self.p), -1, dtype=np.int64)
        self.pair_index[self.rows, self.cols] = np.arange(self.rows.size)
        self.pair_index[self.cols, self.rows] = np.arange(self.rows.size)
        self.upper = np.inf
        self.best = None
        self._tried = set()
        self.certified_m = np.inf

    # -- incumbent -----------------------------------------------------------------
    def objective(self, state):
        return float(l0l2_objective(state.theta, state.q, self.lam0, self.lam2))

    def offer(self, value, theta):
        if value < self.upper:
            self.upper, self.best = value, theta.copy()

    # -- the relaxation --------------------------------------------------------------
    def node_kinds(self, node):
        kind = np.ones((self.p, self.p), dtype=np.int8)
        for fixed, value in ((node.fixed_zero, 0), (node.fixed_one, 2)):
            if fixed.size:
                i, j = self.rows[fixed], self.cols[fixed]
                kind[i, j] = kind[j, i] = value
        return kind

    def start_state(self, node, kind, hull=None):
        """The relaxation's state from the parent's solution, and (hull) its ``Z``."""
        hull = self.hull if hull is None else hull
        S = self.S  # the hull's rows are shifted below (shift_state)
        if node.warm_start is None:
            diag = 1.0 / np.diag(self.S)
            rows = cols = np.zeros(0, dtype=np.int64)
            values = z = np.zeros(0)
        else:
            diag, rows, cols, values, z = node.warm_start
            keep = (kind[rows, cols] != 0) & (np.abs(values) > 0)
            rows, cols = rows[keep], cols[keep]
            z = None if z is None else z[keep]
            values = np.clip(values[keep], -self.big_m, self.big_m)
        if not hull:
            return GraphState.from_pairs(S, diag, rows, cols, values), None
        state = GraphState.from_pairs(S, np.maximum(diag, self.diag_floor), rows, cols, values)
        shift_state(self.shift, state.theta, state.H, state.q, rows, cols)
        Z = np.zeros((self.p, self.p))
        # Feasible relaxed binaries: |theta| <= M z; pairs fixed to one have z = 1.
        z = np.clip(np.maximum(z, np.abs(values) / self.big_m), 0.0, 1.0)
        Z[rows, cols] = Z[cols, rows] = z
        Z[kind == 2] = 1.0
        return state, Z

    def _active_set(self, state, kind, sweep, screen, bound, *, rtol, target, rounds,
                    deadline=np.inf):
        """The loop both relaxations share: CD on the active pairs, screen every free pair,
        bound; tighten the CD tolerance until the primal-dual gap is below ``target``.

        ``sweep(active, rtol)`` returns the relaxation's value, ``screen()`` the entering
        pairs, ``bound()`` the dual bound.  Stops early at ``deadline``
        (``time.perf_counter``); the bound stays valid.  Returns ``(primal, lower)``.
        """
        fixed_one = np.nonzero(np.triu(kind == 2, 1))
        primal = lower = -np.inf
        for _ in range(rounds):
            active = merge_pairs(state.edges(), fixed_one)
            for _ in range(_MAX_SCREENS):
                primal = sweep(active, rtol)
                if time.perf_counter() > deadline:
                    break
                entering = screen()
                if entering[0].size == 0:
                    break
                active = merge_pairs(merge_pairs(state.edges(), fixed_one), entering)
            lower = bound()
            if (primal - lower <= target * max(abs(primal), 1.0)
                    or time.perf_counter() > deadline):
                break
            rtol *= 1e-2
        return primal, lower

    def solve_hull(self, state, Z, kind):
        """The hull relaxation by block CD with screening; returns ``(primal, lower)``.

        Node solves stop at ``self.deadline`` (the search's time limit).
        """
        st = (self.S, self.shift, state.theta, state.H, state.q, Z)
        _, threshold, _ = envelope_constants(self.lam0, self.lam2, self.big_m)
        args = (self.lam0, self.lam2, self.big_m)

        def sweep(active, rtol):
            for _ in range(1000):  # chunks of sweeps, to honour the deadline
                done, primal = hull_sweeps(*st, active[0], active[1], kind, self.diag_floor,
                                           *args, threshold, 2, rtol)
                if done < 2 or time.perf_counter() > self.deadline:
                    break
            return primal

        # Block CD on the coupled hull terms converges slowly in its last digits: a
        # 1e-5 relative primal-dual gap is plenty for gaps of 1e-2 (the bound is valid anyway).
        return self._active_set(
            state, kind, sweep,
            lambda: hull_violations(*st[:4], kind, self.diag_floor, *args, threshold),
            lambda: hull_dual_bound(*st, kind, self.diag_floor, *args),
            rtol=1e-9, target=max(self.rel_tol, 1e-5), rounds=8, deadline=self.deadline)

    def solve_relaxation(self, state, kind):
        """Active-set CD with screening until the primal-dual gap is below ``rel_tol``.

        Returns ``(relaxation objective, dual bound)``; ``state`` is updated in place.
        """
        st = (self.S, state.theta, state.H, state.q)
        args = (self.lam0, self.lam2, self.big_m)
        return self._active_set(
            state, kind,
            lambda active, rtol: relaxed_sweeps(*st, active[0], active[1], kind, *args, 2000,
                                                rtol)[1],
            lambda: relaxed_violations(*st[:3], kind, *args),
            lambda: dual_bound(*st, kind, *args),
            rtol=1e-8, target=self.rel_tol, rounds=6)

    def binaries(self, theta, kind, Z=None):
        """Relaxed ``z`` per pair (variable order), with the node's fixings applied.

        The hull relaxation carries its ``Z``; for the perspective one ``z`` is
        ``|theta| / ratio`` (perspective regime) or ``|theta| / M``, clipped at 1.
        """
        if Z is not None:
            z = Z[self.rows, self.cols].copy()
        else:
            ratio, _, perspective = envelope_constants(self.lam0, self.lam2, self.big_m)
            t = np.abs(theta[self.rows, self.cols])
            z = np.minimum(1.0, t / (ratio if perspective else self.big_m))
        k = kind[self.rows, self.cols]
        z[k == 2] = 1.0
        z[k == 0] = 0.0
        return z

    def relax(self, node):
        kind = self.node_kinds(node)
        if self.hull:
            state, Z, lower, value = self._hull_node(node, kind)
            if not self.targeted and self.best is not None and self.p <= _TARGET_MAX_P:
                # Once there is an incumbent, try the targeted shifts on this node (the
                # root, normally) and keep them for the whole search if they bound it
                # better.  Both are valid; which is stronger depends on the instance
                # (p = 20: the uniform lambda_min; p = 50-200: the targeted ones, whose
                # uniform part also keeps block CD well conditioned: at lambda_min
                # itself every p = 200, lambda_2 = 0.3 node stalled, 82 nodes in 20 s
                # against 3359).
                self.targeted = True
                uniform = self.shift
                self.shift = self.target_shift(self.best)
                other = self._hull_node(node, kind)
                if other[2] > lower:
                    state, Z, lower, value = other
                else:
                    self.shift = uniform
        else:
            state, Z = self.start_state(node, kind)
            _, lower = self.solve_relaxation(state, kind)
            if node.depth == 0 and self.user_m is None:
                lower = self._tighten_box(state, kind, lower)
            value = self.objective(state)
        z = self.binaries(state.theta, kind, Z)
        self.offer(value, state.theta)  # every Theta is feasible: an upper bound
        compact = state.compact()
        return Relaxation(lower_bound=lower, objective=value, solution=state.theta.copy(),
                          values=z, warm_start=compact + (Z[compact[1], compact[2]]
                                                          if self.hull else None,))

    def _hull_node(self, node, kind):
        """The node's hull relaxation on the current shifts: ``(state, Z, lower, value)``."""
        state, Z = self.start_state(node, kind)
        primal, lower = self.solve_hull(state, Z, kind)
        # F of this Theta: its q was taken with S - diag(shift[i]) per row.
        q = state.q + np.einsum("ij,ij,ij->i", self.shift, state.theta, state.theta)
        value = float(l0l2_objective(state.theta, q, self.lam0, self.lam2))
        if primal - lower > max(self.rel_tol, 1e-5) * max(abs(primal), 1.0):
            # Block CD on the hull terms can stall far from its optimum, and then its
            # bound is weak: the perspective relaxation's bound is valid too, and the
            # node reports the better of the two.
            persp, _ = self.start_state(node, kind, hull=False)
            _, other = self.solve_relaxation(persp, kind)
            self.offer(self.objective(persp), persp.theta)
            lower = max(lower, other)
        return state, Z, lower, value

    def target_shift(self, theta):
        """Shifts that move curvature onto the edges of ``theta`` (the incumbent): a matrix.

        Every entry gets ``3/4 lambda_min(S)``; up to eight edges per row (the largest)
        get what the rest of the row allows on top.  (Tried only up to p = 2000: it
        inverts ``S`` and solves the first node twice.)

        Row ``i``'s loss ``theta_i' S theta_i / theta_ii`` is linear in ``theta_ii`` plus
        a quadratic-over-linear term in the off-diagonal entries, so it stays jointly
        convex after subtracting ``sum_j shift_ij theta_ij^2 / theta_ii`` as long as
        ``S_{-i,-i} - diag(shift_i)`` is positive semidefinite (row ``i`` and column ``i``
        excluded).  With ``A = S - delta' I`` (``delta' < lambda_min(S)``) and ``T`` the
        row's edges, adding ``e`` on ``T`` keeps it so iff ``e <= 1 / lambda_max(C_TT)``,
        ``C`` the inverse of ``A_{-i,-i}`` (Schur complement of the rest; ``C`` comes from
        ``A^-1`` by one rank-one update).  The edges of a good solution are where the
        relaxation under-prices ``lambda_0``: ``e`` is several times ``delta`` there.
        """
        base = _TARGETED_BASE * self.lam_min
        shift = np.full((self.p, self.p), base)
        B = np.linalg.inv(self.S - base * np.eye(self.p))
        for i in range(self.p):
            row = np.abs(theta[i])  # a copy: the diagonal entry is cleared below
            row[i] = 0.0
            T = np.flatnonzero(row)
            if T.size == 0:
                continue
            T = T[np.argsort(-row[T], kind="stable")[:_TARGETS_PER_ROW]]
            C = B[np.ix_(T, T)] - np.outer(B[T, i], B[i, T]) / B[i, i]
            largest = float(np.linalg.eigvalsh(C)[-1])
            if largest > 0.0:
                # a relative hair below the limit covers the rounding of B and eigvalsh
                shift[i, T] += (1.0 - 1e-6) / largest
        return shift

    def _tighten_box(self, state, kind, lower):
        """Apply the certified big-M of the module docstring (at the root), re-solve."""
        if not np.isfinite(self.upper) or not np.isfinite(lower):
            return lower
        m = self.box_bound(state, lower)
        ratio, _, _ = envelope_constants(self.lam0, self.lam2, self.big_m)
        self.certified_m = m
        if m < min(self.big_m, ratio):
            self.big_m = m
            diag, rows, cols, values = state.compact()
            fresh = GraphState.from_pairs(self.S, diag, rows, cols, np.clip(values, -m, m))
            state.theta, state.H, state.q = fresh.theta, fresh.H, fresh.q
            _, lower = self.solve_relaxation(state, kind)
        return lower

    def box_bound(self, state, lower):
        """``max_kl m_kl`` for the current incumbent and a state with dual bound ``lower``."""
        th, H = state.theta, state.H
        d = np.diag(th)
        w = np.abs(2.0 * H / d[:, None] + 2.0 * H.T / d[None, :])[self.rows, self.cols]
        lam0, lam2 = self.lam0, self.lam2
        rest = lower + np.maximum(conjugate_fixed_one(w, lam0, lam2, self.big_m), 0.0)
        disc = w * w - 4.0 * lam2 * (lam0 + rest - self.upper)
        m = np.where(disc > 0, (w + np.sqrt(np.maximum(disc, 0.0))) / (2.0 * lam2), 0.0)
        return float(m.max() * (1 + 1e-9) + 1e-12) if m.size else 0.0

    def is_integral(self, node, relaxation):
        """Integral binaries resolve a node only when its bound has caught up with its value.

        A relaxation stopped early can have integral binaries and a weak bound; the node
        is then branched (deeper nodes fix more pairs, and fully fixed ones are exact)
        instead of being closed with its gap open.
        """
        if not super().is_integral(node, relaxation):
            return False
        if node.fixed_zero.size + node.fixed_one.size == self.rows.size:
            return True  # nothing left to branch on; the node keeps its bound
        slack = relaxation.objective - relaxation.lower_bound
        return slack <= 0.5 * self.gap_tol * max(abs(relaxation.objective), 1.0)

    # -- incumbents ----------------------------------------------------------------------
    def heuristic(self, node, relaxation):
        """CD + swaps on the pairs the relaxation uses, started from its solution.

        Each relaxed support is searched once.  Solutions need not respect the
        node's fixings: every ``Theta`` is feasible.
        """
        theta = relaxation.solution
        support = np.triu(theta, 1) != 0.0
        key = np.flatnonzero(support).tobytes()
        if key not in self._tried:
            self._tried.add(key)
            start = np.clip(theta, -self.big_m, self.big_m)
            np.fill_diagonal(start, np.diag(theta))
            res = primal_solve(self.S, self.lam0, self.lam2, self.big_m,
                               GraphState.from_theta(self.S, start),
                               allowed=support | support.T, max_swaps=self.max_swaps,
                               deadline=self.deadline)
            self.offer(res.objective, res.state.theta)
        # The relaxed solution itself is feasible too (offered in relax).
        return self.upper, self.best


@single_blas_thread
def solve_graph_exact(S, lambda_0, lambda_2, *, big_m=None, start=None, gap_tol=1e-2,
                      time_limit=None, deadline=None, max_nodes=None, verbose=False,
                      max_swaps=10, strategy="best-bound-dive"):
    """Certified solve; returns ``(theta, result, problem)``.

    ``start`` is a precision matrix (e.g. the CDPSI solution) used as the first incumbent.
    The search stops at ``deadline`` (a ``time.perf_counter`` value, e.g. the estimator's
    whole-fit limit) or ``time_limit`` seconds from now, whichever comes first.
    """
    import bnb

    problem = GraphL0Problem(S, lambda_0, lambda_2, big_m=big_m, max_swaps=max_swaps)
    problem.gap_tol = gap_tol
    if time_limit is not None:
        end = time.perf_counter() + time_limit
        deadline = end if deadline is None else min(deadline, end)
    if deadline is not None:
        problem.deadline = deadline
    incumbent = None
    if start is not None:
        state = GraphState.from_theta(problem.S, start)
        value = problem.objective(state)
        problem.offer(value, state.theta)
        incumbent = (value, state.theta.copy())
    result = bnb.solve(problem, strategy=strategy, gap_tol=gap_tol,
                       time_limit=(np.inf if deadline is None
                                   else max(deadline - time.perf_counter(), 1e-9)),
                       node_limit=np.inf if max_nodes is None else max_nodes,
                       incumbent=incumbent, verbose=verbose, gap_floor=1.0)
    theta = problem.best if result.solution is None else result.solution
    return np.asarray(theta, dtype=float), result, problem
