"""Solver for sparse multi-task best subset with shared support information (sMTL objective).

For tasks k = 1..K with centred data (the unpenalised intercepts are profiled
out) the objective is

    F(B) = Σ_k [ ‖y_k − X_k β_k‖² / (2 n_k) + (λ1/2)‖β_k‖² + (λ2/2)‖β_k − β̄‖² ]
           + (λz/2) Σ_k ‖z_k − z̄‖²,          ‖β_k‖0 ≤ s,

with β̄ the mean coefficient vector and z_k the support indicator of task k.
Two identities make every move exact and cheap:

* Bbar: Σ_l ‖β_l − β̄‖² = Σ_l ‖β_l‖² − ‖Σ_l β_l‖²/K, so as a function of one task's
  coefficient β_kj it is (1 − 1/K) β_kj² − 2 β_kj S'_j / K + const, with S'_j the
  sum over the other tasks;
* Zbar: Σ_k ‖z_k − z̄‖² = Σ_j c_j (K − c_j) / K with c_j the number of tasks using
  feature j, so adding j to a task changes it by (K − 2c_j − 1)/K and removing it
  by (2c_j − K − 1)/K.

On fixed supports F is a convex quadratic; :func:`refit` minimises it exactly
(per-task normal equations, cycled over tasks when λ2 couples them).  Local
search evaluates every swap (i out, j in, one new coefficient, others fixed),
addition and removal per task in closed form, applies the best improving move
and refits, until no move improves: a swap-local optimum, converged on its
supports.
"""

import numpy as np

from .._shared.threads import single_blas_thread


class MultiTaskData:
    """Centred per-task designs and responses, with Gram diagonals."""

    def __init__(self, Xs, ys):
        self.K = len(Xs)
        self.p = Xs[0].shape[1]
        self.X = []
        self.y = []
        self.x_mean = []
        self.y_mean = []
        self.n = np.array([X.shape[0] for X in Xs], dtype=float)
        for X, y in zip(Xs, ys):
            xm, ym = X.mean(axis=0), y.mean()
            self.X.append(np.asfortranarray(X - xm))
            self.y.append(y - ym)
            self.x_mean.append(xm)
            self.y_mean.append(ym)
        self.q = [np.einsum("ij,ij->j", X, X) for X in self.X]  # squared column norms
        self.Xty = [X.T @ y for X, y in zip(self.X, self.y)]
        self._gram_rows = [{} for _ in range(self.K)]

    def gram_rows(self, k, S):
        """``X_S' X / n`` for task k (|S| x p): rows cached per feature, since the
        supports of a local search change one feature at a time."""
        cache = self._gram_rows[k]
        missing = [j for j in S if j not in cache]
        if missing:
            rows = self.X[k][:, missing].T @ self.X[k] / self.n[k]
            for j, row in zip(missing, rows):
                cache[j] = row
        if len(S) == 0:
            return np.zeros((0, self.p))
        return np.stack([cache[j] for j in S])

    def gram_block(self, k, S):
        """``X_S' X_S / n`` for task k."""
        self.gram_rows(k, [j for j in S if j not in self._gram_rows[k]])
        cache = self._gram_rows[k]
        return np.stack([cache[j][S] for j in S])


