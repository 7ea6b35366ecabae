"""professional-heatmap: the per-layer headline metrics as a compact, single-hue table.

Made for slides and LinkedIn: a muted sequential ramp from the theme's panel colour to its accent,
thin separators between cells, metric names across the top like a table header. Not picked for
the paper: a single-hue band separates neighbouring values poorly once printed in grey.

gids: ``heatmap`` (the image; its array is the relative shade, rows = layers, columns =
metrics), ``cell-value`` (the annotations, when the cells hold them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.alt_text import layer_grid, trial_means
from galleryforge.renderings.parts.heatmap import heatmap_figure
from galleryforge.renderings.parts.interactive_heatmap import interactive_layer_heatmap
from galleryforge.renderings.parts.layer_metrics import headline_metrics
from galleryforge.renderings.parts.text_fit import rows_aspect
from galleryforge.renderings.parts.ticks import fit_metric_labels
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

TITLE = "SAE metrics by layer"
# How far the lowest cell moves from the panel colour towards the accent (so it stays visible).
_FLOOR_TINT = 0.1


def muted_ramp(ctx: RenderContext) -> Colormap:
    """A single-hue ramp: a faint tint of the accent on the panel colour, up to the accent."""
    from matplotlib.colors import LinearSegmentedColormap, to_rgb

    panel = np.array(to_rgb(ctx.theme.colors.panel))
    accent = np.array(to_rgb(ctx.theme.colors.accent))
    low = panel + _FLOOR_TINT * (accent - panel)
    return LinearSegmentedColormap.from_list(f"{ctx.theme.name}-muted", [tuple(low), tuple(accent)])


def describe(ctx: RenderContext) -> str:
    trial = ctx.trial
    return (
        f"Compact single-colour heatmap of {layer_grid(trial, headline_metrics(trial))}, "
        f"darker-to-brighter accent marking each layer's value relative to the other layers. "
        f"{trial_means(trial, ('l0', 'alpha', 'mse'))}"
    )


def interactive(ctx: RenderContext) -> go.Figure:
    from matplotlib.colors import to_hex

    ramp = muted_ramp(ctx)
    fig = interactive_layer_heatmap(
        ctx,
        TITLE,
        colorscale=[[t, to_hex(ramp(t))] for t in np.linspace(0, 1, 6)],
        xgap=2,
        ygap=2,
        showscale=False,
    )
    fig.update_xaxes(side="top")
    fig.update_layout(margin={"t": 110})
    return fig


@register(
    "professional-heatmap",
    title="Per-layer metrics, compact (slides)",
    aliases=("SAE_Professional_Heatmap",),
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    trial = ctx.trial
    metrics = headline_metrics(trial)
    # Compact: the theme's own proportions unless the rows would not be legible in them.
    aspect = min(rows_aspect(ctx, trial.n_layers), max(ctx.theme.figure.aspect, 0.9))
    fig, ax, _ = heatmap_figure(
        ctx, TITLE, metrics, cmap=muted_ramp(ctx), aspect=aspect, ylabel=None
    )
    fit_metric_labels(ax, metrics)
    ax.xaxis.tick_top()
    rows, cols = trial.n_layers, len(metrics)
    ax.set_xticks(np.arange(cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(rows + 1) - 0.5, minor=True)
    ax.tick_params(which="minor", length=0)
    ax.grid(
        which="minor",
        color=ctx.theme.colors.background,
        linewidth=ctx.theme.lines.spine_width * (2 if rows <= 12 else 1),
    )
    ax.text(
        0,
        -0.02,
        "Shade: each layer relative to the others, per metric",
        transform=ax.transAxes,
        va="top",
        color=ctx.theme.colors.muted,
        fontsize=ctx.theme.font.tick_size,
    )
    return fig
