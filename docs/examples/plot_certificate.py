"""
Reading a branch-and-bound certificate
======================================

The exact L0L2 solver's progress: the incumbent (best solution found) falls and the
lower bound rises until the relative gap closes. Both come from ``bnb_log_``.
"""

import matplotlib.pyplot as plt
import pandas as pd

from l0learn import L0Regressor
from l0learn.datasets import make_sparse_regression

X, y, _ = make_sparse_regression(300, 600, 5, snr=5.0, seed=4)
m = L0Regressor("L0L2", lambda_0=0.01, gamma=0.05, algorithm="BnB", time_limit=30).fit(X, y)

log = pd.DataFrame(m.bnb_log_)
fig, ax = plt.subplots(figsize=(6, 4))
ax.step(log["time"], log["incumbent"], where="post", label="incumbent")
ax.step(log["time"], log["bound"], where="post", label="lower bound")
ax.set_xlabel("seconds since the start of fit")
ax.set_ylabel("objective (normalised scale)")
ax.set_title(f"status {m.status_}, gap {m.gap_:.2e}, {m.n_nodes_} nodes")
ax.legend()
fig.tight_layout()
