"""
Edges of a sparse graphical model
=================================

GraphL0BnB with the edge price chosen by cross-validated pseudolikelihood, against
the true banded precision matrix.
"""

import matplotlib.pyplot as plt
import numpy as np

from l0learn import GraphL0BnBCV
from l0learn.datasets import make_graphical_model
from l0learn.metrics import edge_mcc

X, theta = make_graphical_model(300, 30, design="banded", cond=10.0, seed=0)
m = GraphL0BnBCV(lambda_2=0.01).fit(X)

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4))
left.imshow(theta != 0, cmap="Greys")
left.set_title("true edges")
right.imshow(m.precision_ != 0, cmap="Greys")
right.set_title(f"estimated (lambda_0={m.lambda_0_:.3g}, MCC {edge_mcc(theta, m.precision_):.2f})")
for ax in (left, right):
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
print("edges:", int(np.count_nonzero(np.triu(m.precision_, 1))))
