"""The README's exact-regression examples run as written, at a small size."""

import re
import warnings
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[2] / "README.md"


def exact_section_code():
    text = README.read_text()
    section = text[text.index("### Exact solutions with a certificate"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_exact_examples_run_at_small_size():
    from l0learn import L0Regressor, l0_path
    from l0learn.datasets import make_sparse_regression
    X, y, _ = make_sparse_regression(80, 40, 4, snr=5.0, seed=1)
    scope = dict(L0Regressor=L0Regressor, l0_path=l0_path, X=X, y=y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(exact_section_code(), scope)
    assert scope["m"].status_ == "optimal" and scope["best10"].status_ == "optimal"
    assert np.count_nonzero(scope["best10"].coef_) <= 10
    assert np.all(scope["path"].gap <= 1e-4)
