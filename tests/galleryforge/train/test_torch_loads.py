"""Every ``torch.load`` in the package says where the tensors go: without ``map_location`` a file
saved on ``cuda:0`` loads onto ``cuda:0``, which fails on a machine without it (or fills a GPU the
run did not ask for)."""

from __future__ import annotations

import ast
from pathlib import Path

import galleryforge

PACKAGE = Path(galleryforge.__file__).parent


def torch_loads(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "load"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "torch"
    ]


def test_every_torch_load_names_a_map_location() -> None:
    found, missing = 0, []
    for path in sorted(PACKAGE.rglob("*.py")):
        for call in torch_loads(ast.parse(path.read_text(encoding="utf-8"))):
            found += 1
            if "map_location" not in {keyword.arg for keyword in call.keywords}:
                missing.append(f"{path.relative_to(PACKAGE.parent)}:{call.lineno}")
    assert found >= 3  # the resume files' loads (training.resume) are among them
    assert missing == []


def test_the_scan_finds_a_load_without_one() -> None:
    calls = torch_loads(ast.parse("torch.load(path, weights_only=True)\nnp.load(path)\n"))
    assert [call.lineno for call in calls] == [1]
