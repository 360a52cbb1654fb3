"""Exact multi-task best subset as a :class:`bnb.Problem`, with a certificate.

Problem (centred, scaled data as in :mod:`._solver`; ``z_kj = [beta_kj != 0]``)::

    F(B) = sum_k [ ||y_k - X_k beta_k||^2 / (2 n_k) + (lam1/2) ||beta_k||^2 ]
           + (lam2/2) sum_k ||beta_k - beta_bar||^2 + sum_j f(c_j),
    f(c) = (lamz/2) c (K - c) / K,    c_j = sum_k z_kj,    ||z_k||_0 <= s for every k,

or, with a common support, ``z_kj = u_j`` for all k, ``||u||_0 <= s`` (then every
``c_j`` is 0 or K and the Zbar term vanishes).  The binaries of the search are the
``z_kj`` (variable ``k p + j``) or the ``u_j``.

**Perspective from the data.**  Write ``q(B)`` for the smooth part (losses, ridge,
Bbar).  Its Hessian is ``blockdiag(X_k'X_k/n_k) + lam1 I + lam2 (I - 11'/K) (x) I``,
so with ``delta_k <= lambda_min(X_k'X_k/n_k)`` and ``mu_k = lam1 + delta_k`` the
function ``q~(B) = q(B) - sum_k (mu_k/2)||beta_k||^2`` is convex (the Bbar part is
positive semidefinite).  On binaries ``(mu_k/2) beta^2 = (mu_k/2) beta^2 / z`` (with
``0/0 = 0`` and ``beta = 0`` when ``z = 0``), the perspective, which is jointly
convex in ``(beta, z)`` on ``z in [0, 1]``.  No box on the coefficients is needed:
``mu_k > 0`` (a ridge, or more rows than columns) bounds them.  Without it the
relaxation is unbounded and the estimator refuses ``algorithm="BnB"``.

**Linear minorants of Zbar.**  ``f`` is concave, so its convex envelope on ``[0, K]``
is 0: a plain continuous relaxation drops the term.  On binaries ``sum_j f(c_j)`` is
the cut function ``lamz/(2K) sum_j sum_{k<l} |z_kj - z_lj|``, a submodular function of
each feature's column; its Lovasz extension (those pairwise distances on the box) is
its convex envelope.  Every vertex of its base polytope gives a linear minorant
``const + sum sigma_kj z_kj`` valid on the node's box: per feature, the free binaries in
decreasing order of a point ``z`` take the increments ``f(lo_j + i) - f(lo_j + i - 1)``
(``lo_j`` its fixed ones), tight at ``z`` (``_exact_kernels.zbar_slopes``).  With all
``z`` equal this is the secant of ``f`` on the node's count range ``[lo_j, hi_j]``.

**Bound 1, from any point and a minorant.**  Linearise the convex ``q~`` at any ``B0``
(zero where fixed to zero), ``G = grad q~(B0)``.  For every integer solution below the
node

    F >= q~(B0) - <G, B0> + const + sum_kj [ G_kj beta_kj + (mu_k/2) beta_kj^2 / z_kj
                                             + sigma_kj z_kj ]
      >= q~(B0) - <G, B0> + const + sum_k LP_k(w_k),   w_kj = sigma_kj - G_kj^2 / (2 mu_k),

minimising each coefficient out (``-G^2 z / (2 mu)``), where ``LP_k`` is the minimum of
``sum_j w_kj z_kj`` over the node's box with ``sum_j z_kj <= s``: the fixed ones' ``w``
plus the ``s - (fixed ones)`` most negative free ``w`` (an integral LP).  With a
common support the coefficient of ``u_j`` is ``-sum_k G_kj^2 / (2 mu_k)``.

**Bound 2, Zbar exact.**  At the same ``B0``, price the cardinality constraints instead
(``tau_k >= 0``) and keep ``f`` whole: for every integer solution below the node

    F >= q~(B0) - <G, B0> + sum_j phi_j(tau) - s sum_k tau_k,
    phi_j(tau) = min over 0/1 columns z_.j consistent with the node of
                 sum_k z_kj (tau_k - G_kj^2 / (2 mu_k)) + f(sum_k z_kj),

where the minimum over a column takes, for each count, the cheapest free tasks (a
prefix in price order).  This holds for any ``tau``; it is concave in ``tau`` and
maximised by cyclic bisection on each task's supergradient (its count minus s).  At the
maximising prices it is at least bound 1 (the Lagrangian dual of that LP with the exact
term).  Both bounds hold for *any* ``B0``, so they stay valid however early the
first-order method that produces ``B0`` stops; the node reports the larger.

**Computing B0.**  Pricing the cardinality constraints makes the relaxation with a
minorant separable: ``min q~(B) + sum rho(beta_kj; sigma_kj + tau_k)`` with ``rho`` the
reverse Huber (perspective of ``(mu/2) beta^2`` plus ``cost z``), solved by coordinate
descent (``_exact_kernels.relax_tasks``, in covariance form when no task has fewer rows
than features, else on residuals).  Each task's price is bisected until its relaxed
support size matches the slots left, keeping the best bound; a primal point (the
relaxed ``z`` scaled into the constraint) bounds that relaxation from above, and the
search stops when the two meet, when the bound prunes the node, or when even the
primal point cannot.  The first search uses the secant; later ones (while the bound
rises fast enough to matter) use the minorant tight at the last relaxed ``z``.

**Reduced-cost fixing.**  At the node's ``B0`` and maximising prices, forcing a free
binary changes only its feature's column minimum ``phi_j``; when that child bound
exceeds the incumbent, the binary is fixed to the other value for the node's subtree.
"""

