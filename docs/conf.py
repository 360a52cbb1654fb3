"""Sphinx configuration: ``python -m sphinx -W -b html docs docs/_build/html``."""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # document this checkout, installed or not
os.environ.setdefault("MPLBACKEND", "Agg")

import l0learn  # noqa: E402

project = "l0learn"
author = "the l0learn developers"
copyright = "2026, the l0learn developers"
release = version = l0learn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
# Class pages: autodoc lists the members (see autodoc_default_options); no
# autosummary method tables, which would list inherited str / sklearn methods.
templates_path = ["_templates"]
# Members of each class, without scikit-learn's generated metadata-routing setters.
autodoc_default_options = {
    "members": True,
    "inherited-members": "BaseEstimator,RegressorMixin,ClassifierMixin,TransformerMixin,FitStateMixin,str,Enum,object",
    "exclude-members": ",".join(
        f"set_{m}_request" for m in ("fit", "score", "predict", "partial_fit", "transform",
                                     "predict_proba", "decision_function", "split"))
    + ",set_output,get_metadata_routing",
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()

# The vignettes are rendered with the outputs stored in them (refreshed by
# ``python vignettes/refresh.py``); building the site never re-runs them.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

sphinx_gallery_conf = {
    "examples_dirs": str(HERE / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
}

exclude_patterns = ["_build", "_templates", "examples", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.md5", "**.ipynb_checkpoints"]
html_theme = "pydata_sphinx_theme"
html_title = "l0learn"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
suppress_warnings = ["mystnb.unknown_mime_type", "config.cache"]
