"""trial-comparison: every trial of the run folder on one sparsity–reconstruction frontier.

Per-layer points (final checkpoint: mean L0 against MSE) in one colour per trial, joined in
layer order by a faint line, on log-log axes because the regimes differ by orders of magnitude.
Each trial's mean over layers (``TrialTables.kd``) is a large outlined marker; its legend entry,
outside the data, gives the trial's mean predicted width d*_S. A width family's members are
shades of one hue (``parts/trial_key``). New in the study: it shows the three sparsity
regimes side by side, where the paper compared them in a table.

gids: ``trial-layers`` (PathCollection per trial; offsets = its layers' (L0, MSE)),
``trial-mean`` (one marker per trial at (mean L0, mean MSE)), ``d-star-label`` (the legend's
text per trial).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.parts.trial_key import legend_placement, trial_colours
from galleryforge.renderings.parts.trial_points import (
    layer_points,
    mean_marker,
    plotly_layer_points,
    plotly_mean_marker,
)
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    from galleryforge.tables import TrialTables


def compared(ctx: RenderContext) -> dict[str, TrialTables]:
    """Every trial in the run folder (the drawn trial included), in name order."""
    trials = dict(ctx.trials) or {ctx.trial.trial: ctx.trial}
    return {name: trials[name] for name in sorted(trials)}


def describe(ctx: RenderContext) -> str:
    parts = [
        f"trial {name} ({t.n_layers} layers): mean L0 {t.kd.l0:,.0f}, mean MSE {t.kd.mse:.3g}, "
        f"mean alpha {t.kd.alpha:.3f}, mean d*_S {t.kd.d_star:,.0f}"
        for name, t in compared(ctx).items()
    ]
    return (
        f"Log-log scatter of mean L0 against reconstruction MSE, one point per layer at the final "
        f"checkpoint, comparing {len(parts)} trials (drawn for trial {ctx.trial.trial}); large "
        f"markers are trial means; the legend gives each trial's mean predicted width d*_S. "
        f"{'; '.join(parts)}."
    )


def interactive(ctx: RenderContext) -> go.Figure:
    trials = compared(ctx)
    fig = ctx.plotly_figure()
    colours = trial_colours(ctx, list(trials.values()))
    for (name, t), colour in zip(trials.items(), colours, strict=True):
        final = t.final
        plotly_layer_points(
            fig,
            final,
            name,
            "mse",
            colour,
            mode="markers+lines",
            name=f"trial {name}",
            legendgroup=name,
            line={"color": colour, "width": 1},
            opacity=0.8,
        )
        plotly_mean_marker(
            ctx,
            fig,
            t,
            "mse",
            colour,
            mode="markers+text",
            legendgroup=name,
            text=[f"{name}: d*_S {t.kd.d_star:,.0f}"],
            textposition="top right",
        )
    fig.update_xaxes(type="log", title_text="L0 (active latents per token)")
    fig.update_yaxes(type="log", title_text="MSE")
    fig.update_layout(title="Sparsity–reconstruction frontier across trials")
    return fig


@register(
    "trial-comparison",
    title="Trials compared on the sparsity–reconstruction frontier",
    needs=("trials",),
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    trials = compared(ctx)
    colours = trial_colours(ctx, list(trials.values()))
    labels = [rf"{name} · mean $d^*_S$ {t.kd.d_star:,.0f}" for name, t in trials.items()]
    placement = legend_placement(ctx, labels)
    fig, ax = ctx.figure(aspect=placement.aspect)
    handles = []
    for t, colour in zip(trials.values(), colours, strict=True):
        l0, mse = t.final["l0"].to_numpy(np.float64), t.final["mse"].to_numpy(np.float64)
        ax.plot(l0, mse, color=colour, alpha=0.35, linewidth=ctx.theme.lines.width * 0.6)
        handles.append(layer_points(ctx, ax, l0, mse, colour, gid="trial-layers", alpha=0.75))
        mean_marker(ctx, ax, t.kd.l0, t.kd.mse, colour, gid="trial-mean")
    ax.set(xscale="log", yscale="log")
    ax.margins(0.15)
    log_ticks(ax, "x")
    log_ticks(ax, "y", max_labels=5)
    ax.set_xlabel("L0 (active latents per token)")
    ax.set_ylabel("MSE")
    # Each trial's mean d*_S is in its legend entry: labels beside the markers collide as soon
    # as trials sit close on the frontier (a width family holds its sparsity fixed).
    legend = placement.draw(fig, handles, labels, markerscale=1.2)
    for text in legend.get_texts():
        text.set_gid("d-star-label")
    ctx.title(fig, "Sparsity–reconstruction frontier across trials")
    return fig
