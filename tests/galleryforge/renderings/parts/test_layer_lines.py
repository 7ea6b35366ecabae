"""parts.layer_lines: a line per layer against tokens, in matplotlib and as plotly traces."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings.parts.layer_colors import layer_hex
from galleryforge.renderings.parts.layer_lines import layer_token_lines, plotly_layer_token_lines
from galleryforge.renderings.parts.panels import plotly_subplots
from tests.contexts import BuildRenderContext
from tests.figures import artists_with_gid


def test_a_line_per_layer_through_its_rows(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="A")
    fig, ax = ctx.figure()
    table = ctx.trial.layers
    layer_token_lines(ctx, ax, table, "l0", gid="probe", marker="o")
    lines = artists_with_gid(fig, "probe")
    assert len(lines) == ctx.trial.n_layers
    last = table[table["layer"] == ctx.trial.layer_ids[-1]]
    np.testing.assert_allclose(lines[-1].get_xdata(), last["tokens"])  # type: ignore[attr-defined]
    np.testing.assert_allclose(lines[-1].get_ydata(), last["l0"])  # type: ignore[attr-defined]
    assert lines[0].get_marker() == "o"  # type: ignore[attr-defined]


def test_plotly_traces_layer_by_layer_one_legend_entry_each(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context(trial="A")
    fig = plotly_subplots(ctx, 1, 2)
    table = ctx.trial.layers
    plotly_layer_token_lines(ctx, fig, table, [("l0", "L0", 1, 1), ("mse", "MSE", 1, 2)])
    layers = list(ctx.trial.layer_ids)
    assert len(fig.data) == 2 * len(layers)
    assert [t.name for t in fig.data if t.showlegend] == [f"layer {k}" for k in layers]
    second = fig.data[3]  # layer 1's MSE trace, in the second panel
    rows = table[table["layer"] == layers[1]]
    np.testing.assert_allclose(second.y, rows["mse"])
    assert second.xaxis == "x2" and second.line.color == layer_hex(ctx, layers)[1]
    assert "MSE" in second.hovertemplate
