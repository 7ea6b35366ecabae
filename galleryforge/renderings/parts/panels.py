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


def plotly_subplots(
    ctx: RenderContext, rows: int, cols: int, aspect: float | None = None, **kwargs: Any
) -> Any:
    """``make_subplots`` on the theme's template and size (what ``ctx.plotly_figure`` sets)."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=rows, cols=cols, **kwargs)
    fig.update_layout(ctx.plotly_figure(aspect).layout)
    return fig
