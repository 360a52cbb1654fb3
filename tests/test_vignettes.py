"""Every notebook in vignettes/ runs top to bottom (a broken vignette fails CI)."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

VIGNETTES = sorted((Path(__file__).resolve().parents[1] / "vignettes").glob("*.ipynb"))


def test_there_are_vignettes():
    assert VIGNETTES


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.name)
def test_vignette_executes(path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [out for cell in nb.cells if cell.cell_type == "code"
              for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.name)
def test_vignette_is_stored_with_its_outputs(path):
    # Readers on GitHub and on the documentation site see the stored outputs
    # (``python vignettes/refresh.py`` refreshes them): every vignette shows a figure,
    # and at most one code cell (the imports) is without output.
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    silent = [cell for cell in code if not cell.get("outputs")]
    figures = [out for cell in code for out in cell.get("outputs", [])
               if "image/png" in out.get("data", {})]
    errors = [out for cell in code for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    assert len(silent) <= 1 and figures and not errors
