"""premium-heatmap: the per-layer metrics, annotated, in a clean palette with large type.

The study picked this variant for the paper: every cell carries its value, shading is relative
within each metric so layers compare at a glance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.labels import metric_label
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.heatmap import layer_heatmap
from galleryforge.renderings.parts.interactive_heatmap import interactive_layer_heatmap
from galleryforge.renderings.parts.layer_metrics import (
    headline_metrics,
)
from galleryforge.renderings.parts.text_fit import rows_aspect
from galleryforge.renderings.registry import register

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
    fig, ax = ctx.figure(aspect=rows_aspect(ctx, trial.n_layers))
    layer_heatmap(ctx, ax, headline_metrics(trial), cmap=ctx.cmap("sequential"))
    ax.set_ylabel("Layer")
    ctx.title(ax, f"Trial {trial.trial}: per-layer SAE metrics")
    return fig
