"""
Regularisation path and cross-validation
========================================

Coefficients of an L0L2 path against support size, and the cross-validated error
that picks one point of it (the sparsest within one standard error of the best).
"""

import matplotlib.pyplot as plt

from l0learn import L0RegressorCV
from l0learn.datasets import make_sparse_regression
from l0learn.plotting import plot_coefficient_path, plot_cv_errors

X, y, beta = make_sparse_regression(200, 500, 6, snr=5.0, seed=0)
cv = L0RegressorCV(penalty="L0L2", gamma=1e-3, max_support_size=15, cv=5,
                   selection="1se", random_state=0).fit(X, y)

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
plot_coefficient_path(cv.path_, ax=left)
left.set_title("coefficients along the path")
plot_cv_errors(cv.path_.support_size, cv.cv_means_, cv.cv_sds_, ax=right)
right.axvline(cv.support_.size, color="k", linestyle=":", label="chosen (1se)")
right.legend()
right.set_title("5-fold CV error")
fig.tight_layout()
print("chosen support:", sorted(cv.support_.tolist()))
print("true support:  ", sorted(beta.nonzero()[0].tolist()))
