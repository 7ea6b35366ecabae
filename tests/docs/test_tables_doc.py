"""docs/tables.md: its CSV example renders as the page says, and it lists every schema column."""

from __future__ import annotations

import math
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from galleryforge.cli.main import main
from galleryforge.gallery.inputs import RenderInputs
from galleryforge.gallery.request import Job
from galleryforge.renderings import kd_quantities
from galleryforge.tables import (
    CURVES,
    EXAMPLES,
    FEATURES,
    LAYERS,
    LOGITS,
    TOY_SUMMARY,
    TOY_SWEEP,
)
from galleryforge.themes.mpl import theme_style
from tests.figures import artists_with_gid

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "tables.md").read_text(encoding="utf-8")


def _block(language: str) -> str:
    (block,) = re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)
    return block


def test_csv_example_renders_with_the_values_the_page_states(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    layers = tmp_path / "runs" / "mine" / "tables" / "layers.csv"
    layers.parent.mkdir(parents=True)
    layers.write_text(_block("csv"), encoding="utf-8")
    for line in _block("bash").splitlines():
        words = shlex.split(line)
        assert words[0] == "galleryforge"
        assert main(words[1:]) == 0, line
    assert (tmp_path / "build" / "gallery" / "mine" / "paper" / "kd-quantities.png").is_file()

    # The figure the doc's command drew, drawn again to read back its values.
    job = Job(tmp_path / "runs", tmp_path, "mine", "paper", "kd-quantities", formats=())
    ctx = RenderInputs(job.runs).job_context(job)
    with theme_style(ctx.theme):
        fig = kd_quantities.draw(ctx)
    # By hand from the CSV: F_alive = width − dead, α = 1 − L0/F_alive, d* = L0·ln(F_alive/L0).
    alive = np.array([4096 - 12, 4096 - 40])
    l0 = np.array([120.5, 96.0])
    (alpha,) = artists_with_gid(fig, "kd-alpha")
    (d_star,) = artists_with_gid(fig, "d-star")
    np.testing.assert_allclose(alpha.get_ydata(), 1 - l0 / alive)  # type: ignore[attr-defined]
    np.testing.assert_allclose(d_star.get_ydata(), l0 * np.log(alive / l0))  # type: ignore[attr-defined]
    stated = re.search(r"α = .*? ≈ ([\d.]+) and d\*_S = .*? ≈ ([\d.]+)", DOC)
    assert stated is not None
    assert float(stated.group(1)) == round(1 - 120.5 / 4084, 4)
    assert float(stated.group(2)) == round(120.5 * math.log(4084 / 120.5), 1)


def test_every_schema_column_is_documented() -> None:
    for schema in (LAYERS, CURVES, FEATURES, EXAMPLES, LOGITS, TOY_SWEEP, TOY_SUMMARY):
        for column in (*schema.columns, *schema.optional):
            assert f"`{column.name}`" in DOC, f"{schema.name}.{column.name}"
