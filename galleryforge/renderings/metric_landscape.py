"""metric-landscape: the per-layer metrics as ridgelines through depth.

Each metric that varies across layers is a ridge over depth, its height and colour the layer's
value relative to the other layers (final checkpoint), joined by a monotone cubic through the
layers: continuous, never overshooting the data. Each ridge stays inside its own band (the space
between its baseline and the next one up), so a tall ridge never covers the one above it. The
metric names shrink to fit the canvas, and where they still do not, every k-th ridge is named.
Not picked: qualitative.

gids: ``ridge-line`` (one Line2D per metric, top to bottom; it passes through ``baseline +
RIDGE_HEIGHT * relative value`` at each layer), ``ridge-fill`` (the gradient-filled images).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.labels import metric_label
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.alt_text import metric_names
from galleryforge.renderings.parts.layer_metrics import (
    default_metrics,
    layer_label,
    metric_matrix,
    relative_within_columns,
    split_constant,
)
from galleryforge.renderings.parts.monotone_cubic import smooth
from galleryforge.renderings.parts.panel_notes import empty_panel
from galleryforge.renderings.parts.ticks import fit_row_labels, title_room_pt
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    from galleryforge.tables import TrialTables

# A ridge's full height, in units of the spacing between baselines. Below 1, so each ridge keeps
# to its own band with a gap: ridges that grew into the band above hid their neighbour's outline.
RIDGE_HEIGHT = 0.9
SAMPLES = 240


def landscape(trial: TrialTables) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """(layers, relative values [layers × metrics], varying metrics, constant metrics)."""
    varying, constant = split_constant(trial, default_metrics(trial))
    values, _ = metric_matrix(trial, varying)
    return np.asarray(trial.layer_ids, float), relative_within_columns(values), varying, constant


def describe(ctx: RenderContext) -> str:
    layers, shade, varying, constant = landscape(trial := ctx.trial)
    peaks = "; ".join(
        f"{metric_label(m)} highest at {layer_label(int(layers[np.argmax(shade[:, i])]))}"
        for i, m in enumerate(varying[:5])
    )
    left_out = f" Constant across layers, not drawn: {metric_names(constant)}." if constant else ""
    return (
        f"Ridgeline landscape for trial {trial.trial}: {len(varying)} metrics as ridges over "
        f"{trial.n_layers} layers, each ridge's height the layer's value relative to the other "
        f"layers (final checkpoint). {peaks}.{left_out}"
    )


def interactive(ctx: RenderContext) -> go.Figure:
    import plotly.graph_objects as go
    from matplotlib.colors import to_hex

    layers, shade, varying, _ = landscape(trial := ctx.trial)
    values, _ = metric_matrix(trial, varying)
    cmap, fig = ctx.cmap("sequential"), ctx.plotly_figure()
    for i, metric in enumerate(varying):
        base = len(varying) - 1 - i
        colour = to_hex(cmap(0.25 + 0.6 * i / max(len(varying) - 1, 1)))
        hover = f"{metric_label(metric)} · layer %{{x}}: %{{customdata:.4g}}<extra></extra>"
        baseline = {"x": layers, "y": [base] * len(layers), "line": {"width": 0}}
        fig.add_trace(go.Scatter(**baseline, mode="lines", hoverinfo="skip", showlegend=False))
        fig.add_trace(
            go.Scatter(
                x=layers,
                y=base + RIDGE_HEIGHT * shade[:, i],
                mode="lines+markers",
                line={"color": ctx.theme.colors.panel, "width": 1, "shape": "spline"},
                fill="tonexty",
                fillcolor=colour,
                customdata=values[:, i],
                hovertemplate=hover,
                name=metric_label(metric),
            )
        )
    labels = [metric_label(m) for m in reversed(varying)]
    fig.update_yaxes(tickvals=list(range(len(varying))), ticktext=labels, showgrid=False)
    fig.update_xaxes(title="Layer")
    fig.update_layout(title=f"Trial {trial.trial}: metric landscape", showlegend=False)
    return fig


@register(
    "metric-landscape",
    title="Metric landscape through depth (ridgelines)",
    aliases=("SAE_Metric_Landscape",),
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    from matplotlib.ticker import MaxNLocator

    trial = ctx.trial
    layers, shade, varying, _ = landscape(trial)
    fig, ax = ctx.figure(aspect=max(ctx.theme.figure.aspect, 0.06 * len(varying) + 0.25))
    ctx.title(fig, f"Trial {trial.trial}: metric landscape through depth")
    if len(varying) == 0 or len(layers) < 2:
        empty_panel(ctx, ax, "no metric varies across layers")
        return fig
    # Colour samples on an even grid (an image); the outline also through every layer's value.
    even, cmap = np.linspace(layers[0], layers[-1], SAMPLES), ctx.cmap("sequential")
    xs = np.union1d(even, layers)
    for i in range(len(varying)):
        base = len(varying) - 1 - i
        ys = base + RIDGE_HEIGHT * smooth(layers, shade[:, i], xs)
        outline = np.r_[xs, xs[::-1]], np.r_[ys, np.full_like(xs, base)]
        (fill,) = ax.fill(*outline, facecolor="none", edgecolor="none")
        # The ridge's colour follows its height: a gradient image clipped to the ridge's shape.
        image = ax.imshow(
            smooth(layers, shade[:, i], even)[None, :],
            cmap=cmap,
            extent=(xs[0], xs[-1], base, base + RIDGE_HEIGHT),
            vmin=0,
            vmax=1,
            aspect="auto",
            origin="lower",
            interpolation="bilinear",
            zorder=2 * i,
            gid="ridge-fill",
        )
        image.set_clip_path(fill)
        ax.plot(xs, ys, color=ctx.theme.colors.panel, zorder=2 * i + 1, gid="ridge-line")
        ax.axhline(
            base,
            color=ctx.theme.colors.grid,
            zorder=2 * i + 1,
            linewidth=ctx.theme.lines.grid_width,
        )
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(-0.2, len(varying) - 1 + RIDGE_HEIGHT + 0.1)
    font = ctx.theme.font
    # The ridges share what the title and the layer axis leave of the canvas.
    room = fig.get_size_inches()[1] * 72 - title_room_pt(fig, font.title_size)
    room -= font.tick_size * 1.3 + font.label_size * 1.3 + 2 * font.label_size
    labels = [metric_label(m, math=True) for m in reversed(varying)]
    fit_row_labels(ax, labels, room, font.tick_size, max(6.0, 0.75 * font.tick_size))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="y", length=0)
    ax.grid(False)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("Layer")
    return fig
