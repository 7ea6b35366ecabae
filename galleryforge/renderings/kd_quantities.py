"""kd-quantities: the KD width model's per-layer quantities α, g(α) and d*_S through depth.

Three panels against layer (final checkpoint): the sparsity coefficient α = 1 − L0/F_alive, the
capacity g(α) = (1 − α) ln(1/(1 − α)) and the predicted optimal width d*_S = F_alive · g(α), as
the trial's layer table holds them (computed by ``kd.py``). A dashed reference line in each panel
is the trial mean over layers (``TrialTables.kd``), labelled with its value.

gids: ``kd-alpha``, ``kd-g_alpha``, ``d-star`` (the per-layer Line2D of each panel, x = layer ids),
``trial-mean`` (one horizontal reference line per panel at the trial mean).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.labels import metric_label
from galleryforge.numbers import format_metric
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.panels import plotly_subplots
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

QUANTITIES = ("alpha", "g_alpha", "d_star")
GIDS = {"alpha": "kd-alpha", "g_alpha": "kd-g_alpha", "d_star": "d-star"}
NAMES = {"alpha": "Sparsity", "g_alpha": "Capacity", "d_star": "Predicted width"}


def trial_means(ctx: RenderContext) -> dict[str, float]:
    kd = ctx.trial.kd
    return {"alpha": kd.alpha, "g_alpha": kd.g_alpha, "d_star": kd.d_star}


def describe(ctx: RenderContext) -> str:
    final, means = ctx.trial.final, trial_means(ctx)
    parts = [
        f"{metric_label(q)} from {format_metric(q, final[q].min())} to "
        f"{format_metric(q, final[q].max())} (mean {format_metric(q, means[q])})"
        for q in QUANTITIES
    ]
    return (
        f"Three panels of trial {ctx.trial.trial}'s KD quantities against layer for "
        f"{ctx.trial.n_layers} layers at the final checkpoint, each with its trial mean as a "
        f"dashed line: {'; '.join(parts)}."
    )


def interactive(ctx: RenderContext) -> go.Figure:
    final, means = ctx.trial.final, trial_means(ctx)
    titles = [metric_label(q) for q in QUANTITIES]
    fig = plotly_subplots(ctx, 1, len(QUANTITIES), subplot_titles=titles)
    for col, quantity in enumerate(QUANTITIES, start=1):
        label = metric_label(quantity)
        fig.add_scatter(
            x=final["layer"],
            y=final[quantity],
            mode="lines+markers",
            name=label,
            line={"color": ctx.theme.colors.accent},
            showlegend=False,
            hovertemplate=f"layer %{{x}}: {label} %{{y:.4g}}<extra></extra>",
            row=1,
            col=col,
        )
        fig.add_hline(
            y=means[quantity],
            line_dash="dash",
            line_color=ctx.theme.colors.reference,
            annotation_text=f"mean {format_metric(quantity, means[quantity])}",
            row=1,
            col=col,
        )
    fig.update_xaxes(title_text="layer")
    fig.update_layout(title=f"Trial {ctx.trial.trial}: KD quantities per layer")
    return fig


@register(
    "kd-quantities",
    title="KD quantities per layer: α, g(α), d*_S",
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    final, means = ctx.trial.final, trial_means(ctx)
    layers = final["layer"].to_numpy(np.float64)
    fig, axes = ctx.figure(1, len(QUANTITIES), sharex=True)
    marker = "o" if ctx.trial.n_layers <= 12 else None
    for ax, quantity in zip(axes, QUANTITIES, strict=True):
        ax.plot(
            layers,
            final[quantity].to_numpy(np.float64),
            marker=marker,
            color=ctx.theme.colors.accent,
            gid=GIDS[quantity],
        )
        mean = means[quantity]
        ax.axhline(mean, linestyle="--", color=ctx.theme.colors.reference, gid="trial-mean")
        ax.annotate(
            f"mean {format_metric(quantity, mean)}",
            (0, mean),
            xycoords=("axes fraction", "data"),
            xytext=(2, 3),
            textcoords="offset points",
            va="bottom",
            color=ctx.theme.colors.muted,
            fontsize=ctx.theme.font.annotation_size,
        )
        ax.set_title(
            f"{NAMES[quantity]} {metric_label(quantity, math=True)}",
            loc="left",
            fontsize=ctx.theme.font.label_size,
        )
        ax.yaxis.set_major_locator(MaxNLocator(5))
        if quantity == "d_star":
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.set_xlabel("Layer")
    axes[0].xaxis.set_major_locator(MaxNLocator(5, integer=True))
    axes[0].set_xlim(layers.min() - 0.5, layers.max() + 0.5)
    ctx.title(fig, f"Trial {ctx.trial.trial}: KD quantities per layer")
    return fig
