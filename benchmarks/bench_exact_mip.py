"""Exact L0L2 regression: ours (certified big-M) vs Gurobi (big-M MIP) and SCIP
(perspective MIP), one run.

    python benchmarks/bench_exact_mip.py [--peer-python PATH] [--sizes 50,100,200,500]

Data: n = 500, k = 10, SNR 5 (``make_sparse_regression``, seed 1), lambda_2 = 0.01 on the
normalised scale, lambda_0 = the CDPSI path's value giving 10 nonzeros; gap_tol 1e-4.
Gurobi's pip licence takes about 200 variables, so it runs up to p = 100 (2p variables);
SCIP runs up to p = 200 (``--scip-max-p``) under the same time limit.
"""

import argparse
import json
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def main():
    from l0learn import L0Regressor, l0_path
    from l0learn.datasets import make_sparse_regression
    from l0learn.utils._testing import normalise

    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python", default=str(HERE / ".venv-peer" / "bin" / "python"))
    ap.add_argument("--sizes", default="50,100,200,500")
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--scip-max-p", type=int, default=200)
    args = ap.parse_args()
    lam2 = 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X, y, _ = make_sparse_regression(100, 30, 5, seed=0)
        L0Regressor("L0L2", 0.01, lam2, algorithm="BnB").fit(X, y)  # compile
    print(f"{'p':>5} {'lambda_0':>10} {'solver':<10}{'time s':>9}{'nodes':>9}{'objective':>14}"
          f"{'gap':>10}")
    for p in map(int, args.sizes.split(",")):
        X, y, _ = make_sparse_regression(500, p, 10, snr=5.0, seed=1)
        path = l0_path(X, y, penalty="L0L2", gamma=lam2, algorithm="CDPSI", max_support_size=10)
        lam0 = float(path.lambda_0[np.argmin(np.abs(path.support_size - 10))])
        t = time.perf_counter()
        m = L0Regressor("L0L2", lam0, lam2, algorithm="BnB", gap_tol=1e-4,
                        time_limit=args.time_limit).fit(X, y)
        ours = time.perf_counter() - t
        print(f"{p:>5} {lam0:>10.6f} {'ours':<10}{ours:9.2f}{m.n_nodes_:9d}{m.objective_:14.8f}"
              f"{m.gap_:10.2e}  (certified M {m.big_m_:.3g})")
        Xn, yn, _, _ = normalise(X, y)
        for name, script, fits in (("gurobi", "peer_gurobi.py", 2 * p <= 200),
                                   ("scip", "peer_scip.py", p <= args.scip_max_p)):
            if not fits:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                data, cfg, out = Path(tmp) / "d.npz", Path(tmp) / "c.json", Path(tmp) / "o.json"
                np.savez(data, Xn=Xn, yn=yn)
                cfg.write_text(json.dumps(dict(lambda_0=lam0, lambda_2=lam2, gap_tol=1e-4,
                                               time_limit=args.time_limit)))
                proc = subprocess.run([args.peer_python, str(HERE / "compare" / script),
                                       str(data), str(cfg), str(out)], cwd=HERE / "compare",
                                      capture_output=True, text=True)
                if proc.returncode:
                    print(f"{p:>5} {name} failed: {proc.stderr[-300:]}")
                    continue
                g = json.loads(out.read_text())
            obj = np.nan if g["objective"] is None else g["objective"]
            print(f"{p:>5} {lam0:>10.6f} {name:<10}{g['time']:9.2f}{g['nodes']:9d}"
                  f"{obj:14.8f}{g['gap']:10.2e}  (ratio ours/{name} {ours / g['time']:.2f})")


if __name__ == "__main__":
    main()
