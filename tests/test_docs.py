"""The documentation site builds with warnings as errors (needs ``pip install ".[docs]"``)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("numpydoc")
pytest.importorskip("myst_nb")
pytest.importorskip("sphinx_gallery")
pytest.importorskip("pydata_sphinx_theme")

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q",
                           "-d", str(tmp_path / "doctrees"), "-b", "html", str(ROOT / "docs"),
                           str(out)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    api = (out / "api.html").read_text()
    for name in ("L0Regressor", "GraphL0BnB", "FIRERegressor", "bnb.solve", "fire_path"):
        assert name in api
    page = (out / "vignettes" / "l0_regression.html").read_text()
    assert "<img" in page  # the stored figures are rendered
