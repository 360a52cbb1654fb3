"""Ours vs L0Learn 0.4.3 where users run it: busy machines, C/F order, two fits at once.

    python benchmarks/bench_contention.py [--peer-python PATH] [--repeat 5] [--cv]

Times ``l0learn.fit(X, y, penalty="L0", algorithm=A, max_support_size=20)`` on the
foundation design (n = 500, p = 5000, k = 10, SNR 5) for A in {CD, CDPSI}, X in
C order (as numpy makes it) and F order, under three conditions:

* ``quiet``: nothing else running;
* ``busy``: one other process spins a CPU core for the whole measurement;
* ``2 jobs``: two fits at the same time (as in a 2-job CV or ``GridSearchCV(n_jobs=2)``):
  ours in two joblib (loky) workers, L0Learn in two processes started together;
  the time is the wall time of the pair divided by two.

Each of our fits and each L0Learn call runs in a fresh process with warm numba
caches; the figure is the median over ``--repeat`` fits after one untimed fit.
With ``--cv`` it also times the README's ``L0RegressorCV(penalty="L0L2", cv=5,
selection="1se", n_jobs=2)`` (CDPSI, its default) against L0Learn's
``cvfit(algorithm="CDPSI")`` on the same gamma/lambda grid and support cap (L0Learn's ``cvfit`` draws its own folds from its seed; the
fold assignment differs, the work does not).
"""

import argparse
import json
import multiprocessing as mp
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_PEER = HERE / ".venv-peer" / "bin" / "python"


def make_data(n=500, p=5000, seed=1, k=10, snr=5.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))  # C order, as numpy makes it
    b = np.zeros(p)
    b[(np.arange(k) * p) // k] = 1.0
    signal = X @ b
    return X, signal + rng.normal(scale=np.sqrt(np.var(signal, ddof=1) / snr), size=n)


def _spin(stop):
    x = 0
    while not stop.is_set():
        x += 1


class Busy:
    """One competing process that keeps one core busy while the block runs."""

    def __enter__(self):
        self.stop = mp.Event()
        self.proc = mp.Process(target=_spin, args=(self.stop,), daemon=True)
        self.proc.start()
        time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.proc.join()


# The same script times either package: which one is imported depends on the
# interpreter and the working directory (the peer runs from compare/, away from ours).
FIT = """
import sys, time, json, numpy as np
import l0learn
d = np.load(sys.argv[1]); X = d["X"] if sys.argv[2] == "C" else np.asfortranarray(d["X"]); y = d["y"]
kw = json.loads(sys.argv[3]); repeat = int(sys.argv[4])
l0learn.fit(X, y, **kw)
times = []
for _ in range(repeat):
    t = time.perf_counter(); l0learn.fit(X, y, **kw); times.append(time.perf_counter() - t)
print(json.dumps(times))
"""

def _run(python, code, args, cwd):
    for attempt in range(3):  # L0Learn crashes intermittently
        proc = subprocess.run([str(python), "-c", code, *map(str, args)], cwd=cwd,
                              capture_output=True, text=True)
        if proc.returncode == 0:
            return json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"    run failed (exit {proc.returncode}): {proc.stderr[-300:]}", file=sys.stderr)
    return None


