"""Tick labels that fit: layer ticks thinned to legibility, log ticks, metric names along x."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from galleryforge.labels import metric_label
from galleryforge.renderings.parts.layer_metrics import layer_label
from galleryforge.renderings.parts.text_fit import (
    POINTS_PER_INCH,
    figure_inches,
    text_width_pt,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def set_layer_ticks(ax: Axes, layers: Sequence[int], axis: str = "y") -> None:
    """Layer labels on a heatmap axis, thinned so neighbouring labels never overlap."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    labels = target.get_ticklabels()
    font = float(labels[0].get_fontsize()) if labels else 8.0
    fitting_labels(ax, [layer_label(layer) for layer in layers], font, axis)


def fitting_labels(
    ax: Axes, labels: Sequence[str], font_pt: float, axis: str = "y", spacing: float = 1.35
) -> None:
    """``labels`` at positions 0, 1, … of ``axis``: every k-th, k chosen when the figure is
    drawn, from the axes' laid-out length, so that labels of ``font_pt`` (each needing
    ``spacing`` times its size) never overlap."""
    from matplotlib.ticker import FuncFormatter

    from galleryforge.renderings.parts.every_kth import EveryKth

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(EveryKth(len(labels), font_pt, spacing, axis))
    names = list(labels)
    target.set_major_formatter(
        FuncFormatter(lambda value, _pos: names[round(value)] if 0 <= value < len(names) else "")
    )


# A row label needs its font size times this much height (mathtext such as d*_S stands taller).
_ROW_SPACING = 1.5


def fit_row_labels(
    ax: Axes, labels: Sequence[str], room_pt: float, font_pt: float, smallest_pt: float
) -> None:
    """One label per row of ``ax`` (rows at y = 0, 1, …), as large as ``room_pt`` (the height
    the rows share, as estimated before layout) allows, from ``font_pt`` down to
    ``smallest_pt``; where even that is too large, every k-th row is labelled (``fitting_labels``:
    k from the laid-out axes)."""
    rows = max(len(labels), 1)
    size = max(smallest_pt, min(font_pt, room_pt / (rows * _ROW_SPACING)))
    fitting_labels(ax, labels, size, "y", _ROW_SPACING)
    ax.tick_params(axis="y", labelsize=size)


def title_room_pt(fig: Figure, size: float) -> float:
    """The height the figure's title (suptitle) takes, in points, with the space under it."""
    lines = fig.get_suptitle().count("\n") + 1 if fig.get_suptitle() else 0
    return lines * size * 1.3 + size * 0.5


def x_labels_room_pt(ax: Axes) -> float:
    """The height ``ax``'s x tick labels take as set now (upright ones: their widest line)."""
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    if not labels:
        return 0.0
    size = float(labels[0].get_fontsize())
    if labels[0].get_rotation() % 180 == 90:
        return max(text_width_pt(line, size) for t in labels for line in t.get_text().split("\n"))
    return max(t.get_text().count("\n") + 1 for t in labels) * size * 1.3


def log_ticks(ax: Axes, axis: str = "y", max_labels: int = 6) -> None:
    """Log-scale ticks at 1-2-5 (or 1-3, or decades), as many as fit; minor ticks unlabelled.

    Call after the data is drawn. Values from 1 to 99,999 read as plain numbers (10, 200, 5,000);
    others as m×10^e.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    low, high = sorted(ax.get_ylim() if axis == "y" else ax.get_xlim())
    decades = math.log10(high / low) if low > 0 else 1.0
    subs: tuple[float, ...] = (1.0,)
    for candidate in ((1.0, 2.0, 5.0), (1.0, 3.0)):
        if decades * len(candidate) <= max_labels:
            subs = candidate
            break
    target.set_major_locator(LogLocator(subs=subs, numticks=max_labels + 1))
    target.set_major_formatter(FuncFormatter(lambda value, _pos: log_label(value)))
    target.set_minor_formatter(NullFormatter())


def log_label(value: float) -> str:
    """A log-axis tick: plain from 1 to 99,999 (``5,000``), else ``m×10^e`` in mathtext."""
    if 1 <= value < 1e5:
        return f"{value:,.0f}"
    exponent = math.floor(math.log10(value))
    mantissa = round(value / 10**exponent)
    head = "" if mantissa == 1 else rf"{mantissa}\times"
    return rf"${head}10^{{{exponent}}}$"


def fit_metric_labels(ax: Axes, metrics: Sequence[str], width_in: float | None = None) -> None:
    """Metric names along x, one per column: level if they fit, else wrapped, else upright.

    Upright (90°) labels never overlap their neighbours, whereas slanted ones overlap as boxes.
    ``width_in`` is the width the columns share (default: the axes' width before layout, which
    constrained layout only widens).
    """
    import textwrap

    labels = [metric_label(m, math=True) for m in metrics]
    ticks = ax.xaxis.get_ticklabels()
    font = float(ticks[0].get_fontsize()) if ticks else 8.0
    if width_in is None:
        width_in = ax.get_position().width * figure_inches(ax)[0]
    column = width_in * POINTS_PER_INCH / max(len(labels), 1)

    def fits(candidates: list[str]) -> bool:
        lines = [line for label in candidates for line in label.split("\n")]
        return max(text_width_pt(line, font) for line in lines) * 1.15 < column

    wrapped = [label if "$" in label else textwrap.fill(label, 10) for label in labels]
    chosen = next((c for c in (labels, wrapped) if fits(c)), None)
    if chosen is None:  # upright: a label's box is as wide as its lines are tall
        lines = max(label.count("\n") + 1 for label in wrapped)
        chosen = wrapped if lines * 1.3 * font < column else labels
        ax.set_xticks(range(len(labels)), chosen)
        ax.tick_params(axis="x", labelrotation=90)
    else:
        ax.set_xticks(range(len(labels)), chosen)
        ax.tick_params(axis="x", labelrotation=0)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("center")
