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
