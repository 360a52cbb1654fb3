"""Run one additive-model peer on data from an .npz file; print a JSON line (run in the peer venv).

Usage: python peer_additive.py DATA.npz {ebm_mains,ebm_default,pygam,rulefit}
"""
import json
import sys
import time

import numpy as np


def main(path, which):
    data = np.load(path)
    X, y, Xt, yt = data["X"], data["y"], data["Xt"], data["yt"]
    if which.startswith("ebm"):
        from interpret.glassbox import ExplainableBoostingRegressor
        kwargs = dict(random_state=0, n_jobs=1)
        if which == "ebm_mains":
            kwargs["interactions"] = 0
        model = ExplainableBoostingRegressor(**kwargs)
    elif which == "pygam":
        from pygam import LinearGAM
        model = LinearGAM()
    elif which == "rulefit":
        from imodels import RuleFitRegressor
        model = RuleFitRegressor(random_state=0)
    else:
        raise SystemExit(f"unknown peer {which}")
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(X, y)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    pred = np.asarray(model.predict(Xt)).ravel()
    out = {"peer": which, "wall": wall, "cpu": cpu, "test_mse": float(np.mean((pred - yt) ** 2))}
    if which.startswith("ebm"):
        out["terms"] = len(model.term_features_)
    if which == "rulefit":
        rules = model._get_rules()
        out["rules"] = int((rules.coef != 0).sum())
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
