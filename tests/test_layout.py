"""The house rules of the layout: bnb stands alone, families import only shared modules."""

import ast
from pathlib import Path

import pytest

import l0learn

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ("linear_model", "covariance", "additive", "rules", "multitask")


def imported_modules(path, package):
    """Absolute names of the modules a file imports (relative imports resolved).

    ``package`` is the package the file belongs to (for ``__init__.py``, itself).
    """
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module
            names.append(mod)
            names += [f"{mod}.{a.name}" for a in node.names]
    return names


def package_of(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1])


def test_bnb_imports_nothing_from_l0learn():
    for path in (ROOT / "bnb").rglob("*.py"):
        bad = [m for m in imported_modules(path, package_of(path)) if m.split(".")[0] == "l0learn"]
        assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("family", FAMILIES)
def test_family_uses_no_other_family(family):
    for path in (ROOT / "l0learn" / family).rglob("*.py"):
        for mod in imported_modules(path, package_of(path)):
            parts = mod.split(".")
            if parts[0] == "l0learn" and len(parts) > 1 and parts[1] in FAMILIES:
                assert parts[1] == family, f"{path.relative_to(ROOT)} imports {mod}"


def test_no_role_folders_remain():
    for role in ("_kernels", "mio"):
        assert not (ROOT / "l0learn" / role).exists()


def test_public_names_import_from_the_top():
    for name in l0learn.__all__:
        assert getattr(l0learn, name) is not None
    from l0learn import cvfit, datasets, fit, metrics, plotting  # noqa: F401
