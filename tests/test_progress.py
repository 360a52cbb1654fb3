"""Long work reports progress when asked (``verbose``) and is silent by default."""

import numpy as np
import pytest

import l0learn
from l0learn import (FASTRegressorCV, GraphL0BnBCV, L0ClassifierCV, L0RegressorCV,
                     MultiTaskL0RegressorCV, fire_path, l0_path)
from l0learn._shared import progress as progress_module
from l0learn.datasets import (make_graphical_model, make_multitask_regression,
                              make_sparse_regression)


@pytest.fixture(autouse=True)
def plain_lines(monkeypatch):
    # the plain-line reporter, whether or not tqdm is installed here
    import builtins
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_tqdm)


X, y, _ = make_sparse_regression(80, 30, 3, seed=0)
Xg, _ = make_graphical_model(80, 6, seed=0)
Xm, ym, tm, _, _ = make_multitask_regression(30, 30, 2, shared_design=False, random_state=0)

CASES = {
    "L0RegressorCV": (lambda v: L0RegressorCV(cv=3, max_support_size=5, verbose=v).fit(X, y),
                      "3/3 folds"),
    "L0ClassifierCV": (lambda v: L0ClassifierCV(cv=3, max_support_size=3, verbose=v)
                       .fit(X, y > np.median(y)), "3/3 folds"),
    "cvfit": (lambda v: l0learn.cvfit(X, y, num_folds=3, max_support_size=5, verbose=v),
              "3/3 folds"),
    "FASTRegressorCV": (lambda v: FASTRegressorCV(n_lambdas=3, cv=3, verbose=v).fit(X[:, :4], y),
                        "3/3 folds"),
    "GraphL0BnBCV": (lambda v: GraphL0BnBCV(n_lambda=3, cv=3, verbose=v).fit(Xg), "3/3 folds"),
    "MultiTaskL0RegressorCV": (lambda v: MultiTaskL0RegressorCV(
        s_values=(12,), lambda_z_values=(0.0,), cv=3, verbose=v).fit(Xm, ym, tasks=tm),
        "3/3 folds"),
    "l0_path": (lambda v: l0_path(X, y, penalty="L0L2", num_gamma=2, max_support_size=4,
                                  verbose=v), "2/2 gamma paths"),
    "l0_path BnB": (lambda v: l0_path(X, y, penalty="L0L2", gamma=0.1, algorithm="BnB",
                                      max_support_size=3, verbose=v), "certified points"),
    "fire_path": (lambda v: fire_path(X, y, n_lambdas=3, random_state=0, verbose=v),
                  "3/3 path points"),
}


@pytest.mark.parametrize("name", CASES)
def test_verbose_reports_and_default_is_silent(name, capsys):
    run, expected = CASES[name]
    run(False)
    silent = capsys.readouterr()
    assert silent.err == "" and silent.out == ""
    run(True)
    err = capsys.readouterr().err
    assert expected in err and "s left" in err


def test_progress_counts_and_estimates(capsys):
    with progress_module.Progress(4, "things", True) as p:
        for _ in range(4):
            p.update(info="ok")
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 4 and lines[-1].startswith("4/4 things") and "(ok)" in lines[-1]
