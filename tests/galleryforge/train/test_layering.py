"""The trainer's subsystems import one way: data ← evaluation ← training; toy stands alone.

Read from the source with ``ast`` (imports inside functions count too), so a lazy import that
crosses the line is caught as well as a top-level one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import galleryforge.train

PACKAGE = Path(galleryforge.train.__file__).parent
SUBSYSTEMS = ("data", "evaluation", "training", "toy")
ALLOWED = {
    "data": {"data"},
    "evaluation": {"data", "evaluation"},
    "training": {"data", "evaluation", "training"},
    "toy": {"toy"},
}


def _subsystems_imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["galleryforge", "train"] and len(parts) > 2 and parts[2] in SUBSYSTEMS:
                found.add(parts[2])
    return found


def test_each_subsystem_imports_only_the_ones_beneath_it() -> None:
    crossing = {}
    for subsystem in SUBSYSTEMS:
        modules = sorted((PACKAGE / subsystem).glob("*.py"))
        assert modules, subsystem
        for module in modules:
            extra = _subsystems_imported(module) - ALLOWED[subsystem]
            if extra:
                crossing[f"{subsystem}/{module.name}"] = sorted(extra)
    assert crossing == {}


def test_the_check_sees_a_crossing_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text(
        "def f():\n    from galleryforge.train.training.config import TrialConfig\n"
        "from galleryforge.train.data.model import LoadedModel\n"
    )
    assert _subsystems_imported(module) == {"training", "data"}
