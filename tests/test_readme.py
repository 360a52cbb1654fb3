"""Every Python snippet of the README runs, in order, in one namespace, at small size.

Sizes and time limits are scaled down by the substitutions below; each must match,
so a README edit that changes a call shows up here rather than going untested.
"""

import re
from pathlib import Path

import matplotlib
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"

SMALLER = [  # (pattern, replacement, block index)
    (r"make_sparse_regression\(500, 5000, 10", "make_sparse_regression(120, 300, 10", 0),
    (r"time_limit=60\)\.fit\(X, y\)", "time_limit=3).fit(X, y)", 1),
    (r"time_limit=30\)", "time_limit=2)", 1),
    (r"make_additive_regression\(20000", "make_additive_regression(1500", 3),
    (r"n_lambdas=20, cv=5", "n_lambdas=4, cv=3", 3),
    (r"RandomForestRegressor\(500,", "RandomForestRegressor(20,", 4),
    (r"n_lambdas=20\)", "n_lambdas=3)", 4),
    (r"RandomForestClassifier\(500,", "RandomForestClassifier(20,", 4),
    (r"n_lambdas=10, cv=5", "n_lambdas=3, cv=3", 3),
    (r"max_support_size=15,\n                    cv=3", "max_support_size=4,\n                    cv=2", 0),
    (r"make_multitask_regression\(\n    100, 250, 4", "make_multitask_regression(\n    40, 60, 4", 5),
    (r"make_multitask_regression\(100, 250, 3", "make_multitask_regression(40, 60, 3", 5),
    (r"make_multitask_regression\(500, 100, 4", "make_multitask_regression(150, 30, 4", 5),
    (r"s=15", "s=12", 5),
    (r"make_graphical_model\(400, 200", "make_graphical_model(150, 20", 6),
    (r"time_limit=60\)\.fit\(X\)", "time_limit=3).fit(X)", 6),
    (r"make_sparse_regression\(500, 5000, 10", "make_sparse_regression(120, 300, 10", 7),
]


def _blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_snippets_run():
    matplotlib.use("Agg")
    blocks = _blocks()
    assert len(blocks) == 8
    for pattern, replacement, index in SMALLER:
        blocks[index], n = re.subn(pattern, replacement, blocks[index])
        assert n, f"README block {index + 1} no longer contains {pattern!r}"
    namespace = {}
    for index, code in enumerate(blocks):
        try:
            exec(compile(code, f"README block {index + 1}", "exec"), namespace)
        except Exception as exc:  # name the block in the failure
            pytest.fail(f"README block {index + 1} failed: {exc!r}")
