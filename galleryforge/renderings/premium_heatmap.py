"""premium-heatmap: the per-layer metrics, annotated, in a clean palette with large type.

The study picked this variant for the paper: every cell carries its value, shading is relative
within each metric so layers compare at a glance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.alt_text import layer_grid, trial_means
from galleryforge.renderings.parts.heatmap import heatmap_figure
from galleryforge.renderings.parts.interactive_heatmap import interactive_layer_heatmap
from galleryforge.renderings.parts.layer_metrics import headline_metrics
from galleryforge.renderings.parts.text_fit import rows_aspect
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


TITLE = "per-layer SAE metrics"


def describe(ctx: RenderContext) -> str:
    trial = ctx.trial
    return (
        f"Heatmap of {layer_grid(trial, headline_metrics(trial))}, each cell annotated with its "
        f"value and shaded relative to the other layers. "
        f"{trial_means(trial, ('l0', 'alpha', 'd_star'))}"
    )


def interactive(ctx: RenderContext) -> go.Figure:
    return interactive_layer_heatmap(ctx, TITLE, tall=True)


@register(
    "premium-heatmap",
    title="Per-layer metrics, annotated (paper)",
    aliases=("SAE_Premium_Heatmap",),
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    trial = ctx.trial
    aspect = rows_aspect(ctx, trial.n_layers)
    metrics = headline_metrics(trial)
    fig, _, _ = heatmap_figure(ctx, TITLE, metrics, cmap=ctx.cmap("sequential"), aspect=aspect)
    return fig
