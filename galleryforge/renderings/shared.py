"""Pieces several renderings share: metric matrices, value formats, legible ticks, heatmaps."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from galleryforge.tables import TrialTables, metric_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.image import AxesImage

    from galleryforge.renderings.context import RenderContext

POINTS_PER_INCH = 72.0
# The per-layer metrics the heatmap family shows first, when the table has them.
HEADLINE_METRICS = ("l0", "alpha", "g_alpha", "d_star", "mse", "fvu", "dead", "alive_frac")


def layer_label(layer: int) -> str:
    return f"L{layer}"


def metric_matrix(
    trial: TrialTables, metrics: Sequence[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Final-checkpoint values, rows = layers (in order), columns = ``metrics``.

    ``metrics`` defaults to every metric the table holds except the bookkeeping ones
    (``l1_coef``), so tables with extra metric columns show them too.
    """
    chosen = list(metrics) if metrics is not None else default_metrics(trial)
    return trial.final[chosen].to_numpy(dtype=np.float64), chosen


def default_metrics(trial: TrialTables) -> list[str]:
    return [m for m in trial.metrics if m not in ("l1_coef", "loss", "l1")]


def headline_metrics(trial: TrialTables) -> list[str]:
    return [m for m in HEADLINE_METRICS if m in trial.metrics]


def relative_within_columns(matrix: np.ndarray) -> np.ndarray:
    """Min–max scale each column to [0, 1]; a constant column sits at 0.5."""
    low = matrix.min(axis=0, keepdims=True)
    span = matrix.max(axis=0, keepdims=True) - low
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = (matrix - low) / span
    return np.where(span > 0, scaled, 0.5)


def format_value(metric: str, value: float) -> str:
    """Compact, metric-aware number text for annotations and cards."""
    if metric in ("l0", "d_star", "dead", "width") or abs(value) >= 1000:
        return f"{value:,.0f}"
    if metric in ("alpha", "g_alpha", "alive_frac", "explained_variance", "fvu"):
        return f"{value:.3f}"
    if value == 0:
        return "0"
    if abs(value) < 0.01:
        return f"{value:.1e}"
    return f"{value:.3g}"


def label_step(count: int, length_in: float, font_pt: float, spacing: float = 1.35) -> int:
    """Show every k-th of ``count`` labels so labels of ``font_pt`` fit in ``length_in``."""
    needed = count * font_pt * spacing / POINTS_PER_INCH
    return max(1, math.ceil(needed / max(length_in, 1e-6)))


def rows_aspect(ctx: RenderContext, rows: int, base: float | None = None) -> float:
    """A height/width ratio tall enough that ``rows`` rows of annotation text stay legible."""
    width, _ = ctx.theme.figsize()
    row_in = ctx.theme.font.annotation_size * 1.9 / POINTS_PER_INCH
    needed = (rows * row_in + 1.2) / width
    return max(base or ctx.theme.figure.aspect, min(needed, 2.2))


def set_layer_ticks(ax: Axes, layers: Sequence[int], axis: str = "y") -> None:
    """Layer labels on a heatmap axis, thinned so neighbouring labels never overlap."""
    fig = ax.get_figure()
    assert fig is not None
    bbox = ax.get_position()
    size = fig.get_size_inches()
    length = bbox.height * size[1] if axis == "y" else bbox.width * size[0]
    font = ax.yaxis.get_ticklabels()[0].get_fontsize() if ax.yaxis.get_ticklabels() else 8
    step = label_step(len(layers), length, float(font))
    positions = list(range(0, len(layers), step))
    labels = [layer_label(layers[i]) for i in positions]
    if axis == "y":
        ax.set_yticks(positions, labels)
    else:
        ax.set_xticks(positions, labels)


def annotated_heatmap(
    ctx: RenderContext,
    ax: Axes,
    shade: np.ndarray,
    values: np.ndarray,
    layers: Sequence[int],
    metrics: Sequence[str],
    *,
    cmap: Colormap,
    annotate: bool = True,
    interpolation: str = "nearest",
) -> AxesImage:
    """Rows = layers, columns = metrics, colour = ``shade``, text = the real values.

    The image carries ``gid="heatmap"`` and its array is ``shade`` (tests read both). Values are
    written in each cell only when a cell is tall and wide enough for the text.
    """
    image = ax.imshow(shade, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto",
                      interpolation=interpolation)  # fmt: skip
    image.set_gid("heatmap")
    ax.set_xticks(range(len(metrics)), [metric_label(m, math=True) for m in metrics])
    ax.tick_params(axis="x", labelrotation=0 if len(metrics) <= 6 else 35, length=0)
    ax.tick_params(axis="y", length=0)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("center" if len(metrics) <= 6 else "right")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    set_layer_ticks(ax, layers)
    if annotate and _cells_fit_text(ctx, ax, len(layers), len(metrics)):
        for row in range(shade.shape[0]):
            for col in range(shade.shape[1]):
                colour = ctx.ink_on(cmap(float(shade[row, col])))
                ax.text(col, row, format_value(metrics[col], float(values[row, col])),
                        ha="center", va="center", color=colour,
                        fontsize=ctx.theme.font.annotation_size, gid="cell-value")  # fmt: skip
    return image


def _cells_fit_text(ctx: RenderContext, ax: Axes, rows: int, cols: int) -> bool:
    fig = ax.get_figure()
    assert fig is not None
    bbox = ax.get_position()
    width_in, height_in = fig.get_size_inches()
    cell_h = bbox.height * height_in / rows * POINTS_PER_INCH
    cell_w = bbox.width * width_in / cols * POINTS_PER_INCH
    font = ctx.theme.font.annotation_size
    return cell_h >= font * 1.25 and cell_w >= font * 4.2


def colorbar(ctx: RenderContext, image: Any, ax: Axes, label: str) -> None:
    fig = ax.get_figure()
    assert fig is not None
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
    bar.set_label(label)
    bar.outline.set_visible(False)  # type: ignore[operator]
    bar.ax.tick_params(labelsize=ctx.theme.font.tick_size)
