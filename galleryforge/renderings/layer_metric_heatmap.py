"""layer-metric-heatmap: every metric the layer table holds, one row per layer.

The full view behind the heatmap family: rows are layers, columns are all the numeric metric
columns of the final checkpoint (L0, α, g(α), d*_S, MSE, …, then any extra columns a table
brings), each column shaded relative to its own range so layers compare within a metric. Values
are written in the cells when the cells are large enough to hold them.

gids: ``heatmap`` (the image; its array is the relative shade, rows = layers, columns =
metrics), ``cell-value`` (the annotations, when drawn).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.alt_text import metric_list, metric_names, trial_means
from galleryforge.renderings.parts.heatmap import colorbar, heatmap_figure
from galleryforge.renderings.parts.interactive_heatmap import interactive_layer_heatmap
from galleryforge.renderings.parts.layer_metrics import split_constant
from galleryforge.renderings.parts.text_fit import rows_aspect
from galleryforge.renderings.parts.ticks import fit_metric_labels
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    from galleryforge.tables import TrialTables


TITLE = "every metric per layer"


def table_metrics(trial: TrialTables) -> list[str]:
    """Every numeric metric column of the layer table, in display order."""
    return list(trial.metrics)


def describe(ctx: RenderContext) -> str:
    trial = ctx.trial
    metrics = table_metrics(trial)
    _, constant = split_constant(trial, metrics)
    flat = f" Constant across layers (mid shade): {metric_names(constant)}." if constant else ""
    return (
        f"Heatmap of every metric in trial {trial.trial}'s layer table at the final checkpoint: "
        f"{trial.n_layers} layers as rows, {len(metrics)} metrics as columns "
        f"({metric_list(metrics)}), each column shaded from its lowest to its highest layer. "
        f"{trial_means(trial, ('l0', 'alpha', 'mse'))}{flat}"
    )


def interactive(ctx: RenderContext) -> go.Figure:
    return interactive_layer_heatmap(
        ctx, TITLE, table_metrics(ctx.trial), tall=True, xgap=1, ygap=1
    )


@register(
    "layer-metric-heatmap",
    title="Every metric per layer (heatmap)",
    aliases=("SAE_Layer_Metric_Heatmap",),
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    trial = ctx.trial
    metrics = table_metrics(trial)
    aspect = rows_aspect(ctx, trial.n_layers)
    fig, ax, image = heatmap_figure(ctx, TITLE, metrics, cmap=ctx.cmap("sequential"), aspect=aspect)
    colorbar(ctx, image, ax, "relative within metric", ends=("low", "high"))
    fit_metric_labels(ax, metrics)
    return fig