class MultiTaskProblem:
    """Penalty weights and the moves of the local search."""

    def __init__(self, data, s, lambda_1, lambda_2, lambda_z, common_support):
        self.data = data
        self.s = int(s)
        self.l1, self.l2, self.lz = float(lambda_1), float(lambda_2), float(lambda_z)
        self.common = bool(common_support)
        self.refit_swaps = True
        self._terms_cache = {}  # task -> (key, counts-free parts of its moves)

    # -- objective -------------------------------------------------------------------------
    def objective(self, B):
        d = self.data
        K = d.K
        value = 0.0
        for k in range(K):
            nz = np.flatnonzero(B[k])  # a sparse product: supports are small
            r = d.y[k] - d.X[k][:, nz] @ B[k, nz]
            value += r @ r / (2 * d.n[k]) + 0.5 * self.l1 * B[k] @ B[k]
        mean = B.mean(axis=0)
        value += 0.5 * self.l2 * np.sum((B - mean) ** 2)
        counts = np.count_nonzero(B, axis=0)
        value += 0.5 * self.lz * np.sum(counts * (K - counts)) / K
        return float(value)

    def _diag(self, k):
        K = self.data.K
        return self.data.q[k] / self.data.n[k] + self.l1 + self.l2 * (K - 1) / K

    # -- exact refit on fixed supports -----------------------------------------------------
    def refit_task(self, B, k):
        """Minimise F over task k's coefficients on its support (others fixed), in place."""
        d = self.data
        K = d.K
        S = np.flatnonzero(B[k])
        if S.size == 0:
            return
        others = B.sum(axis=0) - B[k]
        A = d.gram_block(k, S)
        A[np.diag_indices_from(A)] += self.l1 + self.l2 * (K - 1) / K
        rhs = d.Xty[k][S] / d.n[k] + self.l2 * others[S] / K
        try:
            sol = np.linalg.solve(A, rhs)
        except np.linalg.LinAlgError:
            sol = np.linalg.lstsq(A, rhs, rcond=None)[0]
        # keep the support: an exactly-zero refit value is replaced by a tiny one
        sol[sol == 0.0] = np.finfo(float).tiny
        B[k, S] = sol

    def refit(self, B):
        """Exact minimisation on fixed supports, in place.

        Without λ2 the tasks separate (one small normal-equation solve each); with λ2
        the coefficients of a feature are coupled across tasks, and the joint
        system over all (task, feature) pairs in the supports (at most K·s
        unknowns) is solved at once.
        """
        d = self.data
        if self.l2 == 0.0:
            for k in range(d.K):
                self.refit_task(B, k)
            return
        K = d.K
        pairs = [(k, j) for k in range(K) for j in np.flatnonzero(B[k])]
        if not pairs:
            return
        N = len(pairs)
        H = np.zeros((N, N))
        rhs = np.zeros(N)
        start = 0
        position = {}
        for k in range(K):
            S = np.flatnonzero(B[k])
            if S.size:
                block = slice(start, start + S.size)
                H[block, block] = d.gram_block(k, S)
                rhs[block] = d.Xty[k][S] / d.n[k]
                for q, j in enumerate(S):
                    position[(k, j)] = start + q
            start += S.size
        H[np.diag_indices(N)] += self.l1 + self.l2 * (K - 1) / K
        for (k, j), a in position.items():
            for l in range(K):
                b = position.get((l, j))
                if l != k and b is not None:
                    H[a, b] -= self.l2 / K
        try:
            sol = np.linalg.solve(H, rhs)
        except np.linalg.LinAlgError:
            sol = np.linalg.lstsq(H, rhs, rcond=None)[0]
        sol[sol == 0.0] = np.finfo(float).tiny
        for (k, j), a in position.items():
            B[k, j] = sol[a]

    # -- closed-form moves (one task, others fixed) ----------------------------------------
    def _entry_slope(self, B, k):
        """For task k: the slope x_j' r / n + λ2 S'_j / K a newcomer j meets, x' r, and S'."""
        d = self.data
        S = np.flatnonzero(B[k])
        corr = d.Xty[k] - d.n[k] * (B[k, S] @ d.gram_rows(k, S)) if S.size else d.Xty[k].copy()
        others = B.sum(axis=0) - B[k]
        return corr / d.n[k] + self.l2 * others / d.K, corr, others

    def _removal_change(self, B, k, S, corr, others):
        """Exact change of task k's loss, ridge and Bbar terms when β_ki (i in S) is zeroed."""
        d = self.data
        K = d.K
        bi = B[k, S]
        return ((2 * bi * corr[S] + bi ** 2 * d.q[k][S]) / (2 * d.n[k])
                - 0.5 * self.l1 * bi ** 2
                - 0.5 * self.l2 * ((1 - 1 / K) * bi ** 2 - 2 * bi * others[S] / K))

    def task_moves(self, B, k):
        """Best swap, addition and removal for task k: list of (ΔF, kind, i, j, b).

        Each move's change is a part that depends on task k's coefficients (and,
        through Bbar, on the other tasks') plus a Zbar part that depends only on the
        feature counts.  The first part is cached per task while its row (and,
        with Bbar, every row) is unchanged: after a move in one task the others'
        moves differ only by their Zbar parts, which are cheap.
        """
        terms = self._task_terms(B, k)
        d = self.data
        K = d.K
        S = terms["S"]
        counts = np.count_nonzero(B, axis=0)
        c_other = counts - (B[k] != 0)
        half = 0.5 * self.lz / K
        moves = []
        if S.size < self.s:  # addition of j (only below the cardinality)
            gain = terms["add"] + half * (K - 2 * c_other - 1)
            j = int(np.argmin(gain))
            moves.append((float(gain[j]), "add", -1, j, float(terms["add_value"][j])))
        if S.size == 0:
            return moves
        drop_z = terms["drop"] + half * (2 * counts[S] - K - 1)  # removal of i
        t = int(np.argmin(drop_z))
        moves.append((float(drop_z[t]), "drop", int(S[t]), -1, 0.0))
        # swap i -> j with one new coefficient
        gain = terms["swap"] + 2 * half * (counts[S][:, None] - c_other[None, :] - 1)
        a, j = np.unravel_index(int(np.argmin(gain)), gain.shape)
        moves.append((float(gain[a, j]), "swap", int(S[a]), int(j),
                      float(terms["swap_value"][a, j])))
        if self.refit_swaps:
            moves.append(self._refit_swap(terms, counts, d.p))
        return moves

    def _task_terms(self, B, k):
        """The counts-free parts of task k's moves (cached; see :meth:`task_moves`)."""
        key = B[k].tobytes() if self.l2 == 0.0 else B.tobytes()
        cached = self._terms_cache.get(k)
        if cached is not None and cached[0] == key:
            return cached[1]
        d = self.data
        beta = B[k]
        S = np.flatnonzero(beta)
        g0, corr, others = self._entry_slope(B, k)
        A = np.maximum(self._diag(k), 1e-300)
        in_task = np.zeros(d.p, dtype=bool)
        in_task[S] = True
        in_task[d.q[k] <= 0] = True  # a column that is zero in this task can never enter
        terms = {"S": S, "add": np.where(in_task, np.inf, -g0 ** 2 / (2 * A)),
                 "add_value": g0 / A}
        if S.size:
            drop = self._removal_change(B, k, S, corr, others)
            G = d.gram_rows(k, S)  # (|S|, p): x_i' x_j / n
            g = g0[None, :] + beta[S][:, None] * G
            swap = drop[:, None] - g ** 2 / (2 * A[None, :])
            swap[:, in_task] = np.inf
            terms.update(drop=drop, swap=swap, swap_value=g / A[None, :])
            if self.refit_swaps:
                terms.update(self._refit_swap_terms(B, k, S, G, others, in_task))
        self._terms_cache[k] = (key, terms)
        return terms

    def _refit_swap_terms(self, B, k, S, G, others, blocked):
        """Counts-free parts of the moves "drop i, refit the task, add j" for task k.

        Unlike the single-coefficient swap the remaining coefficients adjust before
        the newcomer is priced, which matters when selected features compensate for
        each other.  ``G`` is ``X_S' X / n`` on task k's support S.

        Task k's part of F on S (others fixed) is the quadratic
        ``-b'β + β'Aβ/2`` with ``A = X_S'X_S/n + (λ1 + λ2 (K-1)/K) I`` and
        ``b = X_S'y/n + λ2 S'_S/K``.  With ``β* = A⁻¹b`` its minimiser, the minimiser
        with ``β_i = 0`` is ``β* - A⁻¹e_i β*_i / (A⁻¹)_ii`` and its value is higher by
        ``β*_i² / (2 (A⁻¹)_ii)``: one inverse prices every drop at once, and one
        matrix product gives every newcomer's slope after every drop.
        """
        d = self.data
        K = d.K
        m = S.size
        n = d.n[k]
        A = G[:, S].copy()
        A[np.diag_indices(m)] += self.l1 + self.l2 * (K - 1) / K
        b = d.Xty[k][S] / n + self.l2 * others[S] / K
        try:
            A_inv = np.linalg.inv(A)
        except np.linalg.LinAlgError:
            return {}
        beta_star = A_inv @ b
        beta_now = B[k, S]
        value_now = -b @ beta_now + 0.5 * beta_now @ (A @ beta_now)
        pivots = np.diag(A_inv)
        # column i: the task's coefficients on S after dropping S[i] and refitting
        after = beta_star[:, None] - A_inv * (beta_star / pivots)[None, :]
        after[np.diag_indices(m)] = 0.0
        dropped = -0.5 * b @ beta_star + 0.5 * beta_star ** 2 / pivots - value_now
        # newcomer slopes (p x m): x_j'(y - X_S β_after)/n + λ2 S'_j / K
        slopes = (d.Xty[k] / n + self.l2 * others / K)[:, None] - G.T @ after
        diag = np.maximum(self._diag(k), 1e-300)
        gain = -slopes ** 2 / (2 * diag[:, None]) + dropped[None, :]
        gain[blocked, :] = np.inf
        return {"refit_gain": gain, "refit_after": after, "refit_value": slopes / diag[:, None]}

    def _refit_swap(self, terms, counts, p):
        """The best refit-swap with the current counts: (ΔF, "refit-swap", i, j, new row)."""
        best = (np.inf, "refit-swap", -1, -1, None)
        if "refit_gain" not in terms:
            return best
        K = self.data.K
        S = terms["S"]
        half = 0.5 * self.lz / K
        total = (terms["refit_gain"] + (half * (K - 2 * counts - 1))[:, None]
                 + (half * (2 * counts[S] - K - 1))[None, :])
        j, i = np.unravel_index(int(np.argmin(total)), total.shape)
        if not np.isfinite(total[j, i]):
            return best
        row = np.zeros(p)
        kept = terms["refit_after"][:, i].copy()
        kept[kept == 0.0] = np.finfo(float).tiny  # keep the support (entry i removed below)
        row[S] = kept
        row[S[i]] = 0.0
        value = terms["refit_value"][j, i]
        row[j] = value if value != 0 else np.finfo(float).tiny
        return (float(total[j, i]), "refit-swap", int(S[i]), int(j), row)

    def common_moves(self, B):
        """Best common swap / addition / removal (applied to every task at once).

        Candidates are ranked by the sum over tasks of the closed-form single-task
        changes (exact when λ2 = 0; the Zbar term is zero on a common support), and
        the few best are judged by the objective after an exact refit.
        """
        d = self.data
        K = d.K
        S = np.flatnonzero(np.any(B != 0, axis=0))
        base = self.objective(B)
        add_gain = np.zeros(d.p)
        swap_gain = np.zeros((S.size, d.p))
        drop_gain = np.zeros(S.size)
        for k in range(K):
            A = np.maximum(self._diag(k), 1e-300)
            g0, corr, others = self._entry_slope(B, k)
            add_gain -= g0 ** 2 / (2 * A)
            if S.size:
                drop = self._removal_change(B, k, S, corr, others)
                drop_gain += drop
                G = d.gram_rows(k, S)
                g = g0[None, :] + B[k, S][:, None] * G
                swap_gain += drop[:, None] - g ** 2 / (2 * A[None, :])
        add_gain[S] = np.inf
        if S.size:
            swap_gain[:, S] = np.inf
        candidates = []
        # drop i from every task, refit, then price each newcomer in closed form
        for i in S:
            trial = B.copy()
            trial[:, i] = 0.0
            self.refit(trial)
            gain = np.zeros(d.p)
            for k in range(K):
                g0, _, _ = self._entry_slope(trial, k)
                gain -= g0 ** 2 / (2 * np.maximum(self._diag(k), 1e-300))
            gain[S] = np.inf
            candidates.append(("swap", int(i), int(np.argmin(gain))))
        if S.size < self.s:
            for j in np.argsort(add_gain)[:3]:
                candidates.append(("add", -1, int(j)))
        if S.size:
            for flat in np.argsort(swap_gain, axis=None)[:5]:
                a, j = np.unravel_index(int(flat), swap_gain.shape)
                candidates.append(("swap", int(S[a]), int(j)))
            candidates.append(("drop", int(S[int(np.argmin(drop_gain))]), -1))
        best = (0.0, None)
        for kind, i, j in candidates:
            trial = B.copy()
            if i >= 0:
                trial[:, i] = 0.0
            if j >= 0:
                trial[:, j] = np.finfo(float).tiny
            self.refit(trial)
            delta = self.objective(trial) - base
            if delta < best[0]:
                best = (delta, trial)
        return best


