"""The plotly version of the layers × metrics heatmap: relative shade, exact values on hover."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from galleryforge.labels import metric_label
from galleryforge.renderings.parts.layer_metrics import (
    headline_metrics,
    layer_label,
    metric_matrix,
    relative_within_columns,
)
from galleryforge.renderings.parts.text_fit import rows_aspect

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from galleryforge.renderings.context import RenderContext


def interactive_layer_heatmap(
    ctx: RenderContext,
    title: str,
    metrics: Sequence[str] | None = None,
    *,
    tall: bool = False,
    **trace: Any,
) -> go.Figure:
    """Rows = layers, columns = ``metrics``; shade relative within each metric, values on hover.

    The title reads "Trial <trial>: ``title``". ``metrics`` defaults to the headline metrics;
    ``tall`` makes the figure tall enough for every layer's row (``rows_aspect``), else it has the
    theme's proportions. ``trace`` overrides the Heatmap's settings (colorscale, gaps, smoothing,
    colour bar).
    """
    import plotly.graph_objects as go

    trial = ctx.trial
    if metrics is None:
        metrics = headline_metrics(trial)
    values, chosen = metric_matrix(trial, metrics)
    settings: dict[str, Any] = {
        "z": relative_within_columns(values),
        "x": [metric_label(m) for m in chosen],
        "y": [layer_label(layer) for layer in trial.layer_ids],
        "customdata": values,
        "colorscale": ctx.plotly_colorscale(),
        "zmin": 0,
        "zmax": 1,
        "hovertemplate": "%{y} · %{x}: %{customdata:.4g}<extra></extra>",
        "colorbar": {
            "title": {"text": "relative<br>within metric"},
            "tickvals": [0, 1],
            "ticktext": ["lowest", "highest"],
        },
    }
    settings.update(trace)
    fig = ctx.plotly_figure(aspect=rows_aspect(ctx, trial.n_layers) if tall else None)
    fig.add_trace(go.Heatmap(**settings))
    fig.update_yaxes(autorange="reversed", title="Layer", showgrid=False)
    fig.update_xaxes(showgrid=False, tickangle=-35 if len(chosen) > 6 else 0)
    fig.update_layout(title=f"Trial {trial.trial}: {title}")
    return fig
