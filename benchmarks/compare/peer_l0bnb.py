"""Run L0BnB 1.0.0 in the peer environment (numpy < 2).

Usage: python peer_l0bnb.py DATA.npz CONFIG.json OUT.json
``single``: BNBTree(Xn, yn).solve(lambda_0, lambda_2, M, gap_tol) on the normalised data.
``path``: fit_path(X, y, lambda_2, max_nonzeros, gap_tol, normalize, intercept) on the
raw data; objectives on the scale it solved.
"""

import json
import sys
import time

import numpy as np


def main(data, config, out):
    cfg = json.load(open(config))
    d = np.load(data)
    from l0bnb import BNBTree, fit_path
    # Compile L0BnB's numba kernels before timing (reported separately by the caller).
    t = time.perf_counter()
    BNBTree(np.asfortranarray(d["Xn"][:, :50]), d["yn"]).solve(0.05, 0.01, 1.0, gap_tol=1e-2)
    compile_time = time.perf_counter() - t
    if cfg["mode"] == "single":
        tree = BNBTree(np.asfortranarray(d["Xn"]), d["yn"])
        t = time.perf_counter()
        sol = tree.solve(cfg["lambda_0"], cfg["lambda_2"], cfg["M"], gap_tol=cfg["gap_tol"],
                         time_limit=cfg.get("time_limit", 3600))
        elapsed = time.perf_counter() - t
        res = dict(time=elapsed, objective=float(sol.cost), gap=float(sol.gap),
                   nodes=int(tree.number_of_nodes), beta=np.asarray(sol.beta).tolist())
    else:
        t = time.perf_counter()
        X, y = np.asfortranarray(d["X"]), d["y"]
        sols = fit_path(X, y, lambda_2=cfg["lambda_2"],
                        max_nonzeros=cfg["max_nonzeros"], gap_tol=cfg["gap_tol"],
                        time_limit=cfg.get("time_limit", 86400),
                        normalize=cfg.get("normalize", True),
                        intercept=cfg.get("intercept", True))
        elapsed = time.perf_counter() - t
        objective = []
        for s in sols:  # on the scale fit_path solved (meaningful with normalize=False)
            r = y - X @ s["B"] - s["B0"]
            objective.append(float(0.5 * r @ r + s["lambda_0"] * np.count_nonzero(s["B"])
                                   + cfg["lambda_2"] * s["B"] @ s["B"]))
        res = dict(time=elapsed, lambda_0=[float(s["lambda_0"]) for s in sols],
                   M=[float(s["M"]) for s in sols], objective=objective,
                   nnz=[int(np.count_nonzero(s["B"])) for s in sols])
    res["warmup_time"] = compile_time
    json.dump(res, open(out, "w"))


if __name__ == "__main__":
    main(*sys.argv[1:4])
