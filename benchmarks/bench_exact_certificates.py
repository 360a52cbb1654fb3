"""Certificates of exact L0L2 regression where statisticians fit: small ridge, p >> n.

    python benchmarks/bench_exact_certificates.py SECTION [--peer-python PATH]

Sections (each prints one table; all gaps are for the unconstrained problem, no box):
  readme      the README instance n=500, p=5000, k=10, SNR 5, gamma=0.01: lambda_0=0.026
              and k=10 with a 60-s limit, the exact path up to 10 nonzeros (30 s a point)
  l0bnb       n=500, p=1000: L0BnB's lambda_0 grid certified to 1e-4, and L0BnB's own
              fit_path (heuristic box, gap 1e-2) in the same run (``--peer-python`` of
              an environment with l0bnb: benchmarks/setup_exact_peers.sh)
  l0bnb-tests L0BnB's own test instances (raw scale: normalize=False, no intercept,
              p=50, SNR 5): its fit_path at gap 1e-5 with its heuristic box, then ours
              certified (no box) on its lambda_0 grid, same run
  large       n=1000, k=10, SNR 5, gamma=0.01: p=10^4 (60-s limit) and p=10^5 (120 s)
  correlated  n=300, p=2000, Toeplitz rho=0.5 and 0.8: gap against time (120 s)
  okridge     OKRidge on its own example (n=6000, p=3000, k=10, rho=0.5, SNR 5, its
              lambda2=0.1) and on the README instance, same run
Times are wall-clock seconds of the whole ``fit`` (warm start included).
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_PEER = HERE / ".venv-exact" / "bin" / "python"


def gap_at(model, seconds):
    """The certified gap reached ``seconds`` into the fit (from the progress log)."""
    rows = [r for r in model.bnb_log_ if r["time"] <= seconds]
    return rows[-1]["gap"] if rows else np.inf


def fit(X, y, **kw):
    from l0learn import L0Regressor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an open gap warns; the table reports it
        t = time.perf_counter()
        m = L0Regressor("L0L2", algorithm="BnB", **kw).fit(X, y)
    return m, time.perf_counter() - t


def row(label, m, elapsed, marks=(1, 10, 60)):
    gaps = "  ".join(f"{gap_at(m, s):9.2e}" for s in marks)
    print(f"{label:<42}{elapsed:8.1f}{m.n_nodes_:9d}  {gaps}  {m.gap_:9.2e}  {m.status_}")


def header(marks=(1, 10, 60)):
    print(f"{'problem':<42}{'time s':>8}{'nodes':>9}  "
          + "  ".join(f"{'gap@' + str(s) + 's':>9}" for s in marks) + f"  {'final':>9}  status")


def run_peer(peer_python, script, arrays, cfg):
    with tempfile.TemporaryDirectory() as tmp:
        data, c, o = Path(tmp) / "d.npz", Path(tmp) / "c.json", Path(tmp) / "o.json"
        np.savez(data, **arrays)
        c.write_text(json.dumps(cfg))
        proc = subprocess.run([str(peer_python), str(HERE / "compare" / script), str(data),
                               str(c), str(o)], cwd=HERE / "compare", capture_output=True,
                              text=True)
        if proc.returncode:
            print(proc.stderr[-2000:], file=sys.stderr)
            return None
        return json.loads(o.read_text())


def section_readme(args):
    from l0learn import l0_path
    from l0learn.datasets import make_sparse_regression
    X, y, coef = make_sparse_regression(500, 5000, 10, snr=5.0, seed=1)
    header()
    m, t = fit(X, y, lambda_0=0.026, gamma=0.01, time_limit=60)
    row("lambda_0=0.026, gamma=0.01, limit 60 s", m, t)
    m, t = fit(X, y, k=10, gamma=0.01, time_limit=60)
    row("k=10, gamma=0.01, limit 60 s", m, t)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = l0_path(X, y, penalty="L0L2", gamma=0.01, algorithm="BnB", max_support_size=10,
                       time_limit=30)
    print(f"exact path up to 10 nonzeros, 30 s a point: {time.perf_counter() - t:.1f} s, "
          f"nnz {path.support_size.tolist()}, gaps {np.round(path.gap, 4).tolist()}")


def section_l0bnb(args):
    from l0learn import l0_path
    from l0learn.datasets import make_sparse_regression
    from l0learn.utils._testing import normalise
    X, y, _ = make_sparse_regression(500, 1000, 10, snr=5.0, seed=1)
    Xn, yn, _, _ = normalise(X, y)
    peer = run_peer(args.peer_python, "peer_l0bnb.py", dict(X=X, y=y, Xn=Xn, yn=yn),
                    dict(mode="path", lambda_2=0.01, max_nonzeros=10, gap_tol=1e-2))
    if peer is None:
        return
    print(f"L0BnB fit_path (heuristic box, gap 1e-2): {peer['time']:.1f} s, nnz {peer['nnz']}, "
          f"lambda_0 {np.round(peer['lambda_0'], 6).tolist()}")
    for tol, limit in ((1e-4, 60.0), (1e-2, 60.0)):
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            path = l0_path(X, y, penalty="L0L2", gamma=0.01, algorithm="BnB",
                           lambda_grid=peer["lambda_0"], max_support_size=1000, gap_tol=tol,
                           time_limit=limit)
        elapsed = time.perf_counter() - t
        print(f"ours, certified (no box), gap_tol {tol:g}, {limit:.0f} s a point: {elapsed:.1f} s "
              f"(ratio {elapsed / peer['time']:.2f}), nnz {path.support_size.tolist()}, "
              f"nodes {path.n_nodes.tolist()}, gaps {[float(f'{g:.1e}') for g in path.gap]}")


def section_l0bnb_tests(args):
    from l0learn import l0_path
    from l0learn.utils._testing import l0bnb_synthetic, normalise
    print(f"{'case (n, lambda_2)':<20}{'L0BnB s':>9}{'ours s':>9}{'ratio':>7}  "
          f"{'max |rel obj diff|':>18}  {'our worst gap':>13}  nnz")
    total_peer = total_ours = 0.0
    for n, lam2 in ((25, 100.0), (50, 100.0), (100, 0.1), (100, 0.0)):
        X, y = l0bnb_synthetic(n, 50, 10, snr=5)
        Xn, yn, _, _ = normalise(X, y)  # only for the peer's warm-up (compilation) solve
        peer = run_peer(args.peer_python, "peer_l0bnb.py", dict(X=X, y=y, Xn=Xn, yn=yn),
                        dict(mode="path", lambda_2=lam2, max_nonzeros=10, gap_tol=1e-5,
                             normalize=False, intercept=False))
        if peer is None:
            return
        t = time.perf_counter()
        path = l0_path(X, y, penalty="L0L2", gamma=lam2, normalize=False, fit_intercept=False,
                       lambda_grid=peer["lambda_0"], algorithm="BnB", gap_tol=1e-5,
                       max_support_size=10)
        elapsed = time.perf_counter() - t
        diff = np.max(np.abs(path.objective / np.array(peer["objective"]) - 1))
        total_peer += peer["time"]
        total_ours += elapsed
        print(f"{str((n, lam2)):<20}{peer['time']:9.3f}{elapsed:9.3f}"
              f"{elapsed / peer['time']:7.2f}  {diff:18.1e}  {path.gap.max():13.1e}  "
              f"{path.support_size.tolist()}")
    print(f"{'total':<20}{total_peer:9.3f}{total_ours:9.3f}{total_ours / total_peer:7.2f}")


def section_large(args):
    from l0learn import l0_path
    from l0learn.datasets import make_sparse_regression
    header((1, 10, 60))
    for p, limit in ((10_000, 60), (100_000, 120)):
        X, y, coef = make_sparse_regression(1000, p, 10, snr=5.0, seed=1)
        path = l0_path(X, y, penalty="L0L2", gamma=0.01, algorithm="CDPSI", max_support_size=10)
        lam0 = float(path.lambda_0[np.argmin(np.abs(path.support_size - 10))])
        m, t = fit(X, y, lambda_0=lam0, gamma=0.01, time_limit=limit)
        row(f"n=1000 p={p} lambda_0={lam0:.5f} limit {limit}", m, t)
        print(f"  true support found: {set(m.support_) == set(np.flatnonzero(coef))}")
        del X


def section_correlated(args):
    from l0learn import l0_path
    from l0learn.datasets import make_sparse_regression
    header((1, 10, 60, 120))
    for rho in (0.5, 0.8):
        X, y, coef = make_sparse_regression(300, 2000, 10, snr=5.0, rho=rho, seed=1)
        path = l0_path(X, y, penalty="L0L2", gamma=0.01, algorithm="CDPSI", max_support_size=10)
        lam0 = float(path.lambda_0[np.argmin(np.abs(path.support_size - 10))])
        m, t = fit(X, y, lambda_0=lam0, gamma=0.01, time_limit=120)
        row(f"rho={rho} lambda_0={lam0:.5f} limit 120", m, t, (1, 10, 60, 120))


def okridge_pair(args, label, X, y, k, lambda2_ok, limit):
    """OKRidge's problem ||y - Xb||^2 + lambda2 ||b||^2, ||b||_0 <= k, for both solvers.

    Every column of ``X`` must have the same norm ``c``: then our normalised problem is
    the same one with ridge ``gamma = lambda2 / (2 c^2)``.
    """
    norms = np.linalg.norm(X, axis=0)
    assert np.allclose(norms, norms[0])
    peer = run_peer(args.peer_python, "peer_okridge.py", dict(X=X, y=y),
                    dict(k=k, lambda2=lambda2_ok, gap_tol=1e-4, time_limit=limit))
    m, t = fit(X, y, k=k, gamma=lambda2_ok / (2 * norms[0] ** 2), time_limit=limit,
               gap_tol=1e-4)
    b = m.coef_
    ours = float(np.sum((y - X @ b - m.intercept_) ** 2) + lambda2_ok * b @ b - y @ y)
    mine = f"ours {t:.1f} s gap {m.gap_:.1e} ({m.status_}, {m.n_nodes_} nodes) objective {ours:.6f}"
    if peer is None:
        print(f"{label}: OKRidge failed (see its error above); {mine}")
    else:
        print(f"{label}: OKRidge {peer['time']:.1f} s gap {peer['gap']:.1e} objective "
              f"{peer['cost']:.6f}; {mine}; time ratio {t / peer['time']:.2f}")


def section_okridge(args):
    from l0learn.datasets import make_sparse_regression
    n, p = 6000, 3000
    X, y, coef = make_sparse_regression(n, p, 10, snr=5.0, rho=0.5, seed=0)
    X = X - X.mean(0)
    X *= np.sqrt(n) / np.linalg.norm(X, axis=0)  # unit variance, every column norm sqrt(n)
    okridge_pair(args, "OKRidge example n=6000 p=3000 rho=0.5 lambda2=0.1", X, y - y.mean(),
                 10, 0.1, 120)
    X, y, coef = make_sparse_regression(500, 5000, 10, snr=5.0, seed=1)
    X = X - X.mean(0)
    X /= np.linalg.norm(X, axis=0)
    y = y - y.mean()
    y /= np.linalg.norm(y)  # the README instance on our scale: gamma 0.01 = lambda2 0.02
    okridge_pair(args, "README instance k=10 gamma=0.01", X, y, 10, 0.02, 60)


SECTIONS = {"readme": section_readme, "l0bnb": section_l0bnb, "l0bnb-tests": section_l0bnb_tests,
            "large": section_large,
            "correlated": section_correlated, "okridge": section_okridge}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("section", choices=sorted(SECTIONS))
    ap.add_argument("--peer-python", default=str(DEFAULT_PEER))
    args = ap.parse_args()
    from l0learn import L0Regressor
    with warnings.catch_warnings():  # compile our kernels before timing
        warnings.simplefilter("ignore")
        X = np.random.default_rng(0).standard_normal((40, 30))
        L0Regressor("L0L2", 0.01, 0.01, algorithm="BnB", max_nodes=5).fit(X, X[:, 0])
    SECTIONS[args.section](args)


if __name__ == "__main__":
    main()
