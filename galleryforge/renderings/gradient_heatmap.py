"""gradient-heatmap: the per-layer metrics as one smooth colour field, without cell boundaries.

The relative-within-metric matrix of the headline metrics, drawn with bicubic interpolation so
neighbouring layers and metrics blend into gradients; no values are written. Not picked for the
paper: it hides exact values. Made as a blog hero image.

gids: ``heatmap`` (the image; its array is the relative shade, rows = layers, columns = metrics).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.labels import metric_label
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.alt_text import metric_list
from galleryforge.renderings.parts.heatmap import colorbar, heatmap_figure
from galleryforge.renderings.parts.interactive_heatmap import interactive_layer_heatmap
from galleryforge.renderings.parts.layer_metrics import (
    headline_metrics,
    metric_matrix,
)
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


TITLE = "metrics through depth"


def describe(ctx: RenderContext) -> str:
    trial = ctx.trial
    values, metrics = metric_matrix(trial, headline_metrics(trial))
    ranges = "; ".join(
        f"{metric_label(m)} {values[:, i].min():.3g} to {values[:, i].max():.3g}"
        for i, m in enumerate(metrics[:4])
    )
    return (
        f"Smoothly interpolated colour field for trial {trial.trial}: {trial.n_layers} layers "
        f"top to bottom, the metrics {metric_list(metrics)} left to right, "
        f"colour from each metric's lowest layer to its highest at the final checkpoint, no "
        f"values written. Ranges across layers: {ranges}."
    )


def interactive(ctx: RenderContext) -> go.Figure:
    return interactive_layer_heatmap(ctx, TITLE, zsmooth="best")


@register(
    "gradient-heatmap",
    title="Per-layer metrics as a smooth gradient (blog hero)",
    aliases=("SAE_Gradient_Heatmap",),
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    fig, ax, image = heatmap_figure(
        ctx,
        TITLE,
        headline_metrics(ctx.trial),
        cmap=ctx.cmap("sequential"),
        annotate=False,
        interpolation="bicubic",
    )
    image.set_interpolation_stage("data")  # blend the values, then colour them
    colorbar(ctx, image, ax, "relative within metric", ends=("lowest", "highest"))
    return fig
