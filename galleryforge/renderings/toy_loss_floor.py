"""toy-loss-floor (fig1): normalised held-out loss against width d_S, per read-out and sparsity.

The paper's main result, redrawn as a measurement. One row of panels per read-out, one column per
sparsity α, one line per feature count F (seed mean, band = seed min–max), log-log axes. The
normalised loss is the held-out loss over the loss of predicting x̂ = 0 (1: nothing recovered);
the dashed horizontal line is ε, the level that defines the transition. On each curve an open
circle marks the predicted d*_S = k ln(F/k) and a filled diamond the measured transition width at
ε (both from the summary). A censored curve (never reaching ε) gets a hollow diamond at its widest
width with an arrow pointing right: the transition lies beyond, a lower bound. Losses below
ε / 100 (exact recovery reaches 1e-9) are drawn at the axis floor.

gids: ``toy-curve`` (Line2D per curve), ``seed-band``, ``epsilon-line`` (one per panel),
``d-star`` (one marker per curve at x = d*_S), ``transition`` (one filled marker per measured
curve at (transition width, ε)), ``lower-bound`` (one hollow marker per censored curve),
``lower-bound-arrow``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.panels import plotly_subplots
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.registry import register
from galleryforge.renderings.toy_readouts import finding, readouts

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

# How far below ε the axes reach: far enough to show the fall, not the 1e-9 of exact recovery.
DEPTH = 100.0


def seed_stats(sweep: pd.DataFrame) -> pd.DataFrame:
    """Mean, min and max normalised loss over seeds per (decoder, alpha, features, width)."""
    grouped = sweep.groupby(["decoder", "alpha", "features", "width"])["normalised_loss"]
    return grouped.agg(["mean", "min", "max"]).reset_index()


def loss_at(widths: np.ndarray, losses: np.ndarray, x: float, floor: float) -> float:
    """The curve's loss at width ``x``, interpolated in log-log space (clamped at the ends)."""
    logs = np.log(np.maximum(losses, floor))
    return float(np.exp(np.interp(np.log(x), np.log(widths), logs)))


def epsilon(summary: pd.DataFrame) -> float:
    return float(summary["epsilon"].iloc[0]) if "epsilon" in summary.columns else 0.01


def describe(ctx: RenderContext) -> str:
    toy = ctx.toy_tables
    alphas = ", ".join(f"{a:g}" for a in sorted(toy.summary["alpha"].unique()))
    features = ", ".join(str(f) for f in sorted(toy.summary["features"].unique()))
    return (
        f"Toy experiment: normalised held-out loss (1 = nothing recovered) against width d_S on "
        f"log-log axes, one row of panels per read-out ({', '.join(readouts(toy.summary))}), one "
        f"column per sparsity alpha ({alphas}) and one curve per feature count F ({features}), "
        f"averaged over seeds. A dashed line marks epsilon = {epsilon(toy.summary):g}. Open "
        f"circles mark the predicted width d*_S = k ln(F/k); filled diamonds mark where the "
        f"loss falls to epsilon; hollow diamonds with an arrow mark curves that never do "
        f"({int(toy.summary['censored'].sum())} censored, lower bounds)."
    )


def _curve(stats: pd.DataFrame, row: object) -> pd.DataFrame:
    return stats[
        (stats["decoder"] == row.decoder)  # type: ignore[attr-defined]
        & (stats["alpha"] == row.alpha)  # type: ignore[attr-defined]
        & (stats["features"] == row.features)  # type: ignore[attr-defined]
    ]


def interactive(ctx: RenderContext) -> go.Figure:
    toy = ctx.toy_tables
    stats, summary = seed_stats(toy.sweep), toy.summary
    names = readouts(summary)
    alphas = sorted(summary["alpha"].unique())
    features = sorted(summary["features"].unique())
    colours = dict(zip(features, ctx.theme.categorical(len(features)), strict=True))
    eps = epsilon(summary)
    titles = [f"{d}, α = {a:g}" for d in names for a in alphas]
    fig = plotly_subplots(ctx, len(names), len(alphas), aspect=0.8, subplot_titles=titles)
    for i, decoder in enumerate(names):
        for j, alpha in enumerate(alphas):
            place = {"row": i + 1, "col": j + 1}
            cells = summary[(summary["decoder"] == decoder) & (summary["alpha"] == alpha)]
            for row in cells.itertuples():
                curve = _curve(stats, row)
                widths, mean = curve["width"].to_numpy(float), curve["mean"].to_numpy(float)
                name, colour = f"F = {row.features}", colours[row.features]
                fig.add_scatter(
                    x=widths,
                    y=np.maximum(mean, eps / DEPTH),
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=i == 0 and j == 0,
                    line={"color": colour},
                    customdata=mean,
                    hovertemplate=f"{decoder}, α {alpha:g}, {name}<br>d_S %{{x}}: "
                    "normalised loss %{customdata:.3g}<extra></extra>",
                    **place,
                )
                censored = bool(row.censored)
                marks = [row.d_star, row.transition_width]
                fig.add_scatter(
                    x=marks,
                    y=[
                        loss_at(widths, mean, row.d_star, eps / DEPTH),
                        eps
                        if not censored
                        else loss_at(widths, mean, row.transition_width, eps / DEPTH),
                    ],
                    mode="markers",
                    showlegend=False,
                    legendgroup=name,
                    marker={
                        "symbol": ["circle-open", "diamond-open" if censored else "diamond"],
                        "size": 10,
                        "color": colour,
                    },
                    text=[
                        "predicted d*_S",
                        "censored: transition > widest width" if censored else "transition",
                    ],
                    hovertemplate="%{text}: %{x:.4g}<extra></extra>",
                    **place,
                )
            fig.add_hline(
                y=eps, line={"dash": "dash", "color": ctx.theme.colors.reference}, **place
            )
    fig.update_xaxes(type="log", title_text="width d_S")
    fig.update_yaxes(type="log", range=[math.log10(eps / DEPTH), 0.2], title_text="normalised loss")
    fig.update_layout(title="Toy model: normalised loss vs width, d*_S and transition marked")
    return fig


