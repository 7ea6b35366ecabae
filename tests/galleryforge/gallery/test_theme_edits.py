"""An edited theme file draws its figures again: the cache keys each job by the theme's contents."""

from __future__ import annotations

import shutil
from pathlib import Path

from galleryforge.cli.main import main
from galleryforge.resources import data_dir


def _render(runs: Path, out: Path, theme: Path) -> int:
    args = ["render", "--runs", str(runs), "--out", str(out), "-q", "--trial", "B"]
    return main([*args, "--rendering", "kpi-summary", "--theme", str(theme), "--format", "png"])


def test_a_changed_theme_file_redraws_and_an_unchanged_one_does_not(
    runs_dir: Path, tmp_path: Path
) -> None:
    themes, out = tmp_path / "themes", tmp_path / "gallery"
    shutil.copytree(data_dir("themes"), themes)
    mine = themes / "mine.toml"
    mine.write_text((themes / "paper.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert _render(runs_dir, out, mine) == 0
    (png,) = out.rglob("*.png")
    first = png.read_bytes()

    assert _render(runs_dir, out, mine) == 0
    assert png.read_bytes() == first  # nothing changed: answered from the cache

    with mine.open("a", encoding="utf-8") as edit:  # a pink canvas instead of white
        edit.write('\n[colors]\nbackground = "#fde8e8"\n')
    assert _render(runs_dir, out, mine) == 0
    assert _render(runs_dir, tmp_path / "fresh", mine) == 0
    (fresh,) = (tmp_path / "fresh").rglob("*.png")
    assert fresh.read_bytes() != first  # the edit shows in a figure drawn from scratch ...
    assert png.read_bytes() == fresh.read_bytes()  # ... and in the gallery that had the old one