def timed(python, code, data, order, kw, repeat, cwd, pair=False):
    """Median fit time; with ``pair`` two processes run at once, each timing its fits."""
    args = [data, order, json.dumps(kw), repeat]
    if not pair:
        times = _run(python, code, args, cwd)
        return float(np.median(times)) if times else float("nan")
    procs = [subprocess.Popen([str(python), "-c", code, *map(str, args)], cwd=cwd,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate()[0] for p in procs]
    times = [t for out in outs if out.strip() for t in json.loads(out.strip().splitlines()[-1])]
    return float(np.median(times)) if times else float("nan")


def bench_fits(peer_python, data, repeat):
    print(f"{'algorithm':<10}{'order':<7}{'condition':<10}{'ours s':>9}{'L0Learn s':>11}"
          f"{'ratio':>7}")
    rows = []
    for algorithm in ("CD", "CDPSI"):
        kw = dict(penalty="L0", algorithm=algorithm, max_support_size=20)
        for order in ("C", "F"):
            for condition in ("quiet", "busy", "2 jobs"):
                def measure(python, code, cwd):
                    pair = condition == "2 jobs"
                    if condition == "busy":
                        with Busy():
                            return timed(python, code, data, order, kw, repeat, cwd)
                    return timed(python, code, data, order, kw, repeat, cwd, pair=pair)
                ours = measure(sys.executable, FIT, HERE.parent)
                peer = measure(peer_python, FIT, HERE / "compare")
                print(f"{algorithm:<10}{order:<7}{condition:<10}{ours:9.3f}{peer:11.3f}"
                      f"{ours / peer:7.2f}", flush=True)
                rows.append((algorithm, order, condition, ours, peer))
    return rows


CV_OURS = """
import sys, time, json, numpy as np
from l0learn import L0RegressorCV
d = np.load(sys.argv[1]); X, y = d["X"], d["y"]
t = time.perf_counter()
cv = L0RegressorCV(penalty="L0L2", cv=5, selection="1se", n_jobs=2).fit(X, y)
elapsed = time.perf_counter() - t
p = cv.path_
print(json.dumps({"time": elapsed, "gamma": p.gamma.tolist(), "lambda_0": p.lambda_0.tolist(),
                  "max_support": int(p.support_size.max())}))
"""

CV_PEER = """
import sys, time, json, numpy as np
import l0learn
d = np.load(sys.argv[1]); X, y = np.asfortranarray(d["X"]), d["y"]
grid = json.loads(open(sys.argv[2]).read())
t = time.perf_counter()
l0learn.cvfit(X, y, penalty="L0L2", algorithm="CDPSI", num_folds=5, seed=1, lambda_grid=grid,
              num_lambda=None, num_gamma=None, max_support_size=int(sys.argv[3]))
print(json.dumps({"time": time.perf_counter() - t}))
"""


def bench_cv(peer_python, data):
    proc = subprocess.run([sys.executable, "-c", CV_OURS, str(data)], capture_output=True,
                          text=True, check=True, cwd=HERE.parent)
    ours = json.loads(proc.stdout.strip().splitlines()[-1])
    gammas = sorted(set(ours["gamma"]), reverse=True)
    grid = [[lam for lam, g in zip(ours["lambda_0"], ours["gamma"]) if g == gam]
            for gam in gammas]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(grid, f)
    peer = None
    for _ in range(3):
        res = subprocess.run([str(peer_python), "-c", CV_PEER, str(data), f.name,
                              str(ours["max_support"] + 1)],
                             capture_output=True, text=True, cwd=HERE / "compare")
        if res.returncode == 0:
            peer = json.loads(res.stdout.strip().splitlines()[-1])
            break
    n_points = sum(len(g) for g in grid)
    peer_t = peer["time"] if peer else float("nan")
    print(f"\nREADME CV (L0L2, CDPSI, {len(gammas)} gammas, {n_points} grid points, 5 folds): "
          f"ours L0RegressorCV(n_jobs=2) {ours['time']:.1f} s, L0Learn cvfit (CDPSI, same grid, "
          f"max_support_size {ours['max_support'] + 1}) {peer_t:.1f} s, ratio "
          f"{ours['time'] / peer_t:.2f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python", default=str(DEFAULT_PEER))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cv", action="store_true")
    ap.add_argument("--skip-fits", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.npz"
        X, y = make_data()
        np.savez(data, X=X, y=y)
        print("n = 500, p = 5000, k = 10, SNR 5; L0 path, max_support_size = 20; 2 cores")
        if not args.skip_fits:
            bench_fits(args.peer_python, data, args.repeat)
        if args.cv:
            bench_cv(args.peer_python, data)


if __name__ == "__main__":
    main()
