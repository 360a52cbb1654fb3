"""The exact solvers on a quiet machine and next to a busy process.

    python benchmarks/bench_busy_exact.py [--repeat 3]

Three certified fits, each timed (median of ``--repeat``, warm caches) quiet and while
one other process spins a core (``bench_contention.Busy``):

* ``L0Regressor("L0L2", algorithm="BnB")`` at one point of L0BnB's grid (n = 500,
  p = 1000, gamma = 0.01, lambda_0 = 0.0261117, gap 1e-4, no box);
* ``GraphL0BnB(algorithm="BnB")``, p = 200, n = 400, uniform design, lambda_2 = 0.3,
  ``max_nodes=20`` (a fixed amount of work);
* ``MultiTaskL0Regressor(algorithm="BnB")`` on sMTL's demo (seed 1, lambda_z = 0.1,
  s = 5, to 1e-4).

The solvers' BLAS calls are small matrix-vector products: with OpenBLAS's default of
one thread per core, a second busy process turns each into spin-waiting.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_contention import Busy  # noqa: E402
from bench_multitask_exact import smtl_demo  # noqa: E402

from l0learn import GraphL0BnB, L0Regressor, MultiTaskL0Regressor  # noqa: E402
from l0learn.datasets import make_graphical_model, make_sparse_regression  # noqa: E402


def cases():
    X, y, _ = make_sparse_regression(500, 1000, 10, snr=5.0, seed=1)
    Xg, _ = make_graphical_model(400, 200, design="uniform", cond=10.0, seed=0)
    Xs, ys, _ = smtl_demo(1)
    return {
        "L0Regressor BnB, p = 1000": lambda: L0Regressor(
            "L0L2", lambda_0=0.0261117, gamma=0.01, algorithm="BnB", gap_tol=1e-4,
            time_limit=600).fit(X, y),
        "GraphL0BnB BnB, p = 200, 20 nodes": lambda: GraphL0BnB(
            0.04, lambda_2=0.3, algorithm="BnB", max_nodes=20, time_limit=600).fit(Xg),
        "MultiTaskL0Regressor BnB, sMTL demo": lambda: MultiTaskL0Regressor(
            5, lambda_1=1e-6, lambda_z=0.1, scale=False, algorithm="BnB",
            time_limit=600).fit(Xs, ys),
    }


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    warnings.simplefilter("ignore")  # open gaps at the node limit warn
    print(f"{'fit':<38} {'quiet s':>8} {'busy s':>8} {'busy/quiet':>10}")
    for name, fn in cases().items():
        fn()  # compile / load the caches
        quiet = median_time(fn, args.repeat)
        with Busy():
            busy = median_time(fn, args.repeat)
        print(f"{name:<38} {quiet:>8.2f} {busy:>8.2f} {busy / quiet:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
