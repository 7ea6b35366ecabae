"""parts.toy_curves: seed statistics, log-log interpolation, ε, and the grid of toy panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from galleryforge.renderings.parts import toy_curves
from tests.contexts import BuildRenderContext


def test_seed_stats_by_hand() -> None:
    sweep = pd.DataFrame(
        {
            "decoder": ["lp"] * 4,
            "alpha": [0.9] * 4,
            "features": [64] * 4,
            "width": [8, 8, 16, 16],
            "seed": [0, 1, 0, 1],
            "normalised_loss": [0.5, 0.3, 0.02, 0.04],
        }
    )
    stats = toy_curves.seed_stats(sweep)
    assert stats["width"].tolist() == [8, 16]
    np.testing.assert_allclose(stats["mean"], [0.4, 0.03])
    np.testing.assert_allclose(stats["min"], [0.3, 0.02])
    np.testing.assert_allclose(stats["max"], [0.5, 0.04])


def test_loss_at_interpolates_in_log_log_and_clamps() -> None:
    widths, losses = np.array([10.0, 1000.0]), np.array([1.0, 1e-4])
    # A power law is a straight line in log-log: halfway in log width is halfway in log loss.
    assert toy_curves.loss_at(widths, losses, 100.0, floor=1e-9) == pytest.approx(1e-2)
    assert toy_curves.loss_at(widths, losses, 5000.0, floor=1e-9) == pytest.approx(1e-4)
    # Below the floor the curve is read at the floor (exact recovery reaches 0).
    assert toy_curves.loss_at(widths, np.array([1.0, 0.0]), 1000.0, floor=1e-3) == pytest.approx(
        1e-3
    )


def test_epsilon_from_the_summary_else_the_default() -> None:
    assert toy_curves.epsilon(pd.DataFrame({"epsilon": [0.05]})) == 0.05
    assert toy_curves.epsilon(pd.DataFrame({"ratio": [1.0]})) == 0.01


def test_the_grid_has_a_panel_per_read_out_and_k(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context(trial="toy")
    grid = toy_curves.curve_grid(ctx)
    summary = ctx.toy_tables.summary
    panels = list(grid.panels())
    assert (grid.axis, grid.symbol) == ("k", "k")
    assert len(panels) == summary["decoder"].nunique() * summary["k"].nunique()
    assert grid.floor == pytest.approx(grid.epsilon / toy_curves.DEPTH)
    _, _, decoder, k, cells = panels[0]
    assert (decoder, k) == ("lp", min(summary["k"]))
    assert grid.title(decoder, k) == "lp, k = 2"
    assert sorted(c.features for c in cells) == sorted(summary["features"].unique())
    widths, stats = grid.curve(cells[0])
    sweep = ctx.toy_tables.sweep
    rows = sweep[
        (sweep["decoder"] == decoder)
        & (sweep["alpha"] == cells[0].alpha)
        & (sweep["features"] == cells[0].features)
    ]
    np.testing.assert_allclose(widths, sorted(rows["width"].unique()))
    np.testing.assert_allclose(stats["mean"], rows.groupby("width")["normalised_loss"].mean())