@single_blas_thread
def local_search(problem, B, *, tol=1e-10, max_moves=10000):
    """Apply improving moves (best first, exact refit after each) until none improves.

    Returns the number of moves made.
    """
    n_moves = 0
    problem.refit(B)
    scale = max(1.0, abs(problem.objective(B)))
    while n_moves < max_moves:
        if problem.common:
            delta, trial = problem.common_moves(B)
            if trial is None or delta >= -tol * scale:
                return n_moves
            B[:] = trial
            n_moves += 1
            continue
        best = (0.0, None, None)
        for k in range(problem.data.K):
            for move in problem.task_moves(B, k):
                if move[0] < best[0]:
                    best = (move[0], k, move)
        if best[1] is None or best[0] >= -tol * scale:
            return n_moves
        _, k, (_, kind, i, j, b) = best
        if kind == "refit-swap":
            B[k] = b
        else:
            if i >= 0:
                B[k, i] = 0.0
            if j >= 0:
                B[k, j] = b if b != 0.0 else np.finfo(float).tiny
        if problem.l2 == 0.0:
            problem.refit_task(B, k)  # without Bbar the other tasks' optima are unchanged
        else:
            problem.refit(B)
        n_moves += 1
    return n_moves


def greedy_common_start(problem, B):
    """Forward selection of a common support of size s (summed closed-form gains, exact refits)."""
    d = problem.data
    while np.count_nonzero(np.any(B != 0, axis=0)) < min(problem.s, d.p):
        S = np.flatnonzero(np.any(B != 0, axis=0))
        scores = np.zeros(d.p)
        for k in range(d.K):
            r = d.y[k] - d.X[k] @ B[k]
            scores += (d.X[k].T @ r / d.n[k]) ** 2 / np.maximum(problem._diag(k), 1e-300)
        scores[S] = -np.inf
        j = int(np.argmax(scores))
        if not np.isfinite(scores[j]) or scores[j] <= 0:
            break
        B[:, j] = np.finfo(float).tiny
        problem.refit(B)
    return B


