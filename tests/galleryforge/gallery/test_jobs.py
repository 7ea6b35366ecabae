"""Worker-side caches: a long-lived process sees tables and themes as they are now."""

from __future__ import annotations

import os
from pathlib import Path

from galleryforge.gallery.jobs import context_for
from galleryforge.gallery.request import Job
from galleryforge.tables import LAYERS, ordered, write_table
from tests.factories import build_layers, write_trial


def _job(runs: Path, theme: str = "paper") -> Job:
    return Job(
        runs=runs,
        out=runs / "gallery",
        trial="B",
        theme=theme,
        rendering="premium-heatmap",
        formats=("png",),
        theme_search=(),
    )


def test_a_rewritten_table_is_read_again(tmp_path: Path) -> None:
    root = write_trial(tmp_path, "B", n_layers=3)
    first = context_for(_job(tmp_path)).tables.final["mse"].tolist()
    layers = build_layers("B", 3)
    layers["mse"] = layers["mse"] * 2  # what a fresh training run would leave
    write_table(ordered(layers, LAYERS), root / "tables" / "layers.parquet")
    second = context_for(_job(tmp_path)).tables.final["mse"].tolist()
    assert second == [2 * value for value in first]


def test_an_edited_theme_file_is_read_again(tmp_path: Path) -> None:
    write_trial(tmp_path, "B", n_layers=3)
    theme = tmp_path / "mine.toml"
    theme.write_text('extends = "paper"\n[figure]\ndpi = 150\n')
    assert context_for(_job(tmp_path, str(theme))).theme.figure.dpi == 150
    theme.write_text('extends = "paper"\n[figure]\ndpi = 210\n')
    os.utime(theme, ns=(0, theme.stat().st_mtime_ns + 1_000_000))  # same size, newer file
    assert context_for(_job(tmp_path, str(theme))).theme.figure.dpi == 210
