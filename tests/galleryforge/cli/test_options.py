"""Option values: comma lists mean the same as repeated options; workers default to the cores."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from galleryforge.cli.main import main
from galleryforge.cli.options import comma_list, worker_count


def test_comma_lists_and_repeats_flatten_in_order_once_each() -> None:
    assert comma_list(["paper,dark", "blog", " dark , social ", ""]) == (
        "paper",
        "dark",
        "blog",
        "social",
    )
    assert comma_list(None) == ()


def test_workers_default_to_the_cores() -> None:
    assert worker_count(3) == 3
    assert worker_count(None) == (os.cpu_count() or 1)


def _themes_drawn(runs: Path, out: Path, *theme_args: str) -> set[str]:
    args = ["render", "--runs", str(runs), "--out", str(out), "-q", "--trial", "B"]
    args += ["--rendering", "kpi-summary", "--format", "png", "-j", "1", *theme_args]
    assert main(args) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    return {item["theme"] for item in manifest["files"]}


@pytest.mark.parametrize(
    "theme_args",
    [("--theme", "paper,dark"), ("--theme", "paper", "--theme", "dark")],
    ids=["comma", "repeated"],
)
def test_render_takes_themes_as_a_comma_list(
    runs_dir: Path, tmp_path: Path, theme_args: tuple[str, ...]
) -> None:
    assert _themes_drawn(runs_dir, tmp_path / "gallery", *theme_args) == {"paper", "dark"}
