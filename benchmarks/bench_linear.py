"""Ours vs L0Learn 0.4.3, abess and scikit-learn's lasso_path on the same data, in one run.

    python benchmarks/bench_linear.py [--sizes small,medium,large] [--peer-python PATH]

Prints, per configuration: time of the warm path (median of 3, numba compile
excluded: one untimed fit first), the time ratio ours / peer, and the
objective difference at every shared lambda_0 grid point (ours re-solved on
L0Learn's grid; both evaluated by the same normalised-objective function).
Peak extra memory during the fit is measured in separate processes.
See benchmarks/README.md for the environment set-up.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_PEER = HERE / ".venv-peer" / "bin" / "python"

SIZES = {  # name: (n, p, data seed)
    "small": (500, 5000, 1),
    "medium": (1000, 10000, 2),
    "large": (1000, 100000, 3),
}
CONFIGS = [  # label, kwargs (L0Learn names)
    ("L0 CD", dict(penalty="L0", algorithm="CD", max_support_size=20)),
    ("L0 CDPSI", dict(penalty="L0", algorithm="CDPSI", max_support_size=20)),
    ("L0L2 CD g5", dict(penalty="L0L2", algorithm="CD", max_support_size=20, num_gamma=5)),
    ("L0L2 CDPSI g5", dict(penalty="L0L2", algorithm="CDPSI", max_support_size=20, num_gamma=5)),
]


def make_data(n, p, seed, k=10, snr=5.0):
    """The methods note's design, generated straight into Fortran order."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((p, n)).T  # F-ordered, no temporary copy
    b = np.zeros(p)
    b[(np.arange(k) * p) // k] = 1.0
    signal = X @ b
    sigma = np.sqrt(np.var(signal, ddof=1) / snr)
    return X, signal + rng.normal(scale=sigma, size=n)


def normalised_objective(X, y, coef, intercept, lambda_0, lam1, lam2):
    """One evaluator for any coefficients: L0Learn's normalised objective."""
    mu = X.mean(axis=0)
    norm = np.sqrt(np.maximum((X * X).sum(axis=0) - len(y) * mu * mu, 0))
    yc = y - y.mean()
    scale = np.linalg.norm(yc)
    b = coef * norm / scale
    resid = (y - intercept - X @ coef) / scale
    return (0.5 * resid @ resid + lambda_0 * np.count_nonzero(b) + lam1 * np.abs(b).sum()
            + lam2 * b @ b)


def run_peer(peer_python, data_path, cfg):
    with tempfile.TemporaryDirectory() as tmp:
        cfg_path, out = Path(tmp) / "cfg.json", Path(tmp) / "out.npz"
        cfg_path.write_text(json.dumps(cfg))
        # Each call in its own process: L0Learn crashes intermittently.
        for attempt in range(3):
            proc = subprocess.run([str(peer_python), str(HERE / "compare" / "peer_l0learn.py"),
                                   str(data_path), str(cfg_path), str(out)],
                                  cwd=HERE / "compare", capture_output=True, text=True)
            if proc.returncode == 0:
                r = np.load(out)
                return {k: r[k] for k in r.files}
            print(f"    peer failed (exit {proc.returncode}), attempt {attempt + 1}",
                  file=sys.stderr)
    return None


def time_ours(fn, repeat=3, warmup=True):
    if warmup:
        fn()  # compile / load from cache, untimed
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), out


def bench_size(name, peer_python, tmpdir):
    import l0learn
    from sklearn.linear_model import lasso_path

    n, p, seed = SIZES[name]
    X, y = make_data(n, p, seed)
    data_path = Path(tmpdir) / f"{name}.npz"
    np.savez(data_path, X=X, y=y)
    print(f"\n== n={n}, p={p} (seed {seed}, k=10, SNR 5, support <= 20) ==")
    print(f"{'config':<15}{'ours s':>9}{'L0Learn s':>11}{'ratio':>7}{'points':>8}"
          f"{'max obj diff (ours-L0Learn)':>30}{'worse pts':>10}")
    rows = []
    for label, kw in CONFIGS:
        t_ours, fit = time_ours(lambda: l0learn.fit(X, y, **kw))
        peer = run_peer(peer_python, data_path, {"peer": "l0learn", "kwargs": kw})
        if peer is None:
            print(f"{label:<15}{t_ours:9.3f}   peer crashed 3 times")
            continue
        t_peer = float(np.median(peer["times"]))
        # Objectives at L0Learn's own grid points: ours re-solved on that grid.
        gammas = np.unique(peer["gamma"])[::-1]
        grid = [peer["lambda_0"][peer["gamma"] == g].tolist() for g in gammas]
        ours_on_grid = l0learn.fit(X, y, **dict(kw, lambda_grid=grid, num_lambda=None,
                                                num_gamma=None))
        diffs = []
        pen = kw["penalty"]
        for gi, g in enumerate(gammas):
            lam1, lam2 = (g, 0.0) if pen == "L0L1" else ((0.0, g) if pen == "L0L2" else (0, 0))
            sel = np.flatnonzero(peer["gamma"] == g)
            n_shared = min(len(sel), len(ours_on_grid.lambda_0[gi]))
            for j in range(n_shared):
                lam0 = grid[gi][j]
                f_peer = normalised_objective(X, y, peer["coef"][:, sel[j]],
                                              peer["intercept"][sel[j]], lam0, lam1, lam2)
                f_ours = normalised_objective(X, y, ours_on_grid.coeffs[gi][:, j].toarray().ravel(),
                                              ours_on_grid.intercepts[gi][j], lam0, lam1, lam2)
                diffs.append(f_ours - f_peer)
        diffs = np.array(diffs)
        worse = int(np.sum(diffs > 1e-9 * 1.0))
        print(f"{label:<15}{t_ours:9.3f}{t_peer:11.3f}{t_ours / t_peer:7.2f}"
              f"{len(diffs):8d}{diffs.max():30.2e}{worse:10d}")
        rows.append(dict(size=name, config=label, ours=t_ours, peer=t_peer,
                         points=len(diffs), max_diff=float(diffs.max()), worse=worse))
    # abess (best subset per size 0..20, its own tuning) and scikit-learn's lasso path.
    ab = run_peer(peer_python, data_path, {"peer": "abess", "max_support_size": 20})
    t_lasso, _ = time_ours(lambda: lasso_path(X, y - y.mean(), alphas=100), repeat=1,
                           warmup=False)
    t_l0, _ = time_ours(lambda: l0learn.fit(X, y, penalty="L0", algorithm="CDPSI",
                                             max_support_size=20))
    if ab is not None:
        print(f"abess support 0..20: {np.median(ab['times']):.3f} s  (ours L0 CDPSI path "
              f"{t_l0:.3f} s, ratio {t_l0 / np.median(ab['times']):.2f})")
    print(f"scikit-learn lasso_path (100 alphas): {t_lasso:.3f} s (ratio ours CDPSI / lasso "
          f"{t_l0 / t_lasso:.2f})")
    return rows, data_path


