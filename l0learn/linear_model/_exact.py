"""Exact L0L2 least squares as a :class:`bnb.Problem`.

Problem (normalised data, as in :mod:`l0learn.linear_model._design`)::

    F(b) = 0.5 ||y~ - X~ b||_W^2 + lambda_0 ||b||_0 + lambda_2 ||b||_2^2.

**Mixed-integer form.**  With binaries ``z`` and a box ``|b_j| <= M z_j`` the node
relaxation (``z`` in [0, 1], fixings of the node applied) minimises, coordinate
by coordinate, to the convex envelope ``psi`` of ``lambda_0 [b != 0] +
lambda_2 b^2`` on ``[-M, M]`` (perspective regime when ``sqrt(lambda_0/lambda_2) <=
M``, big-M regime otherwise); see :mod:`l0learn._shared.perspective`.

**Lower bound from any residual.**  For any ``r``, with ``v = X~' W r``,

    D(r) = r' W y~ - 0.5 r' W r - sum_{fixed one} phi*(v_j) - sum_{free} max(0, phi*(v_j)),
    phi*(v) = v^2 / (4 lambda_2) - lambda_0             if |v| <= 2 M lambda_2,
            = M |v| - lambda_2 M^2 - lambda_0           otherwise,

is below the relaxation's optimum (Fenchel-Young on the loss, and
``max(0, phi*)`` is the conjugate of ``lambda_0 [b != 0] + lambda_2 b^2 + I(|b| <= M)``,
which equals the conjugate of its envelope).  So the bound is valid however
early coordinate descent stops.

**Per-coordinate weights.**  With ``normalize=False`` the ridge is ``lambda_2j =
lambda_2 / d_j^2`` and a user's box ``M d_j / s`` (see ``NormalisedProblem``); every
formula here holds coordinate by coordinate, so ``lambda_2`` and ``M`` are arrays.

**Certified big-M.**  Let ``U`` be the objective of any feasible ``b`` (the
incumbent; at worst ``F(0)``).  Every ``b`` with ``F(b) < U`` and ``b_j != 0``
has ``lambda_0 + lambda_2j b_j^2 <= F(b) < U`` (the loss is non-negative), hence
``|b_j| < M_j(U) = sqrt((U - lambda_0) / lambda_2j)``.  Restricting every node to
``|b_j| <= M(U)`` therefore removes no solution better than the incumbent, so the
bounds, and the final gap, hold for the unconstrained problem.  ``M`` shrinks as
the incumbent improves; bounds computed earlier with a larger ``M`` stay valid.
A user-given ``M`` gives a certificate for the box-constrained problem only.
Without a ridge (``lambda_2 = 0``) the loss bounds the coefficients instead when
``X~`` has full column rank: ``0.5 ||y~ - X~ b||_W^2 < U - lambda_0`` gives
``||X~ b||_W < ||y~||_W + sqrt(2 (U - lambda_0))``, and ``||X~ b||_W^2 >= delta0 ||b||^2``
with ``delta0`` a safe lower bound on ``lambda_min(X~' W X~)``.

**Eigenvalue shift (nodes with few unfixed columns).**  Let ``S`` be the node's
unfixed columns and ``delta <= lambda_min(X~_S' W X~_S)`` (positive once ``|S| < n``).
Then ``0.5 ||y~ - X~ b||^2 = q(b) + (delta / 2) ||b_free||^2`` with ``q`` convex, and
the second part joins each free coordinate's ridge inside its perspective envelope
(``lambda_2 + delta / 2``): still a relaxation, much stronger when ``lambda_2`` is
small.  Its bound linearises ``q`` at the current point (valid anywhere, tight at
the optimum; ``delta = 0`` gives ``D(r)`` above).  Cached Gram blocks of ancestors
are cut down, and their smallest eigenvalue stays valid by interlacing.  Before
computing a new block's eigenvalue, a shift guessed from the eigenvalues of earlier
blocks of about the same size is tried, certified by a Cholesky factorisation of
``G - sigma I`` (a quarter of the eigensolver's cost); the eigenvalue is computed only
when that solve does not prune the node.

**Node forms.**  A node with few unfixed columns (at most 300, or at most 0.9 n up to
2000 columns, or n / 2 up to 4000) is relaxed in covariance form on its Gram block, with
the shift above.  A larger one runs active-set coordinate descent: on the active set's
Gram block cut from a store of Gram columns (p <= 2000), else on the residual; both
give ``D(r)`` at the final point.  When a large node's own reduced-cost fixings leave
few enough columns, it is re-solved at once in covariance form, with the shift: the
node may then be pruned instead of branched.

**Reduced-cost fixing.**  With the node's dual point fixed, forcing ``z_j = 1`` adds
``max(0, -phi*(v_j))`` to the bound and ``z_j = 0`` adds ``max(0, phi*(v_j))``.  When
that child's bound exceeds the incumbent, ``z_j`` is fixed to the other value for the
node's whole subtree (passed down in the warm start); smaller free sets then reach
the covariance form and the shift.
"""

import time
from collections import deque
from dataclasses import dataclass

import numpy as np
from scipy.linalg import eigh
from scipy.linalg.lapack import dpotrf

from bnb import Problem, Relaxation
from bnb.convergence import GAP_SCALE_FLOOR

from .._shared.perspective import conjugate_fixed_one, envelope_arrays
from .._shared.threads import single_blas_thread
from ._relaxation_kernels import (gradient_from_columns, gram_block_from_columns,
                                  perspective_cd, relax_gram)
