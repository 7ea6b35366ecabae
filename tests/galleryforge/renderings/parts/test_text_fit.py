"""parts.text_fit: label steps, legible row heights and the cell-fit rule, against hand sums."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from galleryforge.renderings.parts import text_fit
from tests.contexts import BuildRenderContext


def test_label_step_by_hand() -> None:
    # 24 labels of 8 pt at 1.35 spacing need 24 * 8 * 1.35 / 72 = 3.6 in.
    assert text_fit.label_step(24, 3.7, 8.0) == 1
    assert text_fit.label_step(24, 2.0, 8.0) == 2  # 3.6 / 2 = 1.8: every second label
    assert text_fit.label_step(24, 1.0, 8.0) == 4  # 3.6 / 1: every fourth


def test_rows_aspect_by_hand(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(theme="paper")
    width_in, _ = ctx.theme.figsize()
    row_in = ctx.theme.font.annotation_size * 1.9 / 72
    # Few rows keep the theme's proportions; many rows ask for (rows * row + 1.2 in) / width.
    assert text_fit.rows_aspect(ctx, 2) == ctx.theme.figure.aspect
    assert text_fit.rows_aspect(ctx, 32) == pytest.approx((32 * row_in + 1.2) / width_in)
    assert text_fit.rows_aspect(ctx, 1000) == 2.2  # capped


def test_text_width_scales_with_size() -> None:
    narrow, wide = text_fit.text_width_pt("0.50", 10), text_fit.text_width_pt("0.50", 20)
    assert wide == pytest.approx(2 * narrow, rel=0.02)
    assert text_fit.text_width_pt("32,768", 10) > text_fit.text_width_pt("0.5", 10)


def _axes(width_in: float, height_in: float) -> Figure:
    fig = Figure(figsize=(width_in, height_in))
    fig.add_axes((0.0, 0.0, 1.0, 1.0))
    return fig


def test_cells_fit_text_by_hand() -> None:
    # A 4 in × 2 in axes cut into 4 × 4 cells: each 72 pt wide and 36 pt tall.
    ax = _axes(4.0, 2.0).axes[0]
    short = text_fit.text_width_pt("0.50", 10)
    assert short + 2.5 < 72
    assert text_fit.cells_fit_text(ax, 4, 4, ["0.50"], 10)
    # A text as wide as the cell, or wider, does not fit (it needs 0.25 em of room).
    long_text = "0.50" * (int(72 // short) + 1)
    assert not text_fit.cells_fit_text(ax, 4, 4, ["0.50", long_text], 10)
    # 40 rows of 2 in: 3.6 pt a row, shorter than a 10 pt line.
    assert not text_fit.cells_fit_text(ax, 40, 4, ["0.50"], 10)
    # The widest of the texts decides: 8 columns of 36 pt hold "0.50" but not "32,768,000".
    assert text_fit.cells_fit_text(ax, 4, 8, ["0.50"], 10)
    assert text_fit.text_width_pt("32,768,000", 10) + 2.5 > 36
    assert not text_fit.cells_fit_text(ax, 4, 8, ["0.50", "32,768,000"], 10)
