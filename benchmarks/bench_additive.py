"""FAST vs EBM (interpret) and pyGAM on the additive design of the methods note (§5).

Usage:
    python benchmarks/bench_additive.py --peer-python /path/to/venv/bin/python
        [--skip-ebm-default] [--scaling 100000,1000000]

Data: X ~ U(-1, 1)^(n x 10), five active shapes (steps, sine, square, staircase),
SNR 5; train n = 20000 (seed 0), test n = 20000 (seed 1); the best achievable test
MSE is the noise variance 0.3663.  Ours: median of 3 warm runs (numba compile
measured separately in fresh processes); peers: one run each in a subprocess of
their own environment, with their CPU time (n_jobs = 1).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from l0learn import FASTRegressor, FASTRegressorCV
from l0learn.datasets import make_additive_regression

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(make, X, y, repeats=3):
    make().fit(X[:200], y[:200])  # compile / load the cache outside the timing
    times, model = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        model = make().fit(X, y)
        times.append(time.perf_counter() - t)
    return float(np.median(times)), model


def first_fit_in_new_process(cache_dir):
    code = ("import time; t=time.perf_counter(); import l0learn; t1=time.perf_counter();"
            "from l0learn.datasets import make_additive_regression as m;"
            "X,y,_,_=m(20000, random_state=0); t2=time.perf_counter();"
            "l0learn.FASTRegressor(lambda_fusion=1e-3).fit(X,y);"
            "print(t1-t, time.perf_counter()-t2)")
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), float(out[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python", default=None)
    ap.add_argument("--skip-ebm-default", action="store_true")
    ap.add_argument("--scaling", default="100000,1000000")
    args = ap.parse_args()

    X, y, _, noise = make_additive_regression(20000, random_state=0)
    Xt, yt, _, _ = make_additive_regression(20000, random_state=1)
    print(f"n=20000 train / 20000 test, p=10; best achievable test MSE {noise:.4f}")

    with tempfile.TemporaryDirectory() as cache:
        cold = first_fit_in_new_process(cache)
        warm = first_fit_in_new_process(cache)
    print(f"compile: import {cold[0]:.2f} s, first fit with an empty numba cache {cold[1]:.2f} s; "
          f"warm cache in a new process: import {warm[0]:.2f} s, first fit {warm[1]:.2f} s")

    rows = []
    t_cv, cv = timed(lambda: FASTRegressorCV(n_lambdas=20, cv=5), X, y, repeats=1)
    lam = cv.lambda_fusion_
    rows.append(("FASTRegressorCV (5 folds x 20 lambdas + refit)", t_cv, cv))
    rows.append(("FASTRegressor at the CV lambda", *timed(lambda: FASTRegressor(lambda_fusion=lam),
                                                          X, y)))
    rows.append(("  block_selection='greedy'", *timed(
        lambda: FASTRegressor(lambda_fusion=lam, block_selection="greedy"), X, y)))
    rows.append(("  + lambda_group=1e-3 (group l0)", *timed(
        lambda: FASTRegressor(lambda_fusion=lam, lambda_group=1e-3), X, y)))
    rows.append(("  + max_features=5 (greedy + swaps)", *timed(
        lambda: FASTRegressor(lambda_fusion=lam, max_features=5), X, y)))
    rows.append(("  fusion='l0', lambda_fusion=1e-3", *timed(
        lambda: FASTRegressor(lambda_fusion=1e-3, fusion="l0"), X, y)))
    print(f"\nCV-selected lambda_fusion = {lam:.4g}")
    print(f"{'ours':52s} {'time s':>8s} {'test MSE':>9s} {'shapes':>6s} {'iters':>5s}")
    ours_single = rows[1][1]
    ours_mse = float(np.mean((rows[1][2].predict(Xt) - yt) ** 2))
    for name, t, model in rows:
        mse = float(np.mean((model.predict(Xt) - yt) ** 2))
        print(f"{name:52s} {t:8.3f} {mse:9.5f} {len(model.active_features_):6d} "
              f"{model.n_iter_:5d}")

    if args.peer_python:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "data.npz")
            np.savez(path, X=X, y=y, Xt=Xt, yt=yt)
            peers = ["ebm_mains", "pygam"] + ([] if args.skip_ebm_default else ["ebm_default"])
            print(f"\n{'peer':14s} {'wall s':>8s} {'CPU s':>8s} {'test MSE':>9s} "
                  f"{'CPU / ours (single fit)':>24s} {'/ ours (CV)':>12s}")
            for peer in peers:
                res = subprocess.run([args.peer_python, os.path.join(HERE, "compare",
                                                                     "peer_additive.py"),
                                      path, peer], capture_output=True, text=True)
                if res.returncode != 0:
                    print(f"{peer}: failed\n{res.stderr[-2000:]}")
                    continue
                r = json.loads(res.stdout.strip().splitlines()[-1])
                print(f"{peer:14s} {r['wall']:8.2f} {r['cpu']:8.2f} {r['test_mse']:9.5f} "
                      f"{r['cpu'] / ours_single:23.0f}x {r['cpu'] / t_cv:11.1f}x")
        print(f"ours (single fit at the CV lambda): {ours_single:.3f} s, test MSE {ours_mse:.5f}")

    sizes = [int(s) for s in args.scaling.split(",") if s]
    if sizes:
        print(f"\nscaling (lambda_fusion={lam:.4g}, max_bins=256)")
        print(f"{'n':>9s} {'encode+fit s':>12s} {'iters':>5s} {'test MSE':>9s}")
    for n in sizes:
        Xn, yn, _, _ = make_additive_regression(n, random_state=10)
        t, model = timed(lambda: FASTRegressor(lambda_fusion=lam), Xn, yn, repeats=1)
        mse = float(np.mean((model.predict(Xt) - yt) ** 2))
        print(f"{n:9d} {t:12.2f} {model.n_iter_:5d} {mse:9.5f}")


if __name__ == "__main__":
    main()
