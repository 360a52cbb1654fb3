"""How much a diagonal-aware relaxation would tighten GraphL0BnB's root bound (cvxpy study).

    python benchmarks/graph_relaxation_study.py [--instances 0 1 2]

Not used by the package: it measures, with cvxpy (Clarabel), the root bound of
stronger convex relaxations that the node solver does not implement yet, against
the perspective relaxation it does implement.

With ``delta = lambda_min(S)``, ``theta_i' S theta_i / theta_ii = theta_i' (S - delta I) theta_i /
theta_ii + delta theta_ii + delta sum_{j != i} theta_ij^2 / theta_ii``.  Every optimal
solution has its diagonal at the closed-form minimiser, so ``theta_ii >= L_i = 1 / S_ii``.
The convex hull of ``{z = 1, s >= delta theta^2 / t, t >= L} U {z = 0, theta = 0, t >= L}``
gives the valid term ``delta theta_ij^2 / (theta_ii - (1 - z_ij) L_i)`` (exact at z = 1);
with an upper bound ``theta_ii <= T_i`` the denominator is ``min(z T_i, theta_ii - (1 - z) L_i)``.
Rows: "perspective" (what the tree uses), "hull, L only" (needs no incumbent), "hull, T =
k x incumbent diagonal" (T illustrative, not certified), "separable T = k x" (the
denominator ``z T_i`` alone, which is what fits the existing closed-form CD).
"""

import argparse
import time

import numpy as np

from l0learn.covariance._solver import primal_solve
from l0learn.datasets import make_graphical_model

INSTANCES = [  # (p, n, design, cond, lambda_0, lambda_2, box "all" = max|Theta|)
    (20, 200, "uniform", 2.0, 0.05, 0.05),
    (20, 200, "banded", 2.0, 0.05, 0.05),
    (50, 200, "banded", 10.0, 0.04, 0.1),
]


def root_bound(Y, lam0, lam2, big_m, *, delta=0.0, lower=None, upper=None, separable=False):
    import cvxpy as cp

    p = Y.shape[1]
    S = Y.T @ Y
    C = np.linalg.cholesky(S - delta * np.eye(p) + 1e-12 * np.eye(p)).T
    pairs = list(zip(*np.triu_indices(p, 1)))
    d = cp.Variable(p)
    t = {pr: cp.Variable() for pr in pairs}
    cols = [cp.hstack([d[i] if k == i else t[(min(i, k), max(i, k))] for k in range(p)])
            for i in range(p)]
    objective = sum(cp.quad_over_lin(C @ cols[i], d[i]) - cp.log(d[i]) + delta * d[i]
                    for i in range(p))
    constraints = [] if lower is None else [d >= lower]
    if upper is not None:
        constraints.append(d <= upper)  # the assumption behind T (and a numerical guard)
    for (i, j) in pairs:
        z, s = cp.Variable(), cp.Variable(nonneg=True)
        constraints += [z >= 0, z <= 1, cp.quad_over_lin(t[(i, j)], z) <= s,
                        cp.abs(t[(i, j)]) <= big_m * z]
        objective += lam0 * z + lam2 * s
        for a in (i, j):
            if delta == 0.0:
                continue
            u = cp.Variable()
            if separable:
                constraints.append(u <= z * upper[a])
            else:
                constraints.append(u <= d[a] - (1 - z) * lower[a])
                if upper is not None:
                    constraints.append(u <= z * upper[a])
            objective += delta * cp.quad_over_lin(t[(i, j)], u)
    problem = cp.Problem(cp.Minimize(objective), constraints)
    problem.solve(solver="CLARABEL")
    return problem.value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, nargs="+", default=list(range(len(INSTANCES))))
    args = parser.parse_args()
    for k in args.instances:
        p, n, design, cond, lam0, lam2 = INSTANCES[k]
        X, theta = make_graphical_model(n, p, design=design, cond=cond, seed=0)
        Y = (X - X.mean(0)) / np.sqrt(n)
        S = Y.T @ Y
        big_m = float(np.abs(theta).max())
        incumbent = primal_solve(S, lam0, lam2, big_m)
        U = incumbent.objective
        # 0.999 lambda_min keeps S - delta I safely positive definite for the conic solver.
        delta = np.linalg.eigvalsh(S)[0] * 0.999
        low = 1.0 / np.diag(S)
        diag = np.diag(incumbent.state.theta)
        print(f"p={p} n={n} {design} cond={cond:g} l0={lam0:g} l2={lam2:g} M={big_m:.4f}: "
              f"incumbent {U:.5f}, delta = lambda_min(S) = {delta:.4f}")
        # "L only": T = 1e6 x the diagonal, a numerical guard for Clarabel (which fails
        # without any upper bound on the denominator), not a restriction in practice.
        rows = [("perspective", {}),
                ("hull, L only", dict(delta=delta, lower=low, upper=1e6 * diag))]
        for factor in (1.2, 2.0, 5.0):
            rows.append((f"hull, T = {factor:g} x diag", dict(delta=delta, lower=low,
                                                                upper=factor * diag)))
            rows.append((f"separable, T = {factor:g} x diag",
                         dict(delta=delta, upper=factor * diag, separable=True)))
        for name, kw in rows:
            start = time.perf_counter()
            try:
                bound = root_bound(Y, lam0, lam2, big_m, **kw)
            except Exception as exc:  # a conic solver failure is a result worth printing
                print(f"  {name:<28} solver failed: {exc}")
                continue
            print(f"  {name:<28} root bound {bound:10.5f}  gap {(U - bound) / max(abs(U), 1):7.2%}"
                  f"  ({time.perf_counter() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
