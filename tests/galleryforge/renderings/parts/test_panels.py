"""parts.panels: the grid whose panels come closest to the asked shape; plotly on the theme."""

from __future__ import annotations

import pytest

from galleryforge.renderings.parts.panels import panel_grid, plotly_subplots, used_panels
from galleryforge.themes.plotly_template import PIXELS_PER_INCH
from tests.contexts import BuildRenderContext


@pytest.mark.parametrize(
    ("count", "figsize", "aspect", "grid"),
    [
        (4, (6.0, 6.0), 1.0, (2, 2)),  # four square panels on a square canvas
        (3, (9.0, 3.0), 1.0, (1, 3)),  # a wide strip: three 3 × 3 squares in a row
        (3, (3.0, 9.0), 1.0, (3, 1)),  # a tall strip: stacked
        (1, (6.4, 4.0), 0.7, (1, 1)),
    ],
)
def test_panel_grid_by_hand(
    count: int, figsize: tuple[float, float], aspect: float, grid: tuple[int, int]
) -> None:
    assert panel_grid(count, figsize, panel_aspect=aspect) == grid


def test_an_empty_slot_costs_more_than_a_small_misfit() -> None:
    # 3 panels on a square canvas: 2 × 2 would give square panels but leave one slot empty
    # (cost 0.25); 1 × 3 gives panels 3 times taller than wide (|ln 3| = 1.10); 3 × 1 likewise.
    assert panel_grid(3, (6.0, 6.0), panel_aspect=1.0) == (2, 2)


def test_plotly_subplots_take_the_theme_size(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(theme="presentation")
    fig = plotly_subplots(ctx, 2, 3)
    width, height = ctx.theme.figsize()
    assert fig.layout.width == round(width * PIXELS_PER_INCH)
    assert fig.layout.height == round(height * PIXELS_PER_INCH)
    assert len(fig.layout.annotations) == 0 and fig.layout.xaxis6 is not None


def test_used_panels_are_the_first_ones_and_the_rest_hidden(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context()
    _fig, axes = ctx.figure(2, 3, squeeze=False)
    used = used_panels(axes, 4)
    assert used == [axes[0, 0], axes[0, 1], axes[0, 2], axes[1, 0]]  # row by row
    assert [ax.get_visible() for ax in axes.flat] == [True] * 4 + [False] * 2
