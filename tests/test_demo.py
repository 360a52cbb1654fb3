"""The README's main job: ``python -m l0learn demo``."""

from l0learn.__main__ import main


def test_demo_runs_and_reports(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Chosen: lambda_0=" in out
    assert "(optimal," in out and "Certified by branch and bound" in out
    assert "The 10-feature solution is the true support: True" in out
    assert "GraphL0BnB on a banded Gaussian graphical model" in out
    assert "certified at lambda_2=1: optimal" in out