import time

import numpy as np

from bnb import Problem, Relaxation
from bnb.convergence import GAP_SCALE_FLOOR

from .._shared.threads import single_blas_thread
from ._exact_kernels import (best_prices, forcing_costs, lp_value, relax_groups, relax_tasks,
                             relaxed_binaries, relaxed_penalty, smooth_part, zbar_slopes)

_MAX_PRICE_ROUNDS = 40
_CD_TOL = 1e-13
_CD_SWEEPS = 500
# A node that even its relaxation's value cannot prune is branched whatever its exact
# bound: its relaxation is solved to this relative accuracy only.
_LAZY_TOL = 1e-3


def safe_shift(eig):
    """A lower bound on the smallest of ``eig`` (ascending eigenvalues) robust to rounding (>= 0)."""
    margin = 1e-9 * max(float(eig[-1]), 0.0) + 1e-12
    return max(0.0, float(eig[0]) * (1.0 - 1e-6) - margin)


class MultiTaskBnBProblem(Problem):
    """The branch-and-bound problem of :class:`MultiTaskL0Regressor` (see the module docstring).

    Parameters
    ----------
    problem : l0learn.multitask._solver.MultiTaskProblem
        Data, weights, exact refits and the objective.
    rel_tol : float
        Target relative gap between a node relaxation's primal point and its bound.
    """

    def __init__(self, problem, *, rel_tol=1e-6, fixing=True):
        self.problem = problem
        d = problem.data
        self.K, self.p, self.s = d.K, d.p, problem.s
        self.common = problem.common
        self.lam1, self.lam2, self.lamz = problem.l1, problem.l2, problem.lz
        self._design(d)
        self.mu = self.lam1 + self.delta
        if self.common:  # one perspective weight for a feature's K coefficients
            self.mu = np.full(self.K, self.mu.min())
        if not np.all(self.mu > 0):
            raise ValueError("algorithm='BnB' needs lambda_1 > 0 here: a task's Gram matrix is "
                             "singular (no more rows than features, or collinear or duplicate "
                             "columns), so nothing bounds its coefficients.")
        # the Zbar term at each count (a common support has one binary per feature: no term)
        counts = np.arange(self.K + 1)
        self.zbar = (np.zeros(2) if self.common
                     else 0.5 * self.lamz * counts * (self.K - counts) / self.K)
        self.usable = np.stack([q > 0 for q in d.q])  # all-zero columns never enter
        self.rel_tol = float(rel_tol)
        # price searches after the first, each on a Zbar minorant tight at the last point
        self.relinearise = 2
        self.fixing = fixing
        self.deadline = np.inf
        self.gap_tol = 0.0
        self.upper = np.inf
        self.best = None
        self.n_fixed_ = 0

    def _design(self, d):
        """The kernels' data: covariance form when no task has fewer rows than features.

        Otherwise residual form, where a task with more rows than features is replaced
        by ``D_k = Lambda^(1/2) V'`` from ``X_k' X_k = V Lambda V'`` and ``t_k =
        Lambda^(-1/2) V' X_k' y_k`` (the part of ``X_k' y_k`` outside the range is
        zero): the same loss up to a constant, at ``min(n_k, p)`` per coordinate.  The
        eigenvalues give ``delta_k`` (0 for a task with no more rows than features).
        """
        p = d.p
        self.gram = bool(np.all(d.n >= p))
        blocks, targets, const, delta = [], [], [], []
        for X, y, n in zip(d.X, d.y, d.n):
            if X.shape[0] > p:
                lam, V = np.linalg.eigh(X.T @ X)
                delta.append(safe_shift(lam / n))
            else:
                lam, V = None, None
                delta.append(0.0)  # singular Gram matrix
            if self.gram:
                const.append(y @ y / (2 * n))
            elif lam is not None:
                keep = lam > lam[-1] * 1e-13
                root = np.sqrt(lam[keep])
                blocks.append(root[:, None] * V[:, keep].T)
                t = (V[:, keep].T @ (X.T @ y)) / root
                targets.append(t)
                const.append((y @ y - t @ t) / (2 * n))
            else:
                blocks.append(X)
                targets.append(y)
                const.append(0.0)
        if self.gram:
            # exactly symmetric, so the kernels may read a row for a column
            self.G = np.stack([X.T @ X / n for X, n in zip(d.X, d.n)])
            self.G = 0.5 * (self.G + self.G.transpose(0, 2, 1))
            self.b = np.stack([Xty / n for Xty, n in zip(d.Xty, d.n)])
            self.D, self.t = np.zeros((0, p), order="F"), np.zeros(0)
            self.start = np.zeros(d.K + 1, dtype=np.int64)
        else:
            self.G, self.b = np.zeros((0, 0, 0)), np.zeros((0, 0))
            self.D = np.asfortranarray(np.vstack(blocks))
            self.t = np.concatenate(targets)
            self.start = np.cumsum([0] + [blk.shape[0] for blk in blocks]).astype(np.int64)
        self.scale = np.asarray(d.n, dtype=float)
        self.const = np.asarray(const, dtype=float)
        self.delta = np.asarray(delta, dtype=float)
        self.sq = np.stack([q / n for q, n in zip(d.q, d.n)])

    def moving_parts(self, B):
        """What the kernels keep current as B moves: residuals, or ``G_k beta_k``."""
        if self.gram:
            return np.zeros(0), np.einsum("kij,kj->ki", self.G, B)
        r = self.t.copy()
        for k in range(self.K):
            lo, hi = self.start[k], self.start[k + 1]
            r[lo:hi] -= self.D[lo:hi] @ B[k]
        return r, np.zeros((0, 0))

    def _data(self, r, GB):
        return (self.gram, self.D, self.start, self.scale, r, self.G, GB, self.b)

    def smooth(self, B, parts):
        return smooth_part(*self._data(*parts), self.const, B, self.mu, self.lam1, self.lam2)

    @property
    def n_variables(self):
        return self.p if self.common else self.K * self.p

    # -- incumbent ---------------------------------------------------------------------
    def offer(self, value, B):
        if value < self.upper:
            self.upper, self.best = float(value), B.copy()

    def prune_level(self):
        return self.upper - self.gap_tol * max(abs(self.upper), GAP_SCALE_FLOOR)

    def out_of_time(self):
        return time.perf_counter() >= self.deadline

    # -- the node's fixings -------------------------------------------------------------
    def node_state(self, node):
        """Per binary: 0 free, 1 fixed to one, -1 fixed to zero (branching and reduced costs)."""
        state = np.zeros(self.n_variables, dtype=np.int8)
        if self.common:
            state[~self.usable.any(axis=0)] = -1
        else:
            state[~self.usable.ravel()] = -1
        if node.warm_start is not None:
            state[node.warm_start["zero"]] = -1
            state[node.warm_start["one"]] = 1
        state[node.fixed_zero] = -1
        state[node.fixed_one] = 1
        return state.reshape(self.p) if self.common else state.reshape(self.K, self.p)

    def zbar_minorant(self, state2, z):
        """``(sigma, constant)``: a linear minorant of the Zbar term on the node's box,
        tight at the relaxed ``z`` (module docstring); zero for a common support."""
        if self.common or self.lamz == 0.0:
            return np.zeros(state2.shape), 0.0
        return zbar_slopes(z, state2, self.zbar)

    def slots(self, state):
        """Binaries each task (or the common support) may still switch on."""
        if self.common:
            return np.array([self.s - int((state == 1).sum())])
        return self.s - (state == 1).sum(axis=1)

    # -- bound ---------------------------------------------------------------------------
    def _weights(self, grad, sigma):
        """The LP costs ``w`` of the binaries (module docstring)."""
        if self.common:
            return (-(grad ** 2) / (2.0 * self.mu[:, None])).sum(axis=0)[None, :]
        return sigma - grad ** 2 / (2.0 * self.mu[:, None])

    def bound(self, B, smooth, state2, sigma, constant, slots):
        """The lower bound of the module docstring at ``B`` (``smooth``: q~ and its gradient)."""
        value, grad = smooth
        w = self._weights(grad, sigma)
        lp = lp_value(w, state2, slots)
        return float(value - np.sum(grad * B) + constant + lp), w

    def strong_bound(self, B, smooth, state2, tau):
        """The bound with the Zbar term kept exact (module docstring): ``(lower, tau, a)``."""
        value, grad = smooth
        a = self._weights(grad, 0.0)  # the price-free part of each binary's cost
        lagrangian, tau = best_prices(a, state2, np.maximum(tau, 0.0), self.zbar, float(self.s),
                                      3, 60)
        return float(value - np.sum(grad * B) + lagrangian), tau, a

    def _primal(self, B, smooth, cost, state2, sigma, constant, slots):
        """The relaxation's objective at ``B`` with its relaxed ``z`` scaled into the
        constraint (an upper bound on the relaxation's value), and the free binaries'
        relaxed count per row before scaling."""
        z = relaxed_binaries(B, cost, state2, self.mu, self.common)
        penalty, counts = relaxed_penalty(B, z, state2, sigma, self.mu, slots, self.common)
        return float(smooth[0] + penalty + constant), z, counts

    def price_search(self, B, parts, tau, state2, sigma, constant, slots):
        """Bisect each row's price on its relaxed support size, coordinate descent at each.

        The relaxation has the Zbar term replaced by the linear minorant ``(sigma,
        constant)``.  Stops when its bound meets its primal value, when the bound prunes
        the node, when even the primal value cannot, or at the deadline.  ``B``, ``parts``
        and ``tau`` are updated in place.  Returns ``(bound, B, z, smooth)`` at the best
        bound (``smooth``: q~ and its gradient there).
        """
        rows, p = state2.shape
        lo = np.zeros(rows)
        hi = np.full(rows, np.inf)
        best = (-np.inf, None, None, None)
        kernel = relax_groups if self.common else relax_tasks
        state_c = np.ascontiguousarray(state2[0] if self.common else state2)
        tol = _CD_TOL * max(1.0, abs(self.upper) if np.isfinite(self.upper) else 1.0)
        for _ in range(_MAX_PRICE_ROUNDS):
            cost = sigma + tau[:, None]  # (rows, p); sigma is 0 for a common support
            cost_c = np.ascontiguousarray(cost[0] if self.common else cost)
            kernel(*self._data(*parts), self.sq, B, state_c, cost_c, self.mu, self.lam1,
                   self.lam2, tol, _CD_SWEEPS)
            smooth = self.smooth(B, parts)
            lower, w = self.bound(B, smooth, state2, sigma, constant, slots)
            primal, z, counts = self._primal(B, smooth, cost, state2, sigma, constant, slots)
            if lower > best[0]:
                best = (lower, B.copy(), z, smooth)
            scale = max(abs(primal), abs(self.upper) if np.isfinite(self.upper) else 0.0,
                        GAP_SCALE_FLOOR)
            if (primal - best[0] <= self.rel_tol * scale or best[0] >= self.prune_level()
                    or self.out_of_time()):
                break  # tight enough, pruned, or out of time
            if primal < self.prune_level() and primal - best[0] <= _LAZY_TOL * scale:
                break  # the node will be branched whatever its exact bound
            changed = False
            for k in range(rows):
                target = max(slots[k], 0)
                if counts[k] > target * (1 + 1e-6) + 1e-9:
                    lo[k] = tau[k]
                elif counts[k] < target * (1 - 1e-6) - 1e-9 and tau[k] > 0.0:
                    hi[k] = tau[k]
                else:
                    continue
                new = (lo[k] + hi[k]) / 2 if np.isfinite(hi[k]) else max(4.0 * tau[k], 1e-12
                                                                         + np.abs(w[k]).max())
                if abs(new - tau[k]) > 1e-10 * max(new, 1e-300):
                    tau[k] = new
                    changed = True
            if not changed:
                break
        if best[1] is None:
            raise FloatingPointError("the multi-task node relaxation produced no finite bound "
                                     "(NaN in the coefficients).")
        return best

    def solve_node(self, state, warm):
        """The node's bound: price searches on linear minorants of the Zbar term (first its
        secant, then minorants tight at the relaxed point), each point's bound with the
        Zbar term exact (:meth:`strong_bound`); the best bound, its point and relaxed z."""
        K, p = self.K, self.p
        state2 = state[None, :] if self.common else state
        slots = self.slots(state)
        if np.any(slots < 0):
            return None
        if warm is None:
            B = np.zeros((K, p))
            tau = None
        else:
            B, tau = warm["B"].copy(), warm["tau"].copy()
        mask = (state2 == -1) if not self.common else np.broadcast_to(state2 == -1, (K, p))
        B[mask] = 0.0
        parts = self.moving_parts(B)
        rows = state2.shape[0]
        sigma, constant = self.zbar_minorant(state2, np.zeros(state2.shape))  # the secant
        if tau is None:  # the LP's marginal price at B: slots[k] binaries want in
            _, grad = self.smooth(B, parts)
            w = self._weights(grad, sigma)
            tau = np.zeros(rows)
            for k in range(rows):
                gain = np.sort(-w[k, state2[k] == 0])[::-1]
                if 0 <= slots[k] < gain.size:
                    tau[k] = max(gain[slots[k]], 0.0)
        best = None
        previous = -np.inf
        rounds = 1 if self.common or self.lamz == 0.0 else 1 + self.relinearise
        for _ in range(rounds):
            secant, B_at, z, smooth = self.price_search(B, parts, tau, state2, sigma, constant,
                                                        slots)
            strong, strong_tau, a = self.strong_bound(B_at, smooth, state2, tau)
            lower = max(secant, strong)
            if best is None or lower > best["lower"]:
                best = dict(lower=lower, secant=secant, strong=strong, strong_tau=strong_tau,
                            a=a, B=B_at, z=z, tau=tau.copy())
            # Another search only while the bound rises fast enough to reach the pruning
            # level in a few more (a node that will be branched anyway is not worth it).
            gain = best["lower"] - max(previous, secant)
            if (not gain > 0.2 * (self.prune_level() - best["lower"])
                    or best["lower"] >= self.prune_level() or self.out_of_time()):
                break
            previous = best["lower"]
            sigma, constant = self.zbar_minorant(state2, z)  # tight at the relaxed point
        return best

    # -- bnb.Problem -------------------------------------------------------------------
    def relax(self, node):
        state = self.node_state(node)
        sol = self.solve_node(state, node.warm_start)
        if sol is None:  # more ones than slots: infeasible, or ruled out by inherited fixings
            return Relaxation(lower_bound=self.upper)
        zero, one = self.fixings(state, sol)
        if node.warm_start is not None:
            zero = np.union1d(node.warm_start["zero"], zero)
            one = np.union1d(node.warm_start["one"], one)
        fixed = state.ravel().copy()
        fixed[zero], fixed[one] = -1, 1
        fixed = fixed.reshape(state.shape)
        if np.any(self.slots(fixed) < 0):  # the fixings leave no better solution here
            return Relaxation(lower_bound=self.upper)
        if not np.any(fixed == 0):  # a leaf: the refit on the fixed supports is exact
            B = np.zeros((self.K, self.p))
            B[np.broadcast_to(fixed == 1, (self.K, self.p))] = np.finfo(float).tiny
            self.problem.refit(B)
            value = self.problem.objective(B)
            self.offer(value, B)
            # Every other assignment below the node is proven no better than the incumbent
            # (reduced costs): nothing here beats this leaf's exact value or the incumbent.
            return Relaxation(lower_bound=min(value, self.upper), objective=value, solution=B,
                              values=(fixed.ravel() == 1).astype(float), warm_start=None)
        warm = dict(B=sol["B"], tau=sol["tau"], z=sol["z"], zero=zero, one=one)
        values = sol["z"].ravel().copy()
        values[fixed.ravel() == 1] = 1.0
        values[fixed.ravel() == -1] = 0.0
        return Relaxation(lower_bound=sol["lower"], solution=sol["B"], values=values,
                          warm_start=warm)

    def fixings(self, state, sol):
        """Free binaries whose other value provably cannot beat the incumbent (reduced costs).

        At the node's point and prices, forcing a free binary changes only its feature's
        column minimum in ``L(tau)``; when that child bound exceeds the incumbent the
        binary is fixed to the other value for the subtree.  Strict inequality: nothing
        within the gap tolerance is discarded.
        """
        empty = np.zeros(0, np.int64)
        if not self.fixing or not np.isfinite(self.upper) or not np.isfinite(sol["strong"]):
            return empty, empty
        state2 = state[None, :] if self.common else state
        up_one, up_zero = forcing_costs(sol["a"], state2, sol["strong_tau"], self.zbar)
        free = (state2 == 0).ravel()
        to_zero = np.flatnonzero(free & (sol["strong"] + up_one.ravel() > self.upper))
        to_one = np.flatnonzero(free & (sol["strong"] + up_zero.ravel() > self.upper))
        self.n_fixed_ += to_zero.size + to_one.size
        return to_zero.astype(np.int64), to_one.astype(np.int64)

    def heuristic(self, node, relaxation):
        """Per task: fixed ones plus the largest relaxed binaries, refitted exactly."""
        warm = relaxation.warm_start
        if warm is None:  # a leaf, offered by relax
            return None
        state = self.node_state(node)
        flat = state.ravel().copy()
        flat[warm["zero"]] = -1
        flat[warm["one"]] = 1
        B = relaxation.solution
        magnitude = np.sqrt((B ** 2).sum(axis=0)) if self.common else np.abs(B).ravel()
        score = relaxation.values + 1e-9 * magnitude / max(magnitude.max(), 1e-300)
        score = np.where(flat == -1, -np.inf, score)
        score = np.where(flat == 1, np.inf, score)
        rows = 1 if self.common else self.K
        score = score.reshape(rows, self.p)
        B = np.zeros((self.K, self.p))
        for k in range(rows):
            order = np.argsort(-score[k])[:self.s]
            pick = order[np.isfinite(score[k, order]) & (score[k, order] > 1e-12)]
            if self.common:
                B[:, pick] = np.finfo(float).tiny
            else:
                B[k, pick] = np.finfo(float).tiny
        B[:, ~self.usable.any(axis=0)] = 0.0
        B[~self.usable] = 0.0
        self.problem.refit(B)
        value = self.problem.objective(B)
        self.offer(value, B)
        return value, B

    def is_integral(self, node, relaxation):
        # Only leaves: elsewhere an integral z can still hide a Zbar secant gap, and the
        # heuristic's refit is offered anyway.
        return relaxation.warm_start is None

    def branch(self, node, relaxation):
        """Most fractional free binary; with every binary integral, the one whose feature's
        Zbar secant is furthest below the term (fixing it narrows the count range)."""
        v = relaxation.values
        warm = relaxation.warm_start
        free_mask = np.ones(v.size, bool)
        free_mask[node.fixed_zero] = False
        free_mask[node.fixed_one] = False
        free_mask[warm["zero"]] = False
        free_mask[warm["one"]] = False
        state = self.node_state(node).ravel()
        free_mask &= state == 0
        free = np.flatnonzero(free_mask)
        if free.size == 0:  # everything fixed: the engine never asks (the node is exact)
            raise RuntimeError("no free binary to branch on")
        frac = np.minimum(v[free], 1.0 - v[free])
        if frac.max() > 1e-6 or self.common or self.lamz == 0.0:
            var = int(free[np.argmax(frac)])
            return var, int(v[var] >= 0.5)
        K, p = self.K, self.p
        z = v.reshape(K, p)
        count = z.sum(axis=0)
        st = state.reshape(K, p)
        lo = (st == 1).sum(axis=0)
        hi = K - (st == -1).sum(axis=0)
        f = 0.5 * self.lamz * count * (K - count) / K
        f_lo = 0.5 * self.lamz * lo * (K - lo) / K
        sigma = np.where(hi > lo, 0.5 * self.lamz * (K - lo - hi) / K, 0.0)
        gap = f - (f_lo + sigma * (count - lo))
        feature_of = free % p
        var = int(free[np.argmax(gap[feature_of] + 1e-9 * v[free])])
        return var, int(v[var] >= 0.5)


@single_blas_thread
def solve_multitask_exact(problem, start, *, gap_tol=1e-4, deadline=None, max_nodes=None,
                          verbose=False):
    """Branch and bound from the incumbent ``start`` (a feasible B): ``(B, result, mio)``.

    ``deadline`` is a ``time.perf_counter`` instant; the search (and each node's
    price search) stops there and returns the incumbent with its certified gap.
    """
    import bnb

    mio = MultiTaskBnBProblem(problem)
    mio.gap_tol = gap_tol
    if deadline is not None:
        mio.deadline = deadline
    value = problem.objective(start)
    mio.offer(value, start)
    result = bnb.solve(mio, gap_tol=gap_tol, gap_floor=GAP_SCALE_FLOOR,
                       time_limit=(np.inf if deadline is None
                                   else max(deadline - time.perf_counter(), 1e-9)),
                       node_limit=np.inf if max_nodes is None else max_nodes,
                       incumbent=(value, start.copy()), verbose=verbose)
    B = result.solution if result.objective <= mio.upper else mio.best
    return B, result, mio
