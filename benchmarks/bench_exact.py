"""Exact L0L2 regression: ours vs L0BnB 1.0.0 on the same data, in one run.

    python benchmarks/bench_exact.py [--peer-python PATH] [--skip-path]

Data: n=500, p=1000, k=10, SNR 5 (``l0learn.datasets.make_sparse_regression``, seed 1,
the methods note's design), lambda_2 = 0.01 on the normalised scale.
* single solve at lambda_0 = 0.0261117 (10 nonzeros), gap_tol 1e-4: L0BnB with its
  path's M = 0.384; ours with the same box (same relaxation, like for like) and with
  the certified big-M (certificate for the unconstrained problem);
* full path (L0BnB's fit_path, max_nonzeros=10, gap_tol 1e-2) and ours on L0BnB's
  lambda_0 grid, once with L0BnB's M at each point (like for like) and once with the
  certified big-M under a per-point time limit.
Objectives are compared with one evaluator on the normalised scale.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
LAMBDA_0, LAMBDA_2, L0BNB_M = 0.0261117, 0.01, 0.384


def run_peer(peer_python, data, cfg):
    with tempfile.TemporaryDirectory() as tmp:
        c, o = Path(tmp) / "c.json", Path(tmp) / "o.json"
        c.write_text(json.dumps(cfg))
        proc = subprocess.run([str(peer_python), str(HERE / "compare" / "peer_l0bnb.py"),
                               str(data), str(c), str(o)], cwd=HERE / "compare",
                              capture_output=True, text=True)
        if proc.returncode:
            print(proc.stderr[-2000:], file=sys.stderr)
            return None
        return json.loads(o.read_text())


def main():
    import l0learn
    from l0learn import L0Regressor, l0_path
    from l0learn.datasets import make_sparse_regression
    from l0learn.utils._testing import normalise

    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python", default=str(HERE / ".venv-peer" / "bin" / "python"))
    ap.add_argument("--skip-path", action="store_true")
    ap.add_argument("--time-limit", type=float, default=30.0,
                    help="seconds per point for the certified path")
    args = ap.parse_args()
    X, y, _ = make_sparse_regression(500, 1000, 10, snr=5.0, seed=1)
    Xn, yn, _, _ = normalise(X, y)

    def objective(b, lam0):
        r = yn - Xn @ b
        return 0.5 * r @ r + lam0 * np.count_nonzero(b) + LAMBDA_2 * b @ b

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "d.npz"
        np.savez(data, X=X, y=y, Xn=Xn, yn=yn)
        import warnings
        with warnings.catch_warnings():  # compile our kernels before timing
            warnings.simplefilter("ignore")
            L0Regressor("L0L2", LAMBDA_0, LAMBDA_2, algorithm="BnB", max_nodes=2).fit(X[:, :30], y)
        print(f"single solve, lambda_0={LAMBDA_0}, lambda_2={LAMBDA_2}, gap_tol 1e-4")
        print(f"{'solver':<34}{'time s':>9}{'nodes':>8}{'objective':>14}{'gap':>10}")
        peer = run_peer(args.peer_python, data, dict(mode="single", lambda_0=LAMBDA_0,
                                                     lambda_2=LAMBDA_2, M=L0BNB_M,
                                                     gap_tol=1e-4))
        if peer is not None:
            f_peer = objective(np.asarray(peer["beta"]), LAMBDA_0)
            print(f"{'L0BnB (M=0.384, heuristic)':<34}{peer['time']:9.2f}{peer['nodes']:8d}"
                  f"{f_peer:14.8f}{peer['gap']:10.2e}   (after {peer['warmup_time']:.1f} s "
                  "of warm-up/compile)")
        for label, big_m in (("ours (M=0.384, same relaxation)", L0BNB_M),
                             ("ours (certified M)", None)):
            t = time.perf_counter()
            m = L0Regressor("L0L2", LAMBDA_0, LAMBDA_2, algorithm="BnB", big_m=big_m,
                            gap_tol=1e-4).fit(X, y)
            elapsed = time.perf_counter() - t
            print(f"{label:<34}{elapsed:9.2f}{m.n_nodes_:8d}{m.objective_:14.8f}"
                  f"{m.gap_:10.2e}   (M used {m.big_m_:.3g}; "
                  f"ratio vs L0BnB {elapsed / peer['time']:.3f})" if peer else "")
        if args.skip_path:
            return
        print("\npath: L0BnB fit_path(lambda_2=0.01, max_nonzeros=10, gap_tol=1e-2)")
        peer = run_peer(args.peer_python, data, dict(mode="path", lambda_2=LAMBDA_2,
                                                     max_nonzeros=10, gap_tol=1e-2))
        if peer is None:
            return
        print(f"L0BnB: {peer['time']:.1f} s, lambda_0 {np.round(peer['lambda_0'], 6).tolist()}, "
              f"nnz {peer['nnz']}, M {np.round(peer['M'], 3).tolist()}")
        # Like for like: each point with L0BnB's own M (same relaxation), same gap_tol.
        t = time.perf_counter()
        rows = []
        for lam0, big_m in zip(peer["lambda_0"], peer["M"]):
            m = L0Regressor("L0L2", lam0, LAMBDA_2, algorithm="BnB", big_m=big_m,
                            gap_tol=1e-2).fit(X, y)
            rows.append((m.support_.size, m.n_nodes_, m.gap_))
        elapsed = time.perf_counter() - t
        print(f"ours (L0BnB's M per point): {elapsed:.1f} s (ratio {elapsed / peer['time']:.3f}), "
              f"nnz {[r[0] for r in rows]}, nodes {[r[1] for r in rows]}, "
              f"max gap {max(r[2] for r in rows):.2e}")
        # Certified: the unconstrained problem, with a per-point time limit.
        t = time.perf_counter()
        path = l0_path(X, y, penalty="L0L2", gamma=LAMBDA_2, algorithm="BnB",
                       lambda_grid=peer["lambda_0"], max_support_size=1000, gap_tol=1e-2,
                       time_limit=args.time_limit)
        elapsed = time.perf_counter() - t
        print(f"ours (certified M, {args.time_limit:.0f} s per point): {elapsed:.1f} s, "
              f"nnz {path.support_size.tolist()}, nodes {path.n_nodes.tolist()}, "
              f"gaps {np.round(path.gap, 4).tolist()}")
        print(f"l0learn {l0learn.__version__}")


if __name__ == "__main__":
    main()
