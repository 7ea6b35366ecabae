"""premium-heatmap: the per-layer metrics, annotated, in a clean palette with large type.

The study picked this variant for the paper: every cell carries its value, shading is relative
within each metric so layers compare at a glance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.labels import metric_label
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.registry import register
from galleryforge.renderings.shared import (
    annotated_heatmap,
    headline_metrics,
    interactive_layer_heatmap,
    metric_matrix,
    relative_within_columns,
    rows_aspect,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


def describe(ctx: RenderContext) -> str:
    trial = ctx.trial
    metrics = ", ".join(metric_label(m) for m in headline_metrics(trial))
    return (
        f"Heatmap of trial {trial.trial}'s final checkpoint: {trial.n_layers} layers as rows and "
        f"the metrics {metrics} as columns, each cell annotated with its value and shaded "
        f"relative to the other layers. Mean L0 {trial.kd.l0:,.0f}, mean alpha "
        f"{trial.kd.alpha:.3f}, mean predicted width d*_S {trial.kd.d_star:,.0f}."
    )


def interactive(ctx: RenderContext) -> go.Figure:
    trial = ctx.trial
    return interactive_layer_heatmap(
        ctx,
        headline_metrics(trial),
        f"Trial {trial.trial}: per-layer SAE metrics",
        aspect=rows_aspect(ctx, trial.n_layers),
    )


@register(
    "premium-heatmap",
    title="Per-layer metrics, annotated (paper)",
    aliases=("SAE_Premium_Heatmap",),
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    trial = ctx.trial
    values, metrics = metric_matrix(trial, headline_metrics(trial))
    fig, ax = ctx.figure(aspect=rows_aspect(ctx, trial.n_layers))
    annotated_heatmap(
        ctx,
        ax,
        relative_within_columns(values),
        values,
        trial.layer_ids,
        metrics,
        cmap=ctx.cmap("sequential"),
    )
    ax.set_ylabel("Layer")
    ctx.title(ax, f"Trial {trial.trial}: per-layer SAE metrics")
    return fig
