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
    label_step,
    text_width_pt,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def set_layer_ticks(ax: Axes, layers: Sequence[int], axis: str = "y") -> None:
    """Layer labels on a heatmap axis, thinned so neighbouring labels never overlap."""
    size = figure_inches(ax)
    bbox = ax.get_position()
    length = bbox.height * size[1] if axis == "y" else bbox.width * size[0]
    font = ax.yaxis.get_ticklabels()[0].get_fontsize() if ax.yaxis.get_ticklabels() else 8
    step = label_step(len(layers), length, float(font))
    positions = list(range(0, len(layers), step))
    labels = [layer_label(layers[i]) for i in positions]
    if axis == "y":
        ax.set_yticks(positions, labels)
    else:
        ax.set_xticks(positions, labels)


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
