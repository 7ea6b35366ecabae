"""parts.heatmap: values written only when every one fits, in ink that reads on its cell."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from matplotlib.colors import ListedColormap

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts import heatmap
from galleryforge.themes.mpl import theme_style
from tests.contexts import BuildRenderContext
from tests.figures import artists_with_gid, relative_by_hand

# Black at shade 0, white at 1: the ink must be light on the first cell and dark on the last.
BLACK_TO_WHITE = ListedColormap(["#000000", "#ffffff"])

PaperAxes = tuple[RenderContext, Any, Any]


@pytest.fixture
def paper_axes(build_render_context: BuildRenderContext) -> Iterator[PaperAxes]:
    """(context, figure, axes): an empty figure under the paper theme, its style active while the
    test draws."""
    ctx = build_render_context(theme="paper")
    with theme_style(ctx.theme):
        fig, ax = ctx.figure()
        yield ctx, fig, ax


def test_write_cells_centres_each_text_with_readable_ink(paper_axes: PaperAxes) -> None:
    ctx, fig, ax = paper_axes
    shade = np.array([[0.0, 1.0]])
    ax.imshow(shade, cmap=BLACK_TO_WHITE, vmin=0, vmax=1, aspect="auto")
    assert heatmap.write_cells(ctx, ax, [["0.12", "3,400"]], shade, BLACK_TO_WHITE)
    texts = artists_with_gid(fig, "cell-value")
    assert [(t.get_text(), t.get_position()) for t in texts] == [  # type: ignore[attr-defined]
        ("0.12", (0, 0)),
        ("3,400", (1, 0)),
    ]
    colours = ctx.theme.colors
    assert texts[0].get_color() == colours.annotation_light  # type: ignore[attr-defined]
    assert texts[1].get_color() == colours.annotation_dark  # type: ignore[attr-defined]


def test_write_cells_writes_nothing_when_one_text_does_not_fit(paper_axes: PaperAxes) -> None:
    ctx, fig, ax = paper_axes
    shade = np.zeros((2, 2))
    texts = [["1", "2"], ["3", "9" * 200]]  # 200 digits: wider than the whole canvas
    assert not heatmap.write_cells(ctx, ax, texts, shade, BLACK_TO_WHITE)
    assert artists_with_gid(fig, "cell-value") == []


def test_colorbar_ends_are_labelled(paper_axes: PaperAxes) -> None:
    ctx, _fig, ax = paper_axes
    image = ax.imshow(np.array([[0.0, 1.0]]), vmin=0, vmax=1)
    heatmap.colorbar(ctx, image, ax, "relative within metric", ends=("low", "high"))
    bar = image.colorbar
    assert bar is not None and bar.ax.get_ylabel() == "relative within metric"
    assert [t.get_text() for t in bar.ax.get_yticklabels()] == ["low", "high"]
    assert list(bar.get_ticks()) == [0.0, 1.0]


def test_layer_heatmap_rows_are_layers_columns_the_metrics(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context(trial="A")
    with theme_style(ctx.theme):
        fig, ax = ctx.figure(aspect=1.2)
        image = heatmap.layer_heatmap(ctx, ax, ["l0", "mse"], cmap=ctx.cmap())
    final = ctx.trial.final.sort_values("layer")
    l0 = final["l0"].to_numpy()
    shade = np.asarray(image.get_array())
    np.testing.assert_allclose(shade[:, 0], (l0 - l0.min()) / (l0.max() - l0.min()))
    texts = {t.get_position(): t.get_text() for t in artists_with_gid(fig, "cell-value")}  # type: ignore[attr-defined]
    assert texts[(0, 5)] == f"{final['l0'].iloc[5]:,.0f}"  # L0 of the last layer, bottom left
    assert [t.get_text() for t in ax.get_xticklabels()] == ["L0", "MSE"]


def test_heatmap_figure_is_titled_with_the_trial_and_labels_the_layer_axis(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context(trial="C")
    with theme_style(ctx.theme):
        fig, ax, image = heatmap.heatmap_figure(ctx, "metrics", ["mse", "l0"], cmap=ctx.cmap())
        _, bare, _ = heatmap.heatmap_figure(ctx, "t", ["mse"], cmap=ctx.cmap(), ylabel=None)
    assert ax.get_title(loc="left") == "Trial C: metrics"
    assert ax.get_ylabel() == "Layer" and bare.get_ylabel() == ""
    assert fig.axes[0] is ax
    expected = relative_by_hand(ctx.trial.final.sort_values("layer"), ["mse", "l0"])
    np.testing.assert_allclose(np.asarray(image.get_array()), expected)