from ._solver import CoordinateDescent

_MAX_ACTIVE_ROUNDS = 200
# Nodes with at most this many unfixed columns are relaxed in covariance form (their
# Gram block is formed, or cut from a cached larger one): one numba call per node,
# O(size) per coordinate move, and the eigenvalue shift below becomes available.
_SMALL_P = 300
# With at most half as many unfixed columns as rows (and at most _LARGE_BLOCK of them:
# a 4000 x 4000 block is 128 MB), or fewer than _COV_FRACTION times the rows and at most
# _MID_BLOCK (its eigenvalues cost at most about 0.6 s), the covariance form also pays:
# the Gram block has a positive smallest eigenvalue, and the shift it allows
# strengthens every free coordinate's perspective term (lambda_2 + delta / 2).  On
# unit-norm random columns delta is about (1 - sqrt(m / n))^2: 0.03 at m = 0.7 n, 0.003
# at 0.9 n, against small ridges of 0.01 where certificates are hard (n = 500, p = 1000,
# lambda_2 = 0.01, L0BnB's six lambda_0: 30 742 nodes with 0.5 n, 21 574 with 0.9 n).
_LARGE_BLOCK = 4000
_MID_BLOCK = 2000
_COV_FRACTION = 0.9
# Large nodes run active-set CD on stored Gram columns while the active set has at most
# this fraction of the rows (p = 1000, n = 500: about 0.35 n; 0.5 n cost 2 % more time
# than 1.0 n there), on the residual beyond, and only up to _ACTIVE_GRAM_MAX_P features:
# a stored column costs O(n p) to form (n = 500, p = 5000: active sets of ~0.85 n, 1 ms
# a column; the residual form is faster there).  The store holds every column up to
# that size (32 MB).
_ACTIVE_GRAM_FRACTION = 1.0
_ACTIVE_GRAM_MAX_P = 2000
# The guessed shift (see _guessed_shift): this fraction of the median smallest
# eigenvalue of at least _GUESS_MIN_SAMPLES earlier blocks within _GUESS_SIZE_WINDOW
# of the size (n = 500, p = 1000: a node solved with half its block's eigenvalue is
# pruned 73 % of the time, with all of it 81 %).
_GUESS_FRACTION = 0.6
_GUESS_MIN_SAMPLES = 3
_GUESS_SIZE_WINDOW = 0.03
# ... and not tried at a size where it pruned under a quarter of the nodes so far
_GUESS_MIN_TRIALS = 5
_GUESS_MIN_SUCCESS = 0.25
_GUESS_MEMORY = 2000  # the latest blocks and guesses kept (a design's spectra are stable)
_BLOCK_CACHE_BYTES = 512 * 2 ** 20  # cached Gram blocks of recent nodes, at most
_GRAM_STORE_BYTES = 256 * 2 ** 20  # Gram columns kept for all nodes, at most


@dataclass
class NodeSolution:
    """A solved node relaxation.

    ``loss`` is ``0.5 r' W r`` at ``beta``; ``grad`` the dual point (``X~' W r`` on
    the plain relaxation; ``xty - Q beta`` on the shifted one), ``lam2_free`` the
    per-coordinate ridge inside the free coordinates' perspective envelope
    (``lambda_2 + delta / 2``).
    """

    beta: np.ndarray
    loss: float
    primal: float
    lower: float
    grad: np.ndarray
    lam2_free: float


def dual_bound(ywr, loss, grad, kind, lam0, lam2, big_m):
    """The lower bound ``D(r)`` on the node relaxation (see the module docstring).

    ``ywr = y~' W r`` and ``loss = 0.5 r' W r`` at the residual ``r``, ``grad = X~' W r``.
    """
    phi = conjugate_fixed_one(grad, lam0, lam2, big_m)
    return float(ywr - loss - phi[kind == 2].sum() - np.maximum(phi[kind == 1], 0.0).sum())


