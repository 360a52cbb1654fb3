"""How much a lifted (Shor) SDP relaxation would tighten exact L0L2 root bounds (cvxpy study).

    python benchmarks/exact_relaxation_study.py [--instances 8] [--seed 0]

Not used by the package: it measures, with cvxpy (Clarabel), the root bound of a
relaxation that the node solver does not implement, against the perspective
relaxation it does implement, on small designs with more and with fewer features
than samples.  Problem (unit-norm columns)::

    min 0.5 ||y - X b||^2 + lambda_0 ||b||_0 + lambda_2 ||b||^2.

"perspective": ``0.5 ||y - X b||^2 + sum_j lambda_0 z_j + lambda_2 b_j^2 / z_j``, z in
[0, 1] (what every node solves; with p >= n + 2 no eigenvalue shift strengthens it).
"Shor": the loss lifted to ``0.5 (y'y - 2 y'X b + <X'X, B>)`` with
``[[1, b'], [b, B]]`` positive semidefinite, the ridge as ``lambda_2 trace(B)`` and
``b_j^2 <= z_j B_jj`` (valid: ``B = b b'`` and ``z_j = 1`` wherever ``b_j != 0``).
"optimum": enumeration of every support (the instances are small enough).
The last column is the share of the perspective root gap that the SDP closes.
"""

import argparse
import time
from itertools import combinations

import numpy as np

SHAPES = [(6, 12), (10, 14), (10, 20), (20, 12)]  # (n, p): three wide, one tall


def perspective_bound(X, y, lam0, lam2):
    import cvxpy as cp
    p = X.shape[1]
    b, z, t = cp.Variable(p), cp.Variable(p), cp.Variable(p)
    cons = [z >= 0, z <= 1] + [cp.quad_over_lin(b[j], z[j]) <= t[j] for j in range(p)]
    objective = 0.5 * cp.sum_squares(y - X @ b) + lam0 * cp.sum(z) + lam2 * cp.sum(t)
    problem = cp.Problem(cp.Minimize(objective), cons)
    problem.solve(solver="CLARABEL")
    return problem.value


def shor_bound(X, y, lam0, lam2):
    import cvxpy as cp
    p = X.shape[1]
    lifted = cp.Variable((p + 1, p + 1), PSD=True)
    b, B = lifted[0, 1:], lifted[1:, 1:]
    z = cp.Variable(p)
    cons = [lifted[0, 0] == 1, z >= 0, z <= 1]
    cons += [cp.quad_over_lin(b[j], z[j]) <= B[j, j] for j in range(p)]  # b_j^2 <= z_j B_jj
    objective = (0.5 * (y @ y - 2 * (X.T @ y) @ b + cp.trace(X.T @ X @ B))
                 + lam0 * cp.sum(z) + lam2 * cp.trace(B))
    problem = cp.Problem(cp.Minimize(objective), cons)
    problem.solve(solver="CLARABEL")
    return problem.value


def optimum(X, y, lam0, lam2):
    p = X.shape[1]
    best = 0.5 * y @ y
    for k in range(1, p + 1):
        if lam0 * k >= best:  # no larger support can do better
            break
        for support in combinations(range(p), k):
            A = X[:, support]
            coef = np.linalg.solve(A.T @ A + 2 * lam2 * np.eye(k), A.T @ y)
            best = min(best, 0.5 * np.sum((y - A @ coef) ** 2) + lam0 * k + lam2 * coef @ coef)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=8, help="instances per shape")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    lam0, lam2 = 0.02, 0.01
    print(f"lambda_0 = {lam0}, lambda_2 = {lam2}, three true features, noise sd 0.1")
    for n, p in SHAPES:
        closed, seconds = [], []
        for _ in range(args.instances):
            X = rng.standard_normal((n, p))
            X /= np.linalg.norm(X, axis=0)
            coef = np.zeros(p)
            coef[rng.choice(p, 3, replace=False)] = rng.choice([-1, 1], 3) * rng.uniform(0.5, 1.5, 3)
            y = X @ coef + 0.1 * rng.standard_normal(n)
            start = time.perf_counter()
            persp = perspective_bound(X, y, lam0, lam2)
            middle = time.perf_counter()
            shor = shor_bound(X, y, lam0, lam2)
            seconds.append((middle - start, time.perf_counter() - middle))
            best = optimum(X, y, lam0, lam2)
            gap = best - persp
            closed.append((shor - persp) / gap if gap > 1e-9 else 1.0)
        closed = np.array(closed)
        t_persp, t_shor = np.mean(seconds, axis=0)
        print(f"n={n:3d} p={p:3d}: share of the perspective root gap the SDP closes: "
              f"median {np.median(closed):6.1%}, range {closed.min():6.1%} .. {closed.max():6.1%}"
              f"  (cvxpy: {t_persp:.2f} s perspective, {t_shor:.2f} s SDP)", flush=True)


if __name__ == "__main__":
    main()
