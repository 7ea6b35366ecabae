"""parts.layer_colors: a distinct colour per layer, ordered by depth; thinner crowded lines."""

from __future__ import annotations

import pytest
from matplotlib.colors import to_hex

from galleryforge.renderings.parts import layer_colors
from tests.contexts import BuildRenderContext


@pytest.mark.parametrize("theme", ["paper", "dark"])
def test_a_distinct_colour_per_layer_from_the_sequential_map(
    build_render_context: BuildRenderContext, theme: str
) -> None:
    ctx = build_render_context(theme=theme)
    layers = [0, 1, 2, 3, 4, 5]
    colours = layer_colors.layer_hex(ctx, layers)
    assert len(set(colours)) == len(layers)
    base = ctx.cmap("sequential")
    # Light canvases use the map from 0 to 0.85, dark ones from 0.25 to 1 (the faint end cut).
    first, last = (0.0, 0.85) if theme == "paper" else (0.25, 1.0)
    assert colours[0] == to_hex(base(first)) and colours[-1] == to_hex(base(last))


def test_lines_thin_out_above_twelve(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context()
    width = ctx.theme.lines.width
    assert layer_colors.layer_line_width(ctx, 12) == width
    assert layer_colors.layer_line_width(ctx, 24) == pytest.approx(0.6 * width)


def test_colorbar_keys_the_layers(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context()
    fig, ax = ctx.figure()
    layer_colors.layer_colorbar(ctx, fig, ax, list(range(6)))
    bar_ax = fig.axes[-1]
    assert bar_ax.get_ylabel() == "Layer"
    assert [t.get_text() for t in bar_ax.get_yticklabels()] == ["0", "1", "2", "3", "4", "5"]