RSS_SAMPLER = """
import threading, time
def _rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
class PeakRSS:
    # Samples the resident set size every millisecond while the block runs.
    def __enter__(self):
        self.base = self.peak = _rss(); self._stop = False
        self._t = threading.Thread(target=self._run, daemon=True); self._t.start(); return self
    def _run(self):
        while not self._stop:
            self.peak = max(self.peak, _rss()); time.sleep(0.001)
    def __exit__(self, *exc):
        self._stop = True; self._t.join(); self.peak = max(self.peak, _rss())
"""


def peak_memory(data_path, peer_python):
    """Peak extra RSS during one CD path fit, ours and L0Learn, each in a fresh process.

    X is stored in Fortran order, so loading it makes no copy; the baseline is the
    RSS right before the fit (X loaded, kernels loaded), the peak is sampled every
    millisecond during the fit.
    """
    body = (RSS_SAMPLER + "import numpy as np, sys, {mod}\n"
            f"d = np.load({str(data_path)!r}); X = d['X']; y = d['y']\n"
            "{mod}.fit(np.asfortranarray(X[:50, :50]), y[:50])\n"
            "with PeakRSS() as m:\n"
            "    {mod}.fit(X, y, penalty='L0', max_support_size=20)\n"
            "print(m.peak - m.base, X.nbytes, X.flags.f_contiguous)\n")
    ours = subprocess.run([sys.executable, "-c", body.format(mod="l0learn")],
                          capture_output=True, text=True, check=True).stdout.split()
    peer = subprocess.run([str(peer_python), "-c", body.format(mod="l0learn")],
                          cwd=HERE / "compare", capture_output=True, text=True).stdout.split()
    x_bytes = int(ours[1])
    peer_txt = f"{int(peer[0]) / x_bytes:.2f} x" if peer else "crashed"
    print(f"peak extra memory during the fit (X = {x_bytes / 2**20:.0f} MiB, F-ordered): "
          f"ours {int(ours[0]) / x_bytes:.2f} x size of X, L0Learn {peer_txt}")


def compile_times():
    """Numba compile time with an empty cache, and first fit in a new process with a warm cache."""
    code = ("import time; t0 = time.perf_counter(); import l0learn; t1 = time.perf_counter()\n"
            "from l0learn.datasets import make_sparse_regression\n"
            "X, y, _ = make_sparse_regression(500, 5000, 10, seed=1)\n"
            "t2 = time.perf_counter(); l0learn.L0Regressor(k=10).fit(X, y)\n"
            "l0learn.L0Regressor(k=10).fit(__import__('scipy.sparse').sparse.csc_matrix(X[:, :50]), y)\n"
            "print(t1 - t0, time.perf_counter() - t2)")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label in ("empty cache", "warm cache (new process)"):
            imp, fit = map(float, subprocess.run([sys.executable, "-c", code], env=env,
                                                 capture_output=True, text=True,
                                                 check=True).stdout.split())
            print(f"{label:<26} import {imp:.2f} s, first dense+sparse fit {fit:.2f} s")
    # one untimed run so the timed one starts from a warm cache
    subprocess.run([sys.executable, "-m", "l0learn", "demo"], capture_output=True, check=True)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "l0learn", "demo"], capture_output=True, check=True)
    print(f"python -m l0learn demo, warm cache, whole process: {time.perf_counter() - t:.2f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("--peer-python", default=str(DEFAULT_PEER))
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; numpy "
          f"{np.__version__}")
    compile_times()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sizes.split(","):
            _, data_path = bench_size(name, args.peer_python, tmp)
            if name == "large":
                peak_memory(data_path, args.peer_python)


if __name__ == "__main__":
    main()
