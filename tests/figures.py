"""Helpers that look inside drawn figures: what artists a rendering made, whether labels collide."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.text import Text

if TYPE_CHECKING:
    import pandas as pd


def artists_with_gid(fig: Figure, gid: str) -> list[Artist]:
    return [a for a in fig.findobj() if a.get_gid() == gid]


def heatmap_shade(fig: Figure) -> np.ndarray:
    """The array of the figure's one heatmap image (``gid="heatmap"``)."""
    (image,) = artists_with_gid(fig, "heatmap")
    return np.asarray(image.get_array())  # type: ignore[attr-defined]


def relative_by_hand(final: pd.DataFrame, metrics: Sequence[str]) -> np.ndarray:
    """Each metric's column of ``final`` scaled from its lowest layer (0) to its highest (1), 0.5
    where every layer is equal: the shade a relative heatmap draws, computed here by hand."""
    columns = []
    for metric in metrics:
        column = final[metric].to_numpy(dtype=float)
        low, high = column.min(), column.max()
        columns.append(np.full_like(column, 0.5) if high == low else (column - low) / (high - low))
    return np.column_stack(columns)


def visible_tick_labels(ax: Axes, axis: str) -> list[Text]:
    labels = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t for t in labels if t.get_visible() and t.get_text()]


def laid_out(fig: Figure) -> RendererBase:
    """Lay ``fig`` out as saving it would (constrained layout, tick choice) without painting any
    pixels, and return the renderer that measures its texts."""
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()  # type: ignore[attr-defined,no-any-return]


def overlapping_labels(fig: Figure, renderer: RendererBase) -> Iterator[tuple[str, str]]:
    """Pairs of tick labels on one axis whose drawn boxes overlap (``renderer``: ``laid_out``)."""
    for ax in fig.axes:
        for axis in ("x", "y"):
            yield from overlapping_texts(visible_tick_labels(ax, axis), renderer)


def overlapping_texts(texts: Sequence[Text], renderer: RendererBase) -> list[tuple[str, str]]:
    """Pairs of ``texts`` whose drawn (upright) boxes overlap by more than a pixel both ways."""
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    pairs = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            (a, box_a), (b, box_b) = boxes[i], boxes[j]
            overlap_w = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            overlap_h = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if overlap_w > 1 and overlap_h > 1:
                pairs.append((a, b))
    return pairs


def inside_canvas(fig: Figure, text: Text, renderer: RendererBase) -> bool:
    """Whether ``text``'s drawn box lies on ``fig``'s canvas (to a pixel)."""
    box = text.get_window_extent(renderer)
    return bool(
        box.x0 >= -1 and box.y0 >= -1 and box.x1 <= fig.bbox.x1 + 1 and box.y1 <= fig.bbox.y1 + 1
    )


def values_spilling_out_of_cells(fig: Figure, renderer: RendererBase) -> Iterator[str]:
    """Texts written in heatmap cells (``gid="cell-value"``) whose drawn box leaves their cell
    (``renderer``: ``laid_out``).

    A cell is the unit square around the text's (column, row) position, as ``imshow`` draws it.
    """
    cells = [(ax, text) for ax in fig.axes for text in ax.texts if text.get_gid() == "cell-value"]
    for ax, text in cells:
        col, row = text.get_position()
        corners = ax.transData.transform([(col - 0.5, row - 0.5), (col + 0.5, row + 0.5)])
        (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
        box = text.get_window_extent(renderer)
        if box.x0 < x0 or box.x1 > x1 or box.y0 < y0 or box.y1 > y1:
            yield text.get_text()
