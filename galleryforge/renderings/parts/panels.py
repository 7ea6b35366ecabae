"""Grids of panels: how many rows and columns suit a count, and plotly subplots on the theme."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from galleryforge.renderings.context import RenderContext

# Each empty slot left at the grid's end costs as much as this much log-misfit of aspect.
_EMPTY_SLOT_COST = 0.25


def panel_grid(
    count: int, figsize: tuple[float, float], panel_aspect: float = 0.7
) -> tuple[int, int]:
    """(rows, columns) for ``count`` panels whose height/width is closest to ``panel_aspect``."""
    width, height = figsize

    def misfit(cols: int) -> float:
        rows = math.ceil(count / cols)
        empty = rows * cols - count
        return abs(math.log((height / rows) / (width / cols) / panel_aspect)) + (
            _EMPTY_SLOT_COST * empty
        )

    cols = min(range(1, count + 1), key=misfit)
    return math.ceil(count / cols), cols


def small_multiples(
    ctx: RenderContext, count: int, panel_aspect: float, spacing: float
) -> tuple[Any, Any]:
    """(figure, 2-D array of axes) for ``count`` panels on shared axes, packed tightly.

    The canvas aspect follows the grid (clamped to 0.45–1.3 of the width, so 1 and 32 panels
    both stay on a page); ``spacing`` is the gap between panels, as a fraction of a panel.
    """
    rows, cols = panel_grid(count, ctx.theme.figsize(), panel_aspect)
    fig, axes = ctx.figure(
        rows,
        cols,
        aspect=min(max(rows * panel_aspect / cols, 0.45), 1.3),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    layout: Any = fig.get_layout_engine()  # constrained layout (ctx.figure), which takes pads
    layout.set(w_pad=0.01, h_pad=0.01, wspace=spacing, hspace=spacing)
    return fig, axes


def used_panels(axes: Any, count: int) -> list[Any]:
    """The first ``count`` axes of a grid, row by row; the grid's slots after them are hidden."""
    flat = list(axes.flat)
    for ax in flat[count:]:
        ax.set_visible(False)
    return flat[:count]


def plotly_subplots(
    ctx: RenderContext, rows: int, cols: int, aspect: float | None = None, **kwargs: Any
) -> Any:
    """``make_subplots`` on the theme's template and size (what ``ctx.plotly_figure`` sets)."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=rows, cols=cols, **kwargs)
    fig.update_layout(ctx.plotly_figure(aspect).layout)
    return fig
