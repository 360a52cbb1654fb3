"""abess MultinomialRegression at given support sizes on the folds of an .npz; prints JSON.

Run in the peer environment (abess needs numpy < 2):
    python peer_abess_multinomial.py DATA.npz SIZES_JSON

The .npz holds ``X`` (standardised per fold by the caller), ``y`` (class indices) and
``fold`` (the test fold of each row; -1: a training row of every fold).  One fit per (fold, size); abess refuses
constant columns, so columns constant on a fold's training rows are left out there.
"""
import json
import sys
import time

import numpy as np


def main(path, sizes):
    from abess.linear import MultinomialRegression

    d = np.load(path)
    X, y, fold = d["X"], d["y"], d["fold"]
    out = {"accuracy": [], "time": [], "support": []}
    for f in np.unique(fold[fold >= 0]):
        train, test = fold != f, fold == f
        keep = np.flatnonzero(X[train].std(axis=0) > 0)
        acc, secs, supp = [], [], []
        for s in sizes:
            model = MultinomialRegression(support_size=[min(s, keep.size)])
            t = time.perf_counter()
            model.fit(X[train][:, keep], y[train])
            secs.append(time.perf_counter() - t)
            pred = model.predict(X[test][:, keep])
            acc.append(float(np.mean(np.asarray(pred).ravel() == y[test])))
            supp.append(int(np.count_nonzero(np.any(np.asarray(model.coef_) != 0, axis=1))))
        out["accuracy"].append(acc)
        out["time"].append(secs)
        out["support"].append(supp)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
