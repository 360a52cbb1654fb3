"""Solve the big-M MIP of L0L2 regression with Gurobi (size-limited pip licence).

Usage: python peer_gurobi.py DATA.npz CONFIG.json OUT.json
Data: normalised Xn, yn.  Model: min 0.5||yn - Xn b||^2 + lambda_0 sum z + lambda_2 ||b||^2,
-M z <= b <= M z, z binary, with the valid M = sqrt(0.5 ||yn||^2 / lambda_2).
"""

import json
import sys
import time

import numpy as np


def main(data, config, out):
    import gurobipy as gp
    cfg = json.load(open(config))
    d = np.load(data)
    X, y = d["Xn"], d["yn"]
    p = X.shape[1]
    lam0, lam2 = cfg["lambda_0"], cfg["lambda_2"]
    big_m = float(np.sqrt(0.5 * y @ y / lam2))
    Q = 0.5 * X.T @ X + lam2 * np.eye(p)
    c = -X.T @ y
    t = time.perf_counter()
    env = gp.Env(empty=True)
    env.setParam("OutputFlag", 0)
    env.start()
    m = gp.Model(env=env)
    b = m.addMVar(p, lb=-big_m, ub=big_m)
    z = m.addMVar(p, vtype=gp.GRB.BINARY)
    m.addConstr(b <= big_m * z)
    m.addConstr(-b <= big_m * z)
    m.setObjective(b @ Q @ b + c @ b + 0.5 * y @ y + lam0 * z.sum(), gp.GRB.MINIMIZE)
    m.Params.MIPGap = cfg["gap_tol"]
    m.Params.TimeLimit = cfg["time_limit"]
    m.Params.Threads = 2
    m.optimize()
    elapsed = time.perf_counter() - t
    json.dump(dict(time=elapsed, objective=float(m.ObjVal), bound=float(m.ObjBound),
                   gap=float(m.MIPGap), nodes=int(m.NodeCount), status=int(m.Status),
                   beta=np.asarray(b.X).tolist(), M=big_m), open(out, "w"))


if __name__ == "__main__":
    main(*sys.argv[1:4])
