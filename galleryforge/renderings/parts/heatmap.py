"""The layers × metrics heatmap: relative shade per metric, the real values written in the cells.

``layer_heatmap`` computes what it draws from the trial (final-checkpoint values, each column
min–max scaled), so the heatmap renderings only choose metrics, colours and decoration;
``heatmap_figure`` is a figure of one such heatmap, titled and labelled.
``write_cells`` is the one place that decides whether values fit in cells and writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from galleryforge.labels import metric_label
from galleryforge.numbers import format_metric
from galleryforge.renderings.parts.layer_metrics import metric_matrix, relative_within_columns
from galleryforge.renderings.parts.text_fit import cells_fit_text
from galleryforge.renderings.parts.ticks import set_layer_ticks

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure
    from matplotlib.image import AxesImage

    from galleryforge.renderings.context import RenderContext


def layer_heatmap(
    ctx: RenderContext,
    ax: Axes,
    metrics: Sequence[str],
    *,
    cmap: Colormap,
    annotate: bool = True,
    interpolation: str = "nearest",
) -> AxesImage:
    """Rows = the trial's layers, columns = ``metrics``, colour = the value relative within its
    column (lowest layer 0, highest 1, a constant column 0.5), text = the real values.

    The image carries ``gid="heatmap"`` and its array is the relative shade (tests read both);
    the written values carry ``gid="cell-value"``.
    """
    trial = ctx.trial
    values, chosen = metric_matrix(trial, metrics)
    shade = relative_within_columns(values)
    image = ax.imshow(
        shade, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto", interpolation=interpolation
    )
    image.set_gid("heatmap")
    slanted = len(chosen) > 6
    ax.set_xticks(range(len(chosen)), [metric_label(m, math=True) for m in chosen])
    ax.tick_params(axis="x", labelrotation=35 if slanted else 0, length=0)
    ax.tick_params(axis="y", length=0)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right" if slanted else "center")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    set_layer_ticks(ax, trial.layer_ids)
    if annotate:
        texts = [
            [format_metric(m, float(v)) for m, v in zip(chosen, row, strict=True)] for row in values
        ]
        write_cells(ctx, ax, texts, shade, cmap)
    return image


def heatmap_figure(
    ctx: RenderContext,
    title: str,
    metrics: Sequence[str],
    *,
    cmap: Colormap,
    aspect: float | None = None,
    ylabel: str | None = "Layer",
    **options: Any,
) -> tuple[Figure, Axes, AxesImage]:
    """A figure of one ``layer_heatmap`` of ``metrics`` (``options``: its settings), titled
    "Trial <trial>: ``title``" as ``interactive_layer_heatmap`` titles the plotly one.

    ``aspect`` as in ``ctx.figure``; ``ylabel`` names the layer axis (None: no label).
    """
    fig, ax = ctx.figure(aspect=aspect)
    image = layer_heatmap(ctx, ax, metrics, cmap=cmap, **options)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ctx.title(ax, f"Trial {ctx.trial.trial}: {title}")
    return fig, ax, image


def write_cells(
    ctx: RenderContext,
    ax: Axes,
    texts: Sequence[Sequence[str]],
    shade: np.ndarray,
    cmap: Colormap,
) -> bool:
    """Write ``texts[row][col]`` at each cell's centre, in ink that reads on ``cmap(shade)``.

    Writes nothing unless every text fits its cell (``cells_fit_text``); returns whether it wrote.
    """
    rows, cols = shade.shape
    font = ctx.theme.font.annotation_size
    if not cells_fit_text(ax, rows, cols, (text for line in texts for text in line), font):
        return False
    for row in range(rows):
        for col in range(cols):
            ax.text(
                col,
                row,
                texts[row][col],
                ha="center",
                va="center",
                color=ctx.ink_on(cmap(float(shade[row, col]))),
                fontsize=font,
                gid="cell-value",
            )
    return True


def colorbar(
    ctx: RenderContext, image: Any, ax: Axes, label: str, ends: tuple[str, str] | None = None
) -> None:
    """A colour bar beside ``ax`` for ``image``; ``ends`` labels its two ends instead of numbers."""
    fig = ax.get_figure()
    assert fig is not None
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
    bar.set_label(label)
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=ctx.theme.font.tick_size)
    if ends is not None:
        low, high = image.get_clim()
        bar.set_ticks([low, high], labels=list(ends))
        # Each end's name inside the bar's span (not centred on its end, half above the bar,
        # where a title over the axes runs).
        bottom, top = bar.ax.get_yticklabels()
        bottom.set_verticalalignment("bottom")
        top.set_verticalalignment("top")
