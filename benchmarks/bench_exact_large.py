"""Certified L0L2 at p = 10^4: n = 1000, k = 10, SNR 5, lambda_2 = 0.01, 10-minute limit.

    python benchmarks/bench_exact_large.py [--p 10000] [--time-limit 600]
"""

import argparse
import time

import numpy as np


def main():
    from l0learn import L0Regressor, l0_path
    from l0learn.datasets import make_sparse_regression

    ap = argparse.ArgumentParser()
    ap.add_argument("--p", type=int, default=10000)
    ap.add_argument("--lambda-2", type=float, default=0.01)
    ap.add_argument("--time-limit", type=float, default=600.0)
    args = ap.parse_args()
    X, y, coef = make_sparse_regression(1000, args.p, 10, snr=5.0, seed=1)
    path = l0_path(X, y, penalty="L0L2", gamma=args.lambda_2, algorithm="CDPSI",
                   max_support_size=10)
    lam0 = float(path.lambda_0[np.argmin(np.abs(path.support_size - 10))])
    t = time.perf_counter()
    m = L0Regressor("L0L2", lam0, args.lambda_2, algorithm="BnB", gap_tol=1e-4,
                    time_limit=args.time_limit).fit(X, y)
    print(f"n=1000 p={args.p} lambda_0={lam0:.6f} lambda_2={args.lambda_2}: "
          f"{time.perf_counter() - t:.1f} s, status {m.status_}, gap {m.gap_:.2e}, "
          f"nodes {m.n_nodes_}, nonzeros {m.support_.size}, true support found "
          f"{set(m.support_) == set(np.flatnonzero(coef))}, certified M {m.big_m_:.3g}")


if __name__ == "__main__":
    main()
