"""Re-execute the vignettes and store their outputs (figures, tables) in place.

    python vignettes/refresh.py [NAME ...]      # default: every notebook here

The stored outputs are what readers see on GitHub and in the documentation site
(which renders them without re-running).  The test suite executes every vignette
separately, so a broken one fails CI even if its stored outputs are stale.
"""

import os
import sys
import time
from pathlib import Path

import nbclient
import nbformat

HERE = Path(__file__).resolve().parent


def refresh(path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=1200, kernel_name="python3",
                                     resources={"metadata": {"path": str(HERE)}})
    start = time.perf_counter()
    client.execute()
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(names):
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    paths = [HERE / (n if n.endswith(".ipynb") else f"{n}.ipynb") for n in names] or sorted(
        HERE.glob("*.ipynb"))
    for path in paths:
        print(f"{path.name}: {refresh(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
