"""Every public estimator and function documents every parameter and has a runnable Examples
section; the examples run here as doctests."""

import doctest
import inspect

import pytest

import bnb
import l0learn
from l0learn import datasets, metrics, models, plotting

numpydoc = pytest.importorskip("numpydoc.docscrape")

PUBLIC = ([getattr(l0learn, n) for n in l0learn.__all__
           if n != "__version__" and not inspect.ismodule(getattr(l0learn, n))]
          + [getattr(datasets, n) for n in ("make_sparse_regression", "make_additive_regression",
                                            "additive_signal", "make_multitask_regression",
                                            "make_graphical_model")]
          + [getattr(metrics, n) for n in ("edge_confusion", "edge_f1", "edge_mcc",
                                           "relative_frobenius_error")]
          + [getattr(plotting, n) for n in ("plot_coefficient_path", "plot_cv_errors",
                                            "plot_shape_functions")]
          + [models.regularization_loss, models.squared_error, models.logistic_loss,
             models.squared_hinge_loss, bnb.solve, bnb.Problem])


def _doc(obj):
    return numpydoc.ClassDoc(obj) if inspect.isclass(obj) else numpydoc.FunctionDoc(obj)


@pytest.mark.parametrize("obj", PUBLIC, ids=lambda o: o.__name__)
def test_every_parameter_is_described(obj):
    doc = _doc(obj)
    described = {}
    for entry in doc["Parameters"]:
        for name in entry.name.replace(" ", "").split(","):
            described[name.lstrip("*")] = bool("".join(entry.desc).strip())
    params = [p for p in inspect.signature(obj).parameters if p not in ("self",)]
    assert [p for p in params if not described.get(p)] == []


@pytest.mark.parametrize("obj", PUBLIC, ids=lambda o: o.__name__)
def test_examples_run(obj):
    assert _doc(obj)["Examples"], f"{obj.__name__} has no Examples section"
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(obj, obj.__name__, globs={})
    assert tests and tests[0].examples
    for test in tests:
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} failing example(s) in {obj.__name__}"


ESTIMATORS = [obj for obj in PUBLIC if inspect.isclass(obj) and hasattr(obj, "get_params")]


@pytest.mark.parametrize("obj", ESTIMATORS, ids=lambda o: o.__name__)
def test_every_fitted_attribute_is_described(obj):
    doc = _doc(obj)
    assert doc["Attributes"]
    assert [a.name for a in doc["Attributes"] if not "".join(a.desc).strip()] == []
