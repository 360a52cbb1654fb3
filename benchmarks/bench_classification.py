"""L0 classification: ours vs L0Learn 0.4.3 and scikit-learn's L1 logistic path, one run.

    python benchmarks/bench_classification.py [--peer-python PATH]

Data: the methods note's design (n=500, p=5000, k=10, SNR 5), labels sign(y - median y).
Configs: L0Learn ``fit(loss=..., penalty="L0L2", gamma=0.01, max_support_size=20)`` for the
logistic and squared-hinge losses, CD and CDPSI. Time: median of 3 warm runs. Objectives:
ours re-solved on L0Learn's lambda_0 grid, both evaluated by one function.
"""

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from bench_linear import DEFAULT_PEER, make_data, run_peer, time_ours


def objective(X, y_pm, coef, intercept, lam0, lam2, loss):
    mu = X.mean(axis=0)
    norm = np.sqrt(np.maximum((X * X).sum(axis=0) - len(y_pm) * mu * mu, 0))
    m = y_pm * (intercept + X @ coef)
    b = coef * norm
    value = np.logaddexp(0, -m).sum() if loss == "Logistic" else (
        np.maximum(0, 1 - m) ** 2).sum()
    return value + lam0 * np.count_nonzero(b) + lam2 * b @ b


def main():
    import l0learn
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import l1_min_c

    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python", default=str(DEFAULT_PEER))
    args = ap.parse_args()
    X, y = make_data(500, 5000, 1)
    labels = np.where(y > np.median(y), 1.0, -1.0)
    print(f"{'config':<24}{'ours s':>9}{'L0Learn s':>11}{'ratio':>7}{'points':>8}"
          f"{'max obj diff':>15}{'worse pts':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "d.npz"
        np.savez(data, X=X, y=labels)
        for loss in ("Logistic", "SquaredHinge"):
            for algo in ("CD", "CDPSI"):
                kw = dict(loss=loss, penalty="L0L2", algorithm=algo, max_support_size=20,
                          gamma_max=0.01, gamma_min=0.01)
                t_ours, _ = time_ours(lambda: l0learn.fit(X, labels, **kw))
                peer = run_peer(args.peer_python, data, {"peer": "l0learn", "kwargs": kw})
                if peer is None:
                    print(f"{loss + ' ' + algo:<24}{t_ours:9.3f}   peer crashed")
                    continue
                grid = [peer["lambda_0"].tolist()]
                ours = l0learn.fit(X, labels, **dict(kw, lambda_grid=grid, num_lambda=None,
                                                     num_gamma=None))
                n = min(len(grid[0]), len(ours.lambda_0[0]))
                diffs = np.array([
                    objective(X, labels, ours.coeffs[0][:, j].toarray().ravel(),
                              ours.intercepts[0][j], grid[0][j], 0.01, loss)
                    - objective(X, labels, peer["coef"][:, j], peer["intercept"][j],
                                grid[0][j], 0.01, loss) for j in range(n)])
                t_peer = float(np.median(peer["times"]))
                worse = int(np.sum(diffs > 1e-6 * np.abs(diffs).max() + 1e-9))
                print(f"{loss + ' ' + algo:<24}{t_ours:9.3f}{t_peer:11.3f}{t_ours / t_peer:7.2f}"
                      f"{n:8d}{diffs.max():15.3e}{worse:10d}")
    cs = l1_min_c(X, labels, loss="log") * np.logspace(0, 2, 20)
    model = LogisticRegression(penalty="l1", solver="liblinear", tol=1e-4, warm_start=True)

    def sklearn_path():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sizes = []
            for c in cs:
                model.set_params(C=c).fit(X, labels)
                sizes.append(int(np.count_nonzero(model.coef_)))
        return sizes

    t_sk, sizes = time_ours(sklearn_path, repeat=1)
    t_l0, _ = time_ours(lambda: l0learn.fit(X, labels, loss="Logistic", penalty="L0L2",
                                             algorithm="CDPSI", max_support_size=20,
                                             gamma_max=0.01, gamma_min=0.01))
    print(f"scikit-learn LogisticRegression(l1, liblinear) warm path, 20 C values "
          f"(supports {sizes[0]}..{sizes[-1]}): {t_sk:.3f} s; ours Logistic CDPSI path "
          f"{t_l0:.3f} s (ratio {t_l0 / t_sk:.2f})")


if __name__ == "__main__":
    main()
