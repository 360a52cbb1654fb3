"""The README's main job: ``python -m l0learn demo``."""

from l0learn.__main__ import main


def test_demo_runs_and_explains_itself(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    header = out.split("\n\n")[0]
    for family in ("branch and bound", "FAST", "FIRE", "GraphL0BnB"):
        assert family in header
    assert "<- chosen: smallest mean CV error" in out
    assert out.count("<- chosen") == 1
    assert "intercept-only model, same folds: cv_mse" in out
    assert "Certified by branch and bound" in out and "(optimal: gap below gap_tol" in out
    assert "training mean squared error" in out
    assert "The 10-feature solution is the true support: True" in out
    assert "Prediction = " in out and "contribution  rule" in out
    assert "The same model certified by branch and bound" in out
    assert " 1 nodes" not in out and " 1 rules" not in out and " 1 edges" not in out
    assert "Whole demo:" in out
