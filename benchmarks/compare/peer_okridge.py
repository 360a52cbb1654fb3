"""Run OKRidge (PyPI ``okridge``, numpy < 2) in the exact-peer environment.

Usage: python peer_okridge.py DATA.npz CONFIG.json OUT.json
Solves ``min ||y - X b||^2 + lambda2 ||b||^2  s.t. ||b||_0 <= k`` on the arrays ``X``
and ``y`` of DATA.npz (OKRidge's own objective and gap), and reports the time, gap,
its lower bound and the support.
"""

import contextlib
import io
import json
import sys
import time

import numpy as np


def main(data, config, out):
    cfg = json.load(open(config))
    d = np.load(data)
    from okridge.tree import BNBTree
    t = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # it prints its progress
        tree = BNBTree(X=d["X"], y=d["y"], lambda2=cfg["lambda2"], gap_tol=cfg["gap_tol"])
        setup = time.perf_counter() - t
        cost, beta, gap, lower, run_time = tree.solve(k=cfg["k"], gap_tol=cfg["gap_tol"],
                                                     time_limit=cfg["time_limit"])
    elapsed = time.perf_counter() - t
    json.dump(dict(time=elapsed, setup_time=setup, cost=float(cost), gap=float(gap),
                   lower_bound=float(lower), support=np.flatnonzero(beta).tolist(),
                   beta=np.asarray(beta).tolist()), open(out, "w"))


if __name__ == "__main__":
    main(*sys.argv[1:4])
