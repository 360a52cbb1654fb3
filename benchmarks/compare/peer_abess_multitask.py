"""abess MultiTaskRegression (common-support best subset, 5-fold CV) on data from an .npz; prints JSON.

Run in the peer environment (abess needs numpy < 2): python peer_abess_multitask.py DATA.npz
"""
import json
import sys
import time

import numpy as np


def main(path):
    from abess import MultiTaskRegression
    d = np.load(path)
    X, Y, Xt, Yt = d["X"], d["Y"], d["Xt"], d["Yt"]
    t = time.perf_counter()
    model = MultiTaskRegression(support_size=range(0, min(31, X.shape[1])), cv=5)
    model.fit(X, Y)
    elapsed = time.perf_counter() - t
    coef = np.asarray(model.coef_)  # (p, K)
    pred = Xt @ coef + np.asarray(model.intercept_)[None, :]
    rmse = float(np.mean(np.sqrt(np.mean((pred - Yt) ** 2, axis=0))))
    print(json.dumps({"time": elapsed, "rmse": rmse, "coef": coef.T.tolist()}))


if __name__ == "__main__":
    main(sys.argv[1])