def greedy_task_start(problem, B):
    """Forward selection per task (best closed-form gain, exact refit after each addition)."""
    d = problem.data
    K = d.K
    for k in range(K):
        while np.count_nonzero(B[k]) < min(problem.s, d.p):
            g0, _, _ = problem._entry_slope(B, k)
            A = problem._diag(k)
            gain = np.where(A > 0, g0 ** 2 / (2 * np.maximum(A, 1e-300)), 0.0)
            gain[B[k] != 0] = -np.inf
            j = int(np.argmax(gain))
            if not gain[j] > 0:
                break
            B[k, j] = np.finfo(float).tiny
            problem.refit_task(B, k) if problem.l2 == 0 else problem.refit(B)
    return B


@single_blas_thread
def multi_start(problem, *, max_moves=10000):
    """Local search from a greedy common support and from per-task greedy supports; the best wins.

    Returns (B, moves).
    """
    best, best_value, moves = None, np.inf, 0
    starts = [greedy_common_start] if problem.common else [greedy_common_start, greedy_task_start]
    for start in starts:
        B = np.zeros((problem.data.K, problem.data.p))
        start(problem, B)
        moves += local_search(problem, B, max_moves=max_moves)
        value = problem.objective(B)
        if value < best_value:
            best, best_value = B, value
    return best, moves
