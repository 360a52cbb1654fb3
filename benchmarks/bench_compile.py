"""numba compile cost of the demo: a cold disk cache against a warm one.

    python benchmarks/bench_compile.py [--repo PATH] [--repeats 2]

Runs ``python -m l0learn demo`` in a new process with an empty ``NUMBA_CACHE_DIR``
(every kernel compiles), then again in a new process with that cache filled (every
kernel loads from disk), and prints the wall times.  ``--repo`` runs another
checkout's code (its folder comes first on ``sys.path``), to compare two versions
of the package in one run.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed_demo(repo, cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir), MPLBACKEND="Agg")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "l0learn", "demo"], cwd=repo, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parents[1]))
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    print(f"demo of {args.repo}")
    for rep in range(args.repeats):
        with tempfile.TemporaryDirectory() as cache:
            cold = timed_demo(args.repo, cache)
            warm = timed_demo(args.repo, cache)
        print(f"  run {rep + 1}: cold cache {cold:6.1f} s   warm cache {warm:5.1f} s")


if __name__ == "__main__":
    main()