@register(
    "toy-loss-floor",
    title="Toy model: normalised loss vs width",
    aliases=("fig1",),
    scope="toy",
    describe=describe,
    interactive=interactive,
    finding=finding,
)
def draw(ctx: RenderContext) -> Figure:
    toy = ctx.toy_tables
    stats, summary = seed_stats(toy.sweep), toy.summary
    names = readouts(summary)
    alphas = sorted(summary["alpha"].unique())
    features = sorted(summary["features"].unique())
    colours = dict(zip(features, ctx.theme.categorical(len(features)), strict=True))
    eps = epsilon(summary)
    floor = eps / DEPTH
    aspect = 0.3 * len(names) + 0.15
    fig, axes = ctx.figure(
        len(names), len(alphas), aspect=aspect, sharex=True, sharey=True, squeeze=False
    )
    size = ctx.theme.lines.marker_size * 1.3
    for i, decoder in enumerate(names):
        for j, alpha in enumerate(alphas):
            ax = axes[i, j]
            ax.axhline(eps, linestyle="--", color=ctx.theme.colors.reference, gid="epsilon-line")
            cells = summary[(summary["decoder"] == decoder) & (summary["alpha"] == alpha)]
            for row in cells.itertuples():
                _draw_curve(ctx, ax, _curve(stats, row), row, colours[row.features], floor, size)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_ylim(floor, 1.5)
            ctx.title(ax, f"{decoder}, α = {alpha:g}")
    for ax in axes.flat:
        log_ticks(ax, "x", max_labels=4)
    for ax in axes[:, 0]:
        ax.set_ylabel("Normalised loss")
    for ax in axes[-1, :]:
        ax.set_xlabel(r"Width $d_S$")
    _legend(ctx, fig, features, colours, eps)
    ctx.title(fig, r"Toy model: normalised loss vs width, $d^*_S$ and transition marked")
    return fig


def _draw_curve(
    ctx: RenderContext,
    ax: object,
    curve: pd.DataFrame,
    row: object,
    colour: str,
    floor: float,
    size: float,
) -> None:
    widths, mean = curve["width"].to_numpy(float), curve["mean"].to_numpy(float)
    eps = float(getattr(row, "epsilon", floor * DEPTH))
    ax.fill_between(  # type: ignore[attr-defined]
        widths,
        np.maximum(curve["min"], floor),
        np.maximum(curve["max"], floor),
        color=colour,
        alpha=0.2,
        linewidth=0,
        gid="seed-band",
    )
    ax.plot(widths, np.maximum(mean, floor), color=colour, gid="toy-curve")  # type: ignore[attr-defined]
    d_star = float(row.d_star)  # type: ignore[attr-defined]
    ax.plot(  # type: ignore[attr-defined]
        [d_star],
        [loss_at(widths, mean, d_star, floor)],
        "o",
        color=colour,
        markerfacecolor=ctx.theme.colors.panel,
        markeredgewidth=1.3,
        markersize=size,
        gid="d-star",
        zorder=4,
    )
    transition = float(row.transition_width)  # type: ignore[attr-defined]
    if not row.censored:  # type: ignore[attr-defined]
        ax.plot(  # type: ignore[attr-defined]
            [transition], [eps], "D", color=colour, markersize=size, gid="transition", zorder=5
        )
        return
    y = loss_at(widths, mean, transition, floor)
    ax.plot(  # type: ignore[attr-defined]
        [transition],
        [y],
        "D",
        color=colour,
        markerfacecolor="none",
        markeredgewidth=1.3,
        markersize=size,
        gid="lower-bound",
        zorder=5,
    )
    ax.annotate(  # type: ignore[attr-defined]
        "",
        xy=(transition * 1.7, y),
        xytext=(transition * 1.1, y),
        arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.0},
        annotation_clip=False,
        gid="lower-bound-arrow",
    )


def _legend(
    ctx: RenderContext, fig: Figure, features: list[int], colours: dict, eps: float
) -> None:
    from matplotlib.lines import Line2D

    muted = ctx.theme.colors.muted
    handles = [Line2D([], [], color=colours[f], label=f"F = {f}") for f in features]
    handles += [
        Line2D([], [], linestyle="--", color=ctx.theme.colors.reference, label=f"ε = {eps:g}"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color=muted,
            markerfacecolor=ctx.theme.colors.panel,
            label=r"predicted $d^*_S$",
        ),
        Line2D([], [], marker="D", linestyle="", color=muted, label="transition"),
        Line2D(
            [],
            [],
            marker="D",
            linestyle="",
            color=muted,
            markerfacecolor="none",
            label="censored (lower bound)",
        ),
    ]
    ncol = math.ceil(len(handles) / math.ceil(len(handles) / 4))  # rows of at most 4
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol)
