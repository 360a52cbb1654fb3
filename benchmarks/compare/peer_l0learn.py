"""Run one L0Learn (0.4.3) or abess call in the peer environment (Python 3.10, numpy < 2).

Usage: python peer_l0learn.py DATA.npz CONFIG.json OUT.npz
Reads X, y from DATA.npz, runs the call named in CONFIG.json three times (first
call timed separately), and writes timings and the path's solutions to OUT.npz.
Run from this folder so that this repository's own l0learn is not importable.
"""

import json
import sys
import time

import numpy as np


def main(data, config, out):
    cfg = json.load(open(config))
    d = np.load(data)
    X, y = np.asfortranarray(d["X"]), d["y"]
    times = []
    if cfg["peer"] == "l0learn":
        import l0learn
        kwargs = cfg["kwargs"]
        if "lambda_grid" in kwargs:
            kwargs = dict(kwargs, num_lambda=None, num_gamma=None)
        for _ in range(cfg.get("repeat", 3)):
            t = time.perf_counter()
            fit = l0learn.fit(X, y, **kwargs)
            times.append(time.perf_counter() - t)
        lams = np.concatenate([np.asarray(l, float) for l in fit.lambda_0])
        gams = np.concatenate([np.full(len(l), g) for l, g in zip(fit.lambda_0, fit.gamma)])
        coef = np.hstack([c.toarray() for c in fit.coeffs])
        b0 = np.concatenate([np.asarray(i, float) for i in fit.intercepts])
    else:  # abess: best subset for every support size 0..max, information-criterion tuning
        import abess
        s_max = cfg["max_support_size"]
        for _ in range(cfg.get("repeat", 3)):
            t = time.perf_counter()
            model = abess.LinearRegression(support_size=list(range(0, s_max + 1)))
            model.fit(X, y)
            times.append(time.perf_counter() - t)
        coef = model.coef_[:, None]
        b0 = np.atleast_1d(model.intercept_)
        lams = gams = np.zeros(1)
    np.savez(out, times=np.array(times), lambda_0=lams, gamma=gams, coef=coef, intercept=b0)


if __name__ == "__main__":
    main(*sys.argv[1:4])
