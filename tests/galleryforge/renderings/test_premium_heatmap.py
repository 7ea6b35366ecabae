"""premium-heatmap (the paper's figure): the numbers and shades read back from the drawn Axes.

The expected values come straight from the layer table and the expected shades from a min–max
scaling written out here, not from the rendering's helpers.
"""

from __future__ import annotations

import numpy as np
import pytest

from galleryforge.renderings import premium_heatmap
from galleryforge.renderings.registry import get_rendering
from tests.contexts import BuildRenderContext, DrawRendering, drawn
from tests.figures import artists_with_gid, heatmap_shade, relative_by_hand

# The headline metrics in the order the study's paper figure shows them.
COLUMNS = ["l0", "alpha", "g_alpha", "d_star", "mse", "fvu", "dead", "alive_frac"]


def _number(text: str) -> tuple[float, float]:
    """A cell's text as (value, half a unit in its last written digit): '1,234' -> (1234, 0.5)."""
    plain = text.replace(",", "")
    mantissa, _, exponent = plain.partition("e")
    decimals = len(mantissa.partition(".")[2])
    return float(plain), 0.5 * 10.0 ** (int(exponent or 0) - decimals)


@pytest.mark.parametrize(("trial", "theme"), [("A", "paper"), ("B", "presentation")])
def test_cells_read_back_as_the_table_and_its_relative_shades(
    draw_rendering: DrawRendering, trial: str, theme: str
) -> None:
    ctx, fig = draw_rendering(premium_heatmap, trial=trial, theme=theme)
    final = ctx.trial.final.sort_values("layer")
    table = final[COLUMNS].to_numpy(dtype=float)

    np.testing.assert_allclose(heatmap_shade(fig), relative_by_hand(final, COLUMNS), atol=1e-12)

    cells = artists_with_gid(fig, "cell-value")
    assert len(cells) == table.size  # every layer × metric written once
    for cell in cells:
        col, row = (round(v) for v in cell.get_position())  # type: ignore[attr-defined]
        value, half_unit = _number(cell.get_text())  # type: ignore[attr-defined]
        assert value == pytest.approx(table[row, col], abs=half_unit), (row, COLUMNS[col])


def test_constant_column_sits_mid_shade(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="B")  # trial B has no dead latents at any layer
    fig = drawn(ctx, premium_heatmap)
    assert (ctx.trial.final["dead"] == 0).all()
    np.testing.assert_array_equal(heatmap_shade(fig)[:, COLUMNS.index("dead")], 0.5)


def test_rows_and_columns_are_labelled_as_layers_and_metrics(
    draw_rendering: DrawRendering,
) -> None:
    _, fig = draw_rendering(premium_heatmap, trial="A")
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == ["L0", "L1", "L2", "L3", "L4", "L5"]
    columns = [t.get_text() for t in ax.get_xticklabels()]
    assert columns[0] == "L0" and columns[3] == r"$d^*_S$" and len(columns) == len(COLUMNS)
    assert get_rendering("SAE_Premium_Heatmap").id == "premium-heatmap"
