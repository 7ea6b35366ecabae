"""correlation-heatmap: which per-layer metrics move together through depth.

Pearson correlation, across the layers of the final checkpoint, between every pair of metrics the
layer table holds (e.g. α with the dead count), on a diverging scale fixed to [-1, 1] and written in
each cell when it fits. Metrics constant across layers have no defined correlation and are left
out (the alt text names them). Used in the appendix. With many metrics on a small canvas the row
names shrink to fit, and where they still do not, every k-th row is named (the columns name every
metric, in the same order).

gids: ``correlation`` (the image; its array is the correlation matrix, rows and columns = the
metrics in table order), ``cell-value`` (the annotations, when they fit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.labels import metric_label
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.alt_text import metric_names
from galleryforge.renderings.parts.heatmap import colorbar, write_cells
from galleryforge.renderings.parts.layer_metrics import split_constant
from galleryforge.renderings.parts.panel_notes import empty_panel
from galleryforge.renderings.parts.ticks import (
    fit_metric_labels,
    fit_row_labels,
    title_room_pt,
    x_labels_room_pt,
)
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    from galleryforge.tables import TrialTables


def correlations(trial: TrialTables) -> tuple[pd.DataFrame, list[str]]:
    """(Pearson correlation across layers of the varying metrics, the constant metrics)."""
    varying, constant = split_constant(trial, list(trial.metrics))
    return trial.final[varying].corr(method="pearson"), constant


def describe(ctx: RenderContext) -> str:
    trial = ctx.trial
    corr, constant = correlations(trial)
    names, matrix = [str(m) for m in corr.columns], corr.to_numpy()
    pairs = [
        (float(matrix[i, j]), names[i], names[j])
        for i in range(len(names))
        for j in range(i + 1, len(names))
    ]
    text = (
        f"Correlation matrix for trial {trial.trial}: Pearson correlation across its "
        f"{trial.n_layers} layers (final checkpoint) between {len(names)} metrics, "
        f"on a diverging colour scale fixed to -1 to +1."
    )
    if pairs:
        low, high = min(pairs), max(pairs)
        text += (
            f" Strongest positive: {metric_label(high[1])} with {metric_label(high[2])} "
            f"({high[0]:+.2f}); most negative: {metric_label(low[1])} with "
            f"{metric_label(low[2])} ({low[0]:+.2f})."
        )
    if constant:
        text += (
            f" Left out as constant across layers (correlation undefined): "
            f"{metric_names(constant)}."
        )
    return text


def interactive(ctx: RenderContext) -> go.Figure:
    import plotly.graph_objects as go

    trial = ctx.trial
    corr, _ = correlations(trial)
    labels = [metric_label(m) for m in corr.columns]
    fig = ctx.plotly_figure(aspect=0.85)
    fig.add_trace(
        go.Heatmap(
            z=corr.to_numpy(),
            x=labels,
            y=labels,
            zmin=-1,
            zmax=1,
            colorscale=ctx.plotly_colorscale("diverging"),
            texttemplate="%{z:.2f}",
            hovertemplate="%{y} vs %{x}: r = %{z:.3f}<extra></extra>",
            colorbar={"title": {"text": "Pearson r"}},
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(showgrid=False, tickangle=-40)
    fig.update_layout(title=f"Trial {trial.trial}: metric correlations across layers")
    return fig


@register(
    "correlation-heatmap",
    title="Metric correlations across layers (appendix)",
    aliases=("SAE_Correlation_Heatmap",),
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    trial = ctx.trial
    corr, _ = correlations(trial)
    fig, ax = ctx.figure(aspect=0.85)
    ctx.title(fig, f"Trial {trial.trial}: metric correlations across layers")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    count = len(corr.columns)
    if count < 2:
        empty_panel(ctx, ax, "fewer than two metrics vary across layers")
        return fig
    cmap, matrix = ctx.cmap("diverging"), corr.to_numpy()
    image = ax.imshow(matrix, cmap=cmap, vmin=-1.0, vmax=1.0, aspect="auto", gid="correlation")
    colorbar(ctx, image, ax, "Pearson r")
    fit_metric_labels(ax, list(corr.columns))
    font = ctx.theme.font
    # The rows share what the title and the metric names along x leave of the canvas.
    room = fig.get_size_inches()[1] * 72 - title_room_pt(fig, font.title_size)
    room -= x_labels_room_pt(ax) + 3 * font.label_size
    labels = [metric_label(m, math=True) for m in corr.columns]
    fit_row_labels(ax, labels, room, font.tick_size, max(6.0, 0.75 * font.tick_size))
    ax.tick_params(length=0)
    texts = [[f"{value:.2f}" for value in row] for row in matrix]
    write_cells(ctx, ax, texts, (matrix + 1) / 2, cmap)  # shade: where r sits on [-1, 1]
    return fig
