"""CONCORD-ISTA (pyconcord) on a saved data set; run from the peer environment.

    python peer_concord.py X.npy out.json 0.05 0.1 0.2

Writes, per lambda_1, the fit time (median of 3) and the estimated precision's
upper-triangle support and values (only nonzeros).
"""

import json
import sys
import time

import numpy as np
from pyconcord import concord


def main():
    X = np.ascontiguousarray(np.load(sys.argv[1]))
    out = []
    for lam in map(float, sys.argv[3:]):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            omega = concord(X, lambda1=lam, maxitr=500)
            times.append(time.perf_counter() - start)
        dense = omega.toarray()
        rows, cols = np.nonzero(np.triu(dense, 1))
        out.append(dict(lambda_1=lam, time=float(np.median(times)), rows=rows.tolist(),
                        cols=cols.tolist(), values=dense[rows, cols].tolist(),
                        diag=np.diag(dense).tolist()))
    with open(sys.argv[2], "w") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main()