class L0L2Problem(Problem):
    """The branch-and-bound problem for one ``(lambda_0, lambda_2)``.

    Parameters
    ----------
    problem : l0learn.linear_model._solver.NormalisedProblem
    lambda_0 : float
        The L0 price on the normalised scale.
    lambda_2 : float
        The caller's ridge weight (``problem.ridge`` turns it into one per coordinate).
    settings : l0learn.linear_model._solver.Settings
        Controls of the heuristic (CD + local search inside the tree).
    big_m : float or None
        ``None`` for the certified, incumbent-driven bound; else a fixed box on the
        caller's coefficients (``problem.box`` gives it per coordinate here).
    rel_tol : float
        Target relative primal-dual gap of each node relaxation.
    """

    integrality_tol = 1e-6

    def __init__(self, problem, lambda_0, lambda_2, settings, *, big_m=None, rel_tol=1e-5,
                 eigen_shift=True, fixing=True):
        self.problem = problem
        self.design = problem.design
        self.lam0, self.gamma = float(lambda_0), float(lambda_2)
        self.lam2 = problem.ridge(self.gamma)  # one ridge weight per coordinate
        self.settings = settings
        self.user_m = None if big_m is None else problem.box(float(big_m))
        self.rel_tol = rel_tol
        # Wall-clock end of the search (set by solve_exact): node solves stop there with
        # the dual bound of their current iterate, which is valid however early it is.
        self.deadline = np.inf
        # Inside a search (set by solve_exact): the gap tolerance, and whether a node
        # relaxation may stop tightening once it cannot reach the pruning level.
        self.gap_tol = 0.0
        self.lazy_bounds = False
        p = self.design.n_features
        self.usable = ~self.design.constant
        # The empty model is feasible: F(0) = 0.5 ||y~||_W^2.
        w, y = self.design.w, problem.y_tilde
        self.upper = float(0.5 * (w * y) @ y)
        self.best = np.zeros(p)
        self._tried = set()
        self.eigen_shift = eigen_shift
        self.fixing = fixing
        self._wy = w * y
        self._yty = float(self._wy @ y)
        self._xty = self.design.gradient(self._wy)
        # Without a ridge (on some coordinate) the certified box comes from the loss.
        self._curvature = None
        if big_m is None and not np.all(self.lam2[self.usable] > 0):
            self._curvature = self._loss_curvature()
        # Gram blocks of recent covariance-form nodes: (columns, block, lambda_min).
        self._blocks = []
        # (size, lambda_min) of the latest blocks whose eigenvalue was computed: the
        # guesses; (size, pruned?) of the latest nodes solved with a guessed shift
        memory = _GUESS_MEMORY
        self._eigen_sizes, self._eigen_values = deque(maxlen=memory), deque(maxlen=memory)
        self._guess_sizes, self._guess_pruned = deque(maxlen=memory), deque(maxlen=memory)
        # Gram columns formed so far (see _stored_gram): column j lives in _store[:, _slot[j]].
        self._store, self._n_slots = None, 0
        self._slot = np.full(p, -1, dtype=np.int64)
        self.n_fixed_ = 0  # variables fixed by reduced costs, summed over nodes

    # -- incumbent and box -----------------------------------------------------
    @property
    def big_m(self):
        """The box of every coordinate: the user's, or the certified ``M_j(U)``."""
        if self.user_m is not None:
            return self.user_m
        return self._certified_box(max(self.upper - self.lam0, 0.0))

    def _certified_box(self, budget):
        """A box that holds every ``b`` better than the incumbent.

        ``budget`` bounds ``0.5 ||y~ - X~ b||_W^2 + sum_j lambda_2j b_j^2`` over those
        ``b``.  The ridge gives ``|b_j| < sqrt(budget / lambda_2j)``.  Without a ridge,
        the loss does when ``X~`` has full column rank: ``||X~ b||_W <= ||y~||_W +
        sqrt(2 budget)`` and ``||X~ b||_W^2 >= delta ||b||^2``
        with ``delta <= lambda_min(X~' W X~)``.
        """
        with np.errstate(divide="ignore"):
            box = np.sqrt(budget / self.lam2)
        if self._curvature is not None:
            reach = np.sqrt(self._yty) + np.sqrt(2.0 * budget)
            box = np.minimum(box, reach / np.sqrt(self._curvature))
        return box * (1 + 1e-9) + 1e-12

    def _loss_curvature(self):
        """A safe lower bound on ``lambda_min(X~' W X~)`` over the usable columns (> 0).

        Needed for a certified box without a ridge; raises when there is none (more
        features than observations, duplicate columns, or a block too large to form).
        """
        cols = np.flatnonzero(self.usable)
        rows = int(np.count_nonzero(self.design.w > 0))
        if cols.size >= rows or cols.size > _LARGE_BLOCK:
            raise ValueError(
                f"algorithm='BnB' with gamma=0 needs a certified box: with {cols.size} "
                f"usable features and {rows} observations the loss alone does not bound "
                "the coefficients; give gamma > 0 (penalty 'L0L2') or an explicit big_m.")
        gram = self.design.gram_block(cols)
        eig = float(np.linalg.eigvalsh(gram)[0])
        delta = eig - 1e-9 * float(np.abs(np.diag(gram)).max()) * cols.size
        if not delta > 1e-10:
            raise ValueError(
                "algorithm='BnB' with gamma=0 needs a certified box, and the design has "
                f"(nearly) dependent columns (smallest Gram eigenvalue {eig:.3g}), so the "
                "loss alone does not bound the coefficients; give gamma > 0 (penalty "
                "'L0L2') or an explicit big_m.")
        return delta

    def objective(self, beta, r, wr):
        return self._penalised(beta, 0.5 * float(r @ wr))

    def value_at(self, beta):
        """The objective at ``beta``, from its residual."""
        r = self.problem.y_tilde - self.design.predict_normalised(beta)
        return self.objective(beta, r, self.design.w * r)

    def _penalised(self, beta, loss):
        """The objective at ``beta`` given its loss ``0.5 r'Wr``."""
        return float(loss + self.lam0 * np.count_nonzero(beta) + (self.lam2 * beta) @ beta)

    def offer(self, value, beta):
        if value < self.upper:
            self.upper, self.best = value, beta.copy()

    # -- bnb.Problem -------------------------------------------------------------
    def node_kinds(self, node):
        """0 = fixed to zero (or a constant column), 1 = free, 2 = fixed to one.

        Besides the branching decisions, a node inherits the reduced-cost fixings of
        its ancestors (carried in the warm start, see :meth:`fixings`).
        """
        kind = np.ones(self.design.n_features, dtype=np.int8)
        kind[~self.usable] = 0
        if node.warm_start is not None:
            _, zero, one = node.warm_start
            kind[zero] = 0
            kind[one] = 2
        kind[node.fixed_zero] = 0
        kind[node.fixed_one] = 2
        return kind

    @staticmethod
    def start_of(node):
        return None if node.warm_start is None else node.warm_start[0]

    def _block(self, cols):
        """Gram block, ``X~' W y~`` and a lower bound on ``lambda_min`` for ``cols``.

        Returns ``(gram, xty, lam_min, entry)``.  Subtrees shrink their column sets, so a
        cached block that covers ``cols`` is cut down instead of recomputed, and its
        smallest eigenvalue stays a valid lower bound for the cut (eigenvalue
        interlacing).  Until a block's own eigenvalue is computed its bound is inherited
        from the block it was cut from (0 for a new one), and ``entry`` (the block, or
        the covering one) is returned so that the caller can compute it with
        :meth:`_exact_lambda_min` if the node needs it.
        """
        if cols.size == 0:
            return np.zeros((0, 0)), self._xty[cols], 0.0, None
        gram, inherited = None, 0.0
        for cover in reversed(self._blocks):
            bcols, bgram, blam, exact = cover
            pos = np.minimum(np.searchsorted(bcols, cols), bcols.size - 1)
            if np.array_equal(bcols[pos], cols):
                gram = np.ascontiguousarray(bgram[np.ix_(pos, pos)])
                if cols.size >= 0.8 * bcols.size:
                    # The covering block's own eigenvalue, if not known yet, is the one
                    # to compute (valid for the cut too).
                    return gram, self._xty[cols], blam, None if exact else cover
                inherited = blam
                break
        if gram is None:
            gram = self._stored_gram(cols)
        entry = [cols, gram, inherited, False]  # lambda_min bound, exact?
        self._blocks.append(entry)
        while len(self._blocks) > 1 and (len(self._blocks) > 16 or sum(
                b[1].nbytes for b in self._blocks) > _BLOCK_CACHE_BYTES):
            self._blocks.pop(0)  # the oldest block goes first
        return gram, self._xty[cols], inherited, entry

    def _exact_lambda_min(self, entry):
        """The block's own smallest eigenvalue (0 when singular), cached in ``entry``."""
        cols, gram, _, exact = entry
        if not exact:
            lam_min = 0.0  # more columns than rows: the block is singular
            if self.eigen_shift and cols.size < self.design.n_samples:
                # the smallest eigenvalue alone (bisection): 1.5x faster than all of them
                lam_min = float(eigh(gram, eigvals_only=True, subset_by_index=[0, 0],
                                     driver="evx", check_finite=False)[0])
            entry[2], entry[3] = lam_min, True
            self._eigen_sizes.append(cols.size)
            self._eigen_values.append(lam_min)
        return entry[2]

    def _guessed_shift(self, gram, kind):
        """A shift certified for ``gram`` without its eigenvalues, or 0.

        ``sigma`` is a fraction of the median smallest eigenvalue of earlier blocks of
        about the same size (same design: similar spectra); a Cholesky factorisation
        of ``gram - sigma I`` that runs to completion proves ``lambda_min(gram) >= sigma``
        up to its backward error (``2 (m + 1) eps trace``, taken off).
        """
        m = gram.shape[0]
        if not self.eigen_shift or m == 0 or len(self._eigen_sizes) < _GUESS_MIN_SAMPLES:
            return 0.0
        window = max(2, _GUESS_SIZE_WINDOW * m)
        tried = np.abs(np.asarray(self._guess_sizes) - m) <= window
        if (np.count_nonzero(tried) >= _GUESS_MIN_TRIALS
                and np.mean(np.asarray(self._guess_pruned)[tried]) < _GUESS_MIN_SUCCESS):
            return 0.0  # near n the smaller shift seldom prunes: the eigenvalue is needed
        near = np.abs(np.asarray(self._eigen_sizes) - m) <= window
        if np.count_nonzero(near) < _GUESS_MIN_SAMPLES:
            return 0.0
        sigma = _GUESS_FRACTION * float(np.median(np.asarray(self._eigen_values)[near]))
        if not sigma > 0.0:
            return 0.0
        shifted = gram.copy()
        shifted.flat[::m + 1] -= sigma
        _, info = dpotrf(shifted.T, lower=0, clean=0, overwrite_a=1)  # symmetric: F view
        if info != 0:
            return 0.0
        backward = 2.0 * (m + 1) * np.finfo(float).eps * float(np.trace(gram))
        return self._shift(gram, kind, sigma - backward)

    def _stored_gram(self, cols):
        """The Gram block of ``cols`` from a store of Gram columns ``X~' W x~_j``.

        Nodes of different subtrees share most of their columns, so each column is
        formed once (O(n p)) and every later block is cut from the store; past
        ``_GRAM_STORE_BYTES`` blocks are formed directly.
        """
        if cols.size == 0:
            return np.zeros((0, 0))
        if not self._store_columns(cols):
            return np.ascontiguousarray(self.design.gram_block(cols))
        return gram_block_from_columns(self._store, cols, self._slot[cols])

    def _store_columns(self, cols):
        """Form and keep the Gram columns of ``cols`` not stored yet; False (nothing
        stored) when the store would outgrow ``_GRAM_STORE_BYTES``."""
        p = self.design.n_features
        missing = cols[self._slot[cols] < 0]
        if missing.size:
            used = self._n_slots + missing.size
            if used * p * 8 > _GRAM_STORE_BYTES:
                return False
            if self._store is None or used > self._store.shape[1]:
                # Fortran order: a stored Gram column is contiguous (gradients sum them)
                grown = np.empty((p, min(max(2 * used, 64), _GRAM_STORE_BYTES // (8 * p))),
                                 order="F")
                if self._store is not None:
                    grown[:, :self._n_slots] = self._store[:, :self._n_slots]
                self._store = grown
            self._store[:, self._n_slots:used] = self.design.gram_columns(missing)
            self._slot[missing] = np.arange(self._n_slots, used)
            self._n_slots = used
        return True

    def _shift(self, gram, kind, lam_min):
        """A safe ``delta`` with ``gram - delta D_free`` positive semidefinite.

        Any lower bound on ``lambda_min(gram)`` qualifies (``D_free <= I``); a relative
        margin covers the eigensolver's rounding, so the shifted loss stays convex and
        the bound valid.
        """
        if not self.eigen_shift or not np.any(kind == 1):
            return 0.0
        return max(0.0, lam_min - 1e-9 * float(np.abs(np.diag(gram)).max()))

    def _covariance_form(self, m):
        """Whether a node with ``m`` unfixed columns is relaxed in covariance form."""
        n = self.design.n_samples
        return (m <= _SMALL_P or (m <= _LARGE_BLOCK and 2 * m <= n)
                or (m <= _MID_BLOCK and m <= _COV_FRACTION * n))

    def out_of_time(self):
        return time.perf_counter() >= self.deadline

    def prune_level(self):
        """The bound at which the engine prunes a node (see ``bnb.convergence.can_prune``)."""
        return self.upper - self.gap_tol * max(abs(self.upper), GAP_SCALE_FLOOR)

    def solve_relaxation(self, kind, start, lam0, big_m, enough=np.inf):
        """Solve the node relaxation with L0 price ``lam0``: a :class:`NodeSolution`.

        Nodes with few unfixed columns run in covariance form with the eigenvalue
        shift; the others by active-set CD on the residual.  Stops early (with a valid
        but weaker bound) once the deadline has passed, or once the bound reaches
        ``enough`` (the level at which the node is pruned anyway).
        """
        p = self.design.n_features
        beta = np.zeros(p) if start is None else np.array(start)
        beta[kind == 0] = 0.0
        np.clip(beta, -big_m, big_m, out=beta)
        cols = np.flatnonzero(kind != 0)
        if self._covariance_form(cols.size):
            gram, xty, lam_min, entry = self._block(cols)
            kind_c = np.ascontiguousarray(kind[cols])
            lam2_c = np.ascontiguousarray(self.lam2[cols])
            box_c = np.ascontiguousarray(big_m[cols])
            beta_c = np.ascontiguousarray(beta[cols])

            def solve(delta):  # from the current beta_c, which it updates
                return relax_gram(gram, xty, self._yty, beta_c, kind_c, lam0, lam2_c, delta,
                                  box_c, self.settings.max_iter * 5, self.rel_tol)

            delta = self._shift(gram, kind_c, lam_min)
            grad_c, primal, lower = solve(delta)
            if entry is not None and lower < enough:
                # The inherited eigenvalue bound did not prune the node: a larger shift
                # may.  First a guessed one (cheap to certify), then the block's own
                # eigenvalue; each re-solves from the current point.
                guess = self._guessed_shift(gram, kind_c)
                if guess > delta:
                    delta = guess
                    grad_c, primal, lower = solve(delta)
                    if entry[0].size == cols.size and not entry[3]:
                        entry[2] = max(entry[2], guess)  # valid for the block's cuts too
                    self._guess_sizes.append(cols.size)
                    self._guess_pruned.append(lower >= enough)
            if entry is not None and lower < enough:
                better = self._shift(gram, kind_c, self._exact_lambda_min(entry))
                if better > delta:
                    delta = better
                    grad_c, primal, lower = solve(delta)
            beta[:] = 0.0
            beta[cols] = beta_c
            grad = np.zeros(p)
            grad[cols] = grad_c
            # r'Wr = yty - 2 xty'b + b'Gb, and b'Gb = xty'b - grad'b + delta ||b_free||^2
            free_c = beta_c[kind_c == 1]
            loss = 0.5 * (self._yty - xty @ beta_c - grad_c @ beta_c + delta * (free_c @ free_c))
            return NodeSolution(beta, loss, primal, lower, grad, self.lam2 + 0.5 * delta)
        _, threshold, _ = envelope_arrays(lam0, self.lam2, big_m)
        if p <= _ACTIVE_GRAM_MAX_P and p * p * 8 <= _GRAM_STORE_BYTES:  # all columns fit
            sol = self._solve_on_active_gram(kind, beta, lam0, big_m, threshold)
            if sol is not None:
                return sol
        return self._solve_on_residual(kind, beta, lam0, big_m, threshold, enough)

    def _solve_on_residual(self, kind, beta, lam0, big_m, threshold, enough):
        """A large node's relaxation by active-set CD on the residual (O(n) a move)."""
        r = self.problem.y_tilde - self.design.predict_normalised(beta)
        wr = self.design.w * r
        rtol = 1e-8
        grad = self.design.gradient(wr)
        for _ in range(4):  # tighten until the node's primal-dual gap is small
            for _ in range(_MAX_ACTIVE_ROUNDS):
                entering = (kind == 1) & (beta == 0.0) & (np.abs(grad) > threshold)
                coords = np.flatnonzero((beta != 0.0) | (kind == 2) | entering).astype(np.int64)
                _, primal = perspective_cd(*self.design.kernel_args(), r, wr, beta, coords, kind,
                                           lam0, self.lam2, big_m,
                                           self.settings.max_iter * 5, rtol)
                grad = self.design.gradient(wr)
                violators = ((kind == 1) & (beta == 0.0)
                             & (np.abs(grad) > threshold * (1 + 1e-9) + 1e-14))
                if not violators.any() or self.out_of_time():
                    break
            lower = dual_bound(wr @ self.problem.y_tilde, 0.5 * (r @ wr), grad, kind, lam0,
                               self.lam2, big_m)
            if (primal - lower <= self.rel_tol * max(abs(primal), 1e-12) or self.out_of_time()
                    or lower >= enough
                    or (self.lazy_bounds and primal < self.prune_level())):
                # Tight enough; or out of time; or the node is pruned already; or even the
                # relaxation's value falls short of pruning the node, which will be
                # branched whatever its exact bound.
                break
            rtol *= 1e-2
        return NodeSolution(beta, 0.5 * (r @ wr), primal, lower, grad, self.lam2)

    def _solve_on_active_gram(self, kind, beta, lam0, big_m, threshold):
        """A large node's relaxation by covariance-form CD on its active set.

        The active set (nonzeros, fixed ones, and the free zeros whose gradient exceeds
        the envelope's slope) is a few hundred columns however many are unfixed; its
        Gram block comes from the store of Gram columns, a coordinate move costs
        O(active) instead of O(n), and the full gradient ``X~'W y~ - G[:, A] b_A`` costs
        O(p |A|) instead of O(n p).  Columns whose gradient violates optimality join and
        the active set is solved again.  No eigenvalue shift: the node has more unfixed
        columns than the shift admits.  The bound is ``D(r)`` at the final residual, with
        ``X~' W r`` as ``X~'W y~ - G[:, A] b_A`` (the same vector, summed in another
        order, as the covariance form does).  Returns None
        (``beta`` left at the last point) once the active set exceeds
        ``_ACTIVE_GRAM_FRACTION`` of the rows: there a move costs as much as on the
        residual, and the block solves (Newton polish on the support) cost more.
        """
        active = (beta != 0.0) | (kind == 2)
        grad = self._xty.copy()
        if np.any(beta != 0.0):
            cols = np.flatnonzero(beta)
            self._store_columns(cols)  # all p columns fit (see the caller)
            grad = gradient_from_columns(self._store, self._slot[cols], beta[cols], self._xty)
        for _ in range(_MAX_ACTIVE_ROUNDS):
            entering = (kind == 1) & (beta == 0.0) & (np.abs(grad) > threshold)
            cols = np.flatnonzero(active | entering)
            if cols.size > _ACTIVE_GRAM_FRACTION * self.design.n_samples:
                return None
            gram = self._stored_gram(cols)
            beta_c = np.ascontiguousarray(beta[cols])
            _, primal, _ = relax_gram(gram, self._xty[cols], self._yty, beta_c,
                                      np.ascontiguousarray(kind[cols]), lam0,
                                      np.ascontiguousarray(self.lam2[cols]), 0.0,
                                      np.ascontiguousarray(big_m[cols]),
                                      self.settings.max_iter * 5, self.rel_tol)
            beta[:] = 0.0
            beta[cols] = beta_c
            grad = (gradient_from_columns(self._store, self._slot[cols], beta_c, self._xty)
                    if cols.size else self._xty.copy())
            violators = ((kind == 1) & (beta == 0.0)
                         & (np.abs(grad) > threshold * (1 + 1e-9) + 1e-14))
            if not violators.any() or self.out_of_time():
                break
            active = (beta != 0.0) | (kind == 2)
        # With r = y~ - X~ b: y~'Wr = yty - xty'b and r'Wr = yty - xty'b - grad'b
        # (grad = xty - G b), from the active block alone.
        b_a = beta[cols]
        ywr = self._yty - self._xty[cols] @ b_a
        loss = 0.5 * (ywr - grad[cols] @ b_a)
        lower = dual_bound(ywr, loss, grad, kind, lam0, self.lam2, big_m)
        return NodeSolution(beta, loss, primal, lower, grad, self.lam2)

    def fixings(self, kind, sol, lam0, big_m, offset=0.0):
        """Variables whose other value provably cannot beat the incumbent (reduced costs).

        With the node's dual point fixed, the bound of the child ``z_j = 1`` exceeds the
        node's by ``max(0, -phi*_j)`` and that of ``z_j = 0`` by ``max(0, phi*_j)``
        (``phi*`` the conjugate of ``lambda_0 + lambda_2' b^2`` on the box at
        ``grad_j``).  A child whose bound (plus ``offset``: the Lagrangian constant of the
        cardinality form) exceeds the incumbent holds no better solution, so the
        variable is fixed to the other value for the whole subtree.  Strict
        inequality: nothing within the gap tolerance is discarded.
        """
        free = np.flatnonzero(kind == 1)
        if not self.fixing or free.size == 0 or not np.isfinite(sol.lower):
            return free[:0], free[:0]
        phi = conjugate_fixed_one(sol.grad[free], lam0, sol.lam2_free[free], big_m[free])
        base = sol.lower + offset
        to_zero = free[base + np.maximum(-phi, 0.0) > self.upper]
        to_one = free[base + np.maximum(phi, 0.0) > self.upper]
        return to_zero, to_one

    def _binaries(self, beta, kind, lam0, big_m, lam2_free):
        """The relaxed binaries ``z`` that go with ``beta``."""
        ratio, _, perspective = envelope_arrays(lam0, lam2_free, big_m)
        if lam0 > 0.0:
            z = np.minimum(1.0, np.abs(beta) / np.where(perspective, ratio, big_m))
        else:  # no L0 price: any nonzero is a whole variable
            z = (beta != 0.0).astype(float)
        z[kind == 2] = 1.0
        z[kind == 0] = 0.0
        return z

    def relax(self, node):
        kind = self.node_kinds(node)
        big_m = self.big_m
        enough = self.prune_level() if self.lazy_bounds else np.inf
        sol = self.solve_relaxation(kind, self.start_of(node), self.lam0, big_m, enough)
        if sol.lower < enough:
            kind, sol = self._resolve_after_fixing(kind, sol, big_m, enough)
        return self._relaxation(node, kind, sol, sol.lower, self.lam0, big_m)

    def _resolve_after_fixing(self, kind, sol, big_m, enough):
        """Re-solve a large node whose own fixings bring it to covariance form.

        The reduced-cost fixings of a node hold for its whole subtree, the node
        included; when they leave few enough unfixed columns for the eigenvalue shift,
        the node's relaxation with them applied is stronger, and may prune the node
        instead of branching it (n = 500, p = 1000: a third of the large nodes).
        Returns ``(kind, solution)``: the fixed kinds and their solution when its bound
        is higher, else the inputs.
        """
        if (not self.eigen_shift or sol.lower >= self.prune_level()
                or self._covariance_form(int(np.count_nonzero(kind)))):
            return kind, sol  # (a node pruned already has contradictory fixings)
        to_zero, to_one = self.fixings(kind, sol, self.lam0, big_m)
        if not self._covariance_form(int(np.count_nonzero(kind)) - to_zero.size):
            return kind, sol
        fixed = kind.copy()
        fixed[to_zero], fixed[to_one] = 0, 2
        again = self.solve_relaxation(fixed, sol.beta, self.lam0, big_m, enough)
        return (fixed, again) if again.lower > sol.lower else (kind, sol)

    def _relaxation(self, node, kind, sol, lower, lam0, big_m, offset=0.0):
        """Package a relaxed solution with the subtree's fixings; an integral one is also
        a new incumbent candidate."""
        to_zero, to_one = self.fixings(kind, sol, lam0, big_m, offset)
        self.n_fixed_ += to_zero.size + to_one.size
        kind = kind.copy()
        kind[to_zero], kind[to_one] = 0, 2
        beta = sol.beta
        value = self._penalised(beta, sol.loss)
        if to_zero.size and np.any(beta[to_zero] != 0.0):
            # Zeroing a fixed-out coordinate changes the solution, not the bound.
            beta = beta.copy()
            beta[to_zero] = 0.0
            value = np.inf  # not the relaxed point's any more: evaluated below if integral
        z = self._binaries(beta, kind, lam0, big_m, sol.lam2_free)
        fixed = (np.flatnonzero(kind == 0), np.flatnonzero(kind == 2))
        relaxation = Relaxation(lower_bound=lower, objective=value, solution=beta, values=z,
                                warm_start=(beta,) + fixed)
        if self.is_integral(node, relaxation):
            # A feasible solution: its objective from the residual itself (node solvers
            # report the loss through Gram identities, exact only up to cancellation).
            relaxation.objective = self.value_at(beta)
            self.offer(relaxation.objective, beta)
        return relaxation

    def _local_search_from(self, node, start, cap):
        """CD + local search from ``start`` under the node's fixings (once per support)."""
        key = np.flatnonzero(start).tobytes()
        if key in self._tried:
            return None
        self._tried.add(key)
        cd = CoordinateDescent(self.problem, 0.0, self.gamma, self.settings,
                               unpenalised=node.fixed_one, forbidden=node.fixed_zero)
        start = np.array(start)
        start[node.fixed_zero] = 0.0
        cd.set_state(start)
        cd.solve(self.lam0, cap)
        cd.local_search(self.lam0, cap)
        value = self.objective(cd.beta, cd.r, cd.wr)
        self.offer(value, cd.beta)
        return value, cd.beta.copy()

    def heuristic(self, node, relaxation):
        """CD + local search from the rounded relaxed solution, respecting the node's fixings.

        Rounding (keep the coefficients whose relaxed binary is at least 1/2) makes
        nearby nodes share a start, and each start is searched once.
        """
        if self.out_of_time():
            return None
        start = np.where(relaxation.values >= 0.5, relaxation.solution, 0.0)
        return self._local_search_from(node, start, self.design.n_features)


class CardinalityL0L2Problem(L0L2Problem):
    """``min 0.5 ||y~ - X~ b||_W^2 + lambda_2 ||b||^2  s.t.  ||b||_0 <= k`` by branch and bound.

    **Bound.**  For any ``mu >= 0`` and any feasible ``b`` (at most ``k`` nonzeros),
    ``f(b) >= f(b) + mu (||b||_0 - k)``, and the right side is the L0L2 objective at
    ``lambda_0 = mu`` minus ``mu k``.  So the L0L2 node bound at price ``mu`` minus
    ``mu k`` is a valid bound for the cardinality form (Lagrangian duality); each node
    maximises it over ``mu`` by golden-section search (the dual function is concave).

    **Certified big-M.**  ``lambda_2 b_j^2 <= f(b) < U`` for any ``b`` better than the
    incumbent, so ``M = sqrt(U / lambda_2)``.
    """

    def __init__(self, problem, k, lambda_2, settings, *, big_m=None, rel_tol=1e-5,
                 n_price_evaluations=12):
        super().__init__(problem, 0.0, lambda_2, settings, big_m=big_m, rel_tol=rel_tol)
        self.k = int(k)
        self.n_price_evaluations = n_price_evaluations

    @property
    def big_m(self):
        if self.user_m is not None:
            return self.user_m
        return self._certified_box(max(self.upper, 0.0))

    def relax(self, node):
        if node.fixed_one.size > self.k:
            return Relaxation(lower_bound=np.inf)
        kind = self.node_kinds(node)
        big_m = self.big_m
        best = None
        start = self.start_of(node)

        def bound_at(mu):
            nonlocal best, start
            sol = self.solve_relaxation(kind, start, mu, big_m)
            start = sol.beta
            value = sol.lower - mu * self.k
            if best is None or value > best[0]:
                best = (value, sol, mu)
            return value

        # Golden-section search for the best price on [0, mu_hi]; at mu_hi = f(0)
        # the relaxation is (nearly) empty and the bound falls with mu.
        lo, hi = 0.0, max(self.upper, 1e-12)
        golden = (np.sqrt(5.0) - 1.0) / 2.0
        a, b = hi - golden * (hi - lo), lo + golden * (hi - lo)
        fa, fb = bound_at(a), bound_at(b)
        for _ in range(self.n_price_evaluations):
            if self.out_of_time():  # every price evaluated so far gives a valid bound
                break
            if fa >= fb:
                hi, b, fb = b, a, fa
                a = hi - golden * (hi - lo)
                fa = bound_at(a)
            else:
                lo, a, fa = a, b, fb
                b = lo + golden * (hi - lo)
                fb = bound_at(b)
        if lo == 0.0 and not self.out_of_time():
            # The best price may be 0 (the cardinality constraint does not bind).  Only
            # then is the price-free relaxation worth its cost: with p > n it is a ridge
            # fit over every column, the most expensive solve of the search.
            bound_at(0.0)
        lower, sol, mu = best
        return self._relaxation(node, kind, sol, lower, mu, big_m, offset=-mu * self.k)

    def is_integral(self, node, relaxation):
        return (super().is_integral(node, relaxation)
                and np.count_nonzero(relaxation.solution) <= self.k)

    def heuristic(self, node, relaxation):
        """The best ``k``-sparse model CD + local search finds from the relaxed solution."""
        if self.out_of_time():
            return None
        start = np.array(relaxation.solution)
        start[node.fixed_zero] = 0.0
        keep = np.argsort(-np.abs(start))[:self.k]  # the k largest relaxed coefficients
        trimmed = np.zeros_like(start)
        trimmed[keep] = start[keep]
        return self._local_search_from(node, trimmed, self.k)


def open_gap_advice(n_samples, n_features, gap, big_m):
    """What to change when a search stops with a large gap: a sentence, or ``""``.

    With at least as many features as samples no eigenvalue shift exists on the nodes
    that keep most columns (the Gram matrix is singular), so only the ridge
    strengthens their relaxation; measured on n = 500, p = 1000-5000 with gamma = 0.01
    (``benchmarks/README.md``), the gap there stays open for minutes.
    """
    if not gap > 0.01 or n_features < n_samples or big_m is not None:
        return ""
    return (" With at least as many features as samples the node relaxations draw no "
            "strength from the data, only from the ridge: a larger gamma (or a big_m you "
            "can vouch for, which certifies the boxed problem) closes the gap faster.")


@single_blas_thread
def solve_exact(problem, lambda_0, lambda_2, settings, *, k=None, start=None, big_m=None,
                gap_tol=1e-4, time_limit=None, deadline=None, max_nodes=None, verbose=False,
                strategy="best-bound-dive"):
    """Certified L0L2 solve: returns ``(beta, result, box)`` on the normalised scale.

    ``box`` holds the last box of every coordinate (``|b_j| <= box_j``), the user's
    or the certified one.

    With ``k`` the cardinality-constrained form is solved (``lambda_0`` unused).
    ``start`` is a normalised coefficient vector (e.g. the CDPSI solution) used as
    the first incumbent.  The search stops at ``deadline`` (a ``time.perf_counter``
    value, e.g. ``time_limit`` after the estimator's fit began, so that the warm
    start counts) or ``time_limit`` seconds from now, whichever comes first.
    """
    import bnb

    if time_limit is not None:
        end = time.perf_counter() + time_limit
        deadline = end if deadline is None else min(deadline, end)

    if k is None:
        mio = L0L2Problem(problem, lambda_0, lambda_2, settings, big_m=big_m)
    else:
        mio = CardinalityL0L2Problem(problem, k, lambda_2, settings, big_m=big_m)
    if deadline is not None:
        mio.deadline = deadline
    mio.gap_tol, mio.lazy_bounds = gap_tol, True
    # Node relaxations solved well inside the search's tolerance, so that it can close.
    mio.rel_tol = min(mio.rel_tol, 0.1 * gap_tol)
    incumbent = None
    if start is not None:
        start = np.asarray(start, dtype=float)
        value = mio.value_at(start)
        mio.offer(value, start)
        incumbent = (value, start.copy())
    result = bnb.solve(mio, strategy=strategy, gap_tol=gap_tol,
                       time_limit=(np.inf if deadline is None
                                   else max(deadline - time.perf_counter(), 1e-9)),
                       node_limit=np.inf if max_nodes is None else max_nodes,
                       incumbent=incumbent, verbose=verbose)
    beta = mio.best if result.solution is None else result.solution
    return np.asarray(beta, dtype=float), result, mio.big_m
