"""Solve the perspective MIP of L0L2 regression with SCIP (pyscipopt).

Usage: python peer_scip.py DATA.npz CONFIG.json OUT.json
min t + lambda_0 sum z + lambda_2 sum s  s.t.  t >= 0.5 ||e||^2, e = yn - Xn b,
b_j^2 <= s_j z_j, |b_j| <= M z_j, z binary, M = sqrt(0.5 ||yn||^2 / lambda_2).
"""

import json
import sys
import time

import numpy as np


def main(data, config, out):
    from pyscipopt import Model, quicksum
    cfg = json.load(open(config))
    d = np.load(data)
    X, y = d["Xn"], d["yn"]
    n, p = X.shape
    lam0, lam2 = cfg["lambda_0"], cfg["lambda_2"]
    big_m = float(np.sqrt(0.5 * y @ y / lam2))
    t0 = time.perf_counter()
    m = Model()
    m.hideOutput()
    b = [m.addVar(lb=-big_m, ub=big_m) for _ in range(p)]
    z = [m.addVar(vtype="B") for _ in range(p)]
    s = [m.addVar(lb=0.0) for _ in range(p)]
    e = [m.addVar(lb=None) for _ in range(n)]
    t = m.addVar(lb=0.0)
    for i in range(n):
        m.addCons(e[i] == y[i] - quicksum(X[i, j] * b[j] for j in range(p) if X[i, j] != 0))
    m.addCons(t >= 0.5 * quicksum(e[i] * e[i] for i in range(n)))
    for j in range(p):
        m.addCons(b[j] * b[j] <= s[j] * z[j])
        m.addCons(b[j] <= big_m * z[j])
        m.addCons(-b[j] <= big_m * z[j])
    m.setObjective(t + lam0 * quicksum(z) + lam2 * quicksum(s), "minimize")
    m.setParam("limits/gap", cfg["gap_tol"])
    m.setParam("limits/time", cfg["time_limit"])
    m.optimize()
    elapsed = time.perf_counter() - t0
    json.dump(dict(time=elapsed, objective=float(m.getObjVal()) if m.getNSols() else None,
                   bound=float(m.getDualbound()), gap=float(m.getGap()),
                   nodes=int(m.getNNodes()), status=m.getStatus()), open(out, "w"))


if __name__ == "__main__":
    main(*sys.argv[1:4])
