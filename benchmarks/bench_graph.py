"""GraphL0BnB against the graphical lasso and CONCORD; exact-solver gaps; scaling.

    python benchmarks/bench_graph.py stats [--peer-python /path/to/venv/bin/python]
    python benchmarks/bench_graph.py cv [--seeds 0 1 2 3 4] [--cv-shapes 400:200 400:60]
    python benchmarks/bench_graph.py exact
    python benchmarks/bench_graph.py scale [--sizes 1000 10000]
    python benchmarks/bench_graph.py exact-large [--sizes 1000 10000] [--scale-lambdas 0.02 0.04]
                                                 [--time-limit 60] [--designs banded uniform]

``stats``: p = 200, n = 400, cond 10, seed 0, banded and uniform designs (the GraphL0
study's generator): time (median of 3), edges, MCC on edges and relative Frobenius
error for scikit-learn ``GraphicalLasso`` over an alpha grid, CONCORD-ISTA
(``pyconcord``, run in its own environment) over a lambda grid, and ours (CDPSI) over a
lambda_0 grid, plus ``GraphL0BnBCV``; prints the best MCC of each method and the
time ratio of single fits.  ``cv``: edge MCC over seeds with lambda_0 chosen by
``GraphL0BnBCV`` (no oracle), with and without the sample-size correction, against the
graphical lasso's best MCC over its own alpha path (an oracle choice).  ``exact``:
branch-and-bound gaps over time on the study's instances.  ``scale``: heuristic fits at
large p (banded design, n = 2p).  ``exact-large``: certified fits at large p with
lambda_2 = 1 (n = 2p, cond 10, no box, ``--time-limit`` (60 s) for the whole fit,
default ``gap_tol=1e-2``).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.covariance import GraphicalLasso

from l0learn import GraphL0BnB, GraphL0BnBCV
from l0learn.datasets import make_graphical_model
from l0learn.metrics import edge_mcc, relative_frobenius_error

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(fn, repeats=3):
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), out


def row(method, setting, seconds, theta_hat, theta):
    edges = int(np.count_nonzero(np.abs(np.triu(theta_hat, 1)) > 1e-3))
    return dict(method=method, setting=setting, time=seconds, edges=edges,
                mcc=edge_mcc(theta, theta_hat), relF=relative_frobenius_error(theta, theta_hat))


def concord_rows(peer_python, X, lambdas, theta):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "X.npy")
        np.save(path, X - X.mean(0))
        out = os.path.join(tmp, "out.json")
        subprocess.run([peer_python, os.path.join(HERE, "compare", "peer_concord.py"), path, out,
                        *map(str, lambdas)], check=True)
        with open(out) as fh:
            fits = json.load(fh)
    rows = []
    p = X.shape[1]
    for fit in fits:
        est = np.zeros((p, p))
        est[fit["rows"], fit["cols"]] = fit["values"]
        est = est + est.T + np.diag(fit["diag"])
        rows.append(row("CONCORD (pyconcord)", f"lambda_1={fit['lambda_1']:g}", fit["time"], est,
                        theta))
    return rows


def print_rows(rows):
    print(f"  {'method':<28} {'setting':<18} {'time s':>8} {'edges':>6} {'MCC':>6} {'relF':>6}")
    for r in rows:
        print(f"  {r['method']:<28} {r['setting']:<18} {r['time']:>8.3f} {r['edges']:>6d} "
              f"{r['mcc']:>6.3f} {r['relF']:>6.3f}")


def stats(args):
    GraphL0BnB(0.04).fit(make_graphical_model(50, 10, seed=1)[0])  # compile outside the timings
    for design in ("banded", "uniform"):
        X, theta = make_graphical_model(400, 200, design=design, cond=10.0, seed=0)
        print(f"\n{design}: p = 200, n = 400, cond 10, true edges "
              f"{np.count_nonzero(np.triu(theta, 1))}")
        rows = []
        for alpha in (0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t, gl = timed(lambda: GraphicalLasso(alpha=alpha, mode="cd", max_iter=100).fit(X))
            rows.append(row("GraphicalLasso (cd)", f"alpha={alpha:g}", t, gl.precision_, theta))
        if args.peer_python:
            rows += concord_rows(args.peer_python, X, (0.05, 0.1, 0.15, 0.2, 0.3), theta)
        for lam2 in (0.01, 0.1):
            for lam0 in (0.02, 0.03, 0.04, 0.06, 0.08):
                t, m = timed(lambda: GraphL0BnB(lam0, lambda_2=lam2).fit(X))
                rows.append(row("GraphL0BnB (CDPSI)", f"l0={lam0:g},l2={lam2:g}", t,
                                m.precision_, theta))
        t, cv = timed(lambda: GraphL0BnBCV(lambda_2=0.01).fit(X), repeats=1)
        rows.append(row("GraphL0BnBCV (5-fold)", f"l0={cv.lambda_0_:.3g},l2=0.01", t,
                        cv.precision_, theta))
        t, cv = timed(lambda: GraphL0BnBCV(lambda_2=0.1).fit(X), repeats=1)
        rows.append(row("GraphL0BnBCV (5-fold)", f"l0={cv.lambda_0_:.3g},l2=0.1", t,
                        cv.precision_, theta))
        print_rows(rows)
        ref = GraphL0BnB(0.04, lambda_2=0.01, big_m=float(np.abs(theta).max())).fit(X)
        print(f"  reference instance (l0=0.04, l2=0.01, M=max|Theta|={np.abs(theta).max():.4f}):"
              f" objective {ref.objective_:.6f}, {ref.n_edges_} edges")
        best = {}
        for r in rows:
            if r["mcc"] > best.get(r["method"], dict(mcc=-1))["mcc"]:
                best[r["method"]] = r
        gl_best = best["GraphicalLasso (cd)"]
        ours = best["GraphL0BnB (CDPSI)"]
        print(f"  best MCC: ours {ours['mcc']:.3f} ({ours['setting']}, {ours['time']:.3f} s), "
              f"GraphicalLasso {gl_best['mcc']:.3f} ({gl_best['setting']}, {gl_best['time']:.3f} s)"
              + (f", CONCORD {best['CONCORD (pyconcord)']['mcc']:.3f}"
                 if "CONCORD (pyconcord)" in best else ""))
        print(f"  time ratio ours / GraphicalLasso at the best settings: "
              f"{ours['time'] / gl_best['time']:.3f}")


GLASSO_ALPHAS = (0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)


def cv_recovery(args):
    GraphL0BnB(0.04).fit(make_graphical_model(50, 10, seed=1)[0])  # compile outside the timings
    shapes = [tuple(int(v) for v in shape.split(":")) for shape in args.cv_shapes]
    for (n, p), design in ((shape, d) for shape in shapes for d in ("banded", "uniform")):
        print(f"\n{design}: p = {p}, n = {n}, cond 10, lambda_2 = {args.lambda_2:g}")
        print(f"  {'seed':>4} {'true':>5} | {'CV edges':>8} {'MCC':>6} {'s':>5} | "
              f"{'uncorrected edges':>17} {'MCC':>6} | {'glasso best MCC':>15} {'alpha':>6}")
        table = []
        for seed in args.seeds:
            X, theta = make_graphical_model(n, p, design=design, cond=10.0, seed=seed)
            start = time.perf_counter()
            cv = GraphL0BnBCV(lambda_2=args.lambda_2).fit(X)
            seconds = time.perf_counter() - start
            plain = GraphL0BnBCV(lambda_2=args.lambda_2, sample_size_correction=False).fit(X)
            glasso = []
            for alpha in GLASSO_ALPHAS:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fit = GraphicalLasso(alpha=alpha, mode="cd", max_iter=100).fit(X)
                glasso.append(edge_mcc(theta, fit.precision_))
            best = int(np.argmax(glasso))
            table.append((edge_mcc(theta, cv.precision_), edge_mcc(theta, plain.precision_),
                          glasso[best]))
            print(f"  {seed:>4} {np.count_nonzero(np.triu(theta, 1)):>5} | {cv.n_edges_:>8} "
                  f"{table[-1][0]:>6.3f} {seconds:>5.1f} | {plain.n_edges_:>17} "
                  f"{table[-1][1]:>6.3f} | {table[-1][2]:>15.3f} {GLASSO_ALPHAS[best]:>6g}",
                  flush=True)
        mean = np.mean(table, axis=0)
        print(f"  mean MCC over {len(args.seeds)} seeds: GraphL0BnBCV {mean[0]:.3f}, "
              f"without the correction {mean[1]:.3f}, GraphicalLasso's best alpha {mean[2]:.3f}")


EXACT_INSTANCES = [
    # (p, n, design, cond, lambda_0, lambda_2, box, time limit); box "all" = max|Theta|,
    # "off" = max off-diagonal |Theta|, None = no box (certifies the unconstrained problem).
    (20, 200, "uniform", 2.0, 0.05, 0.05, "all", 120),
    (20, 200, "banded", 2.0, 0.05, 0.05, "all", 120),
    (50, 200, "banded", 10.0, 0.04, 0.1, "off", 60),
    (50, 200, "banded", 10.0, 0.04, 0.01, "off", 60),
    (200, 400, "uniform", 10.0, 0.04, 0.01, "all", 120),
    (200, 400, "banded", 10.0, 0.04, 0.01, "all", 120),
    (200, 400, "uniform", 10.0, 0.04, 0.3, None, 120),
    (200, 400, "banded", 10.0, 0.04, 0.3, None, 120),
    (200, 400, "uniform", 10.0, 0.02, 1.0, None, 120),
    (200, 400, "banded", 10.0, 0.04, 1.0, None, 120),
    (200, 400, "uniform", 10.0, 0.04, 0.1, None, 120),  # issue 15's lambda_2 = 0.1 target
    (200, 400, "banded", 10.0, 0.04, 0.1, None, 120),
]


def gap_at(log, seconds):
    rows = [r for r in log if r["time"] <= seconds]
    return rows[-1]["gap"] if rows else np.inf


def time_to(log, gap):
    """First logged time at which the gap was at most ``gap`` (inf if never)."""
    return next((r["time"] for r in log if r["gap"] <= gap), np.inf)


def exact(args):
    GraphL0BnB(0.04, algorithm="BnB", max_nodes=3).fit(make_graphical_model(50, 10, seed=1)[0])
    print(f"{'instance':<44} {'M':>6} {'heur':>11} {'incumbent':>11} {'bound':>11} "
          f"{'gap@1s':>7} {'@10s':>7} {'@60s':>7} {'final':>7} {'t(5%)':>6} {'t(1%)':>6} "
          f"{'nodes':>7} {'time':>6}")
    chosen = args.instances or range(len(EXACT_INSTANCES))
    for p, n, design, cond, lam0, lam2, box, limit in (EXACT_INSTANCES[k] for k in chosen):
        X, theta = make_graphical_model(n, p, design=design, cond=cond, seed=0)
        off = np.abs(theta - np.diag(np.diag(theta)))
        big_m = {"all": float(np.abs(theta).max()), "off": float(off.max()), None: None}[box]
        heur = GraphL0BnB(lam0, lambda_2=lam2, big_m=big_m).fit(X)
        start = time.perf_counter()
        m = GraphL0BnB(lam0, lambda_2=lam2, big_m=big_m, algorithm="BnB",
                       time_limit=limit).fit(X)
        total = time.perf_counter() - start
        name = f"p={p} n={n} {design} cond={cond:g} l0={lam0:g} l2={lam2:g}"
        print(f"{name:<44} {m.big_m_:>6.3g} {heur.objective_:>11.5f} {m.objective_:>11.5f} "
              f"{m.lower_bound_:>11.5f} {gap_at(m.bnb_log_, 1):>7.2%} "
              f"{gap_at(m.bnb_log_, 10):>7.2%} {gap_at(m.bnb_log_, 60):>7.2%} {m.gap_:>7.2%} "
              f"{time_to(m.bnb_log_, 0.05):>6.1f} {time_to(m.bnb_log_, 0.01):>6.1f} "
              f"{m.n_nodes_:>7d} {total:>6.1f}", flush=True)


def scale(args):
    for p in args.sizes:
        n = 2 * p
        start = time.perf_counter()
        X, theta = make_graphical_model(n, p, design="banded", cond=10.0, seed=0)
        gen = time.perf_counter() - start
        for lam0 in args.scale_lambdas:
            start = time.perf_counter()
            m = GraphL0BnB(lam0, lambda_2=0.01).fit(X)
            fit = time.perf_counter() - start
            print(f"p={p} n={n}: data {gen:.1f} s, fit (incl. covariance) {fit:.1f} s, "
                  f"l0={lam0:g}: {m.n_edges_} edges (true {np.count_nonzero(np.triu(theta, 1))}), "
                  f"MCC {edge_mcc(theta, m.precision_):.3f}, relF "
                  f"{relative_frobenius_error(theta, m.precision_):.3f}, objective "
                  f"{m.objective_:.4f}, swaps converged {m.converged_}", flush=True)
        if p <= args.glasso_max_p:
            for alpha in (0.15, 0.2):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    start = time.perf_counter()
                    gl = GraphicalLasso(alpha=alpha, mode="cd", max_iter=100).fit(X)
                print(f"  GraphicalLasso alpha={alpha:g}: {time.perf_counter() - start:.1f} s, "
                      f"MCC {edge_mcc(theta, gl.precision_):.3f}", flush=True)
        del X


def exact_large(args):
    GraphL0BnB(0.04, lambda_2=1.0, algorithm="BnB").fit(make_graphical_model(100, 10, seed=1)[0])
    for p in args.sizes:
        for design in args.designs:
            start = time.perf_counter()
            X, theta = make_graphical_model(2 * p, p, design=design, cond=10.0, seed=0)
            gen = time.perf_counter() - start
            for lam0 in args.scale_lambdas:
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    m = GraphL0BnB(lam0, lambda_2=1.0, algorithm="BnB",
                                   time_limit=args.time_limit).fit(X)
                fit = time.perf_counter() - start
                root = next((row["time"] for row in m.bnb_log_ if np.isfinite(row["bound"])),
                            np.nan)
                print(f"p={p} n={2 * p} {design} l0={lam0:g} l2=1: data {gen:.1f} s, fit "
                      f"{fit:.1f} s (first bound at {root:.1f} s of the search), {m.status_}, "
                      f"gap {m.gap_:.4%}, nodes {m.n_nodes_}, {m.relaxation_}, "
                      f"{m.n_edges_} edges, MCC {edge_mcc(theta, m.precision_):.3f}", flush=True)
            del X


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=["stats", "cv", "exact", "scale", "exact-large"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--cv-shapes", nargs="+", default=["400:200"],
                        help="n:p of the cv part's data sets")
    parser.add_argument("--lambda-2", type=float, default=0.01)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--designs", nargs="+", choices=["banded", "uniform"],
                        default=["banded", "uniform"], help="exact-large's designs")
    parser.add_argument("--peer-python", default=None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--scale-lambdas", type=float, nargs="+", default=[0.04])
    parser.add_argument("--glasso-max-p", type=int, default=1000)
    parser.add_argument("--instances", type=int, nargs="+", default=None,
                        help="indices into EXACT_INSTANCES (default: all)")
    args = parser.parse_args()
    {"stats": stats, "cv": cv_recovery, "exact": exact, "scale": scale,
     "exact-large": exact_large}[args.part](args)


if __name__ == "__main__":
    sys.exit(main())
