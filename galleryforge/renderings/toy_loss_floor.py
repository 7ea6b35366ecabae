"""toy-loss-floor (fig1): held-out loss vs bottleneck width d_S, one curve per (α, F).

The paper's main result. One panel per sparsity α, one line per feature count F (seed mean,
band = seed min–max), log-log axes. Each curve carries its predicted optimal width
d*_S = k ln(F/k) (``kd.toy_d_star``, open circle) and the width where the measured floor begins
(filled triangle), so the two can be compared curve by curve.

gids: ``toy-curve`` (Line2D per curve), ``seed-band`` (seed spread), ``d-star`` (one marker per
curve at x = d*_S), ``measured-floor`` (one marker per curve at the measured floor width).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.panels import panel_grid, plotly_subplots
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.registry import register
from galleryforge.renderings.shared import toy_comparison

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


def seed_stats(sweep: pd.DataFrame) -> pd.DataFrame:
    """Mean, min and max held-out loss over seeds per (alpha, features, width)."""
    grouped = sweep.groupby(["alpha", "features", "width"])["loss"]
    return grouped.agg(["mean", "min", "max"]).reset_index()


def loss_at(widths: np.ndarray, losses: np.ndarray, x: float) -> float:
    """The curve's loss at width ``x``, interpolated in log-log space (clamped at the ends)."""
    return float(np.exp(np.interp(np.log(x), np.log(widths), np.log(losses))))


def describe(ctx: RenderContext) -> str:
    table = toy_comparison(ctx.toy_tables.summary)
    alphas = ", ".join(f"{a:g}" for a in sorted(table["alpha"].unique()))
    features = ", ".join(str(f) for f in sorted(table["features"].unique()))
    ratio = table["ratio"]
    return (
        f"Toy experiment: held-out loss against bottleneck width d_S on log-log axes, one panel "
        f"per sparsity alpha ({alphas}) and one curve per feature count F ({features}), "
        f"{len(table)} curves averaged over seeds. Circles mark the predicted optimal width "
        f"d*_S = k ln(F/k); triangles mark where the measured loss floor begins. Measured floor "
        f"widths are {ratio.min():.2g} to {ratio.max():.2g} times the prediction "
        f"(median {ratio.median():.2g})."
    )


def interactive(ctx: RenderContext) -> go.Figure:
    toy = ctx.toy_tables
    stats, table = seed_stats(toy.sweep), toy_comparison(toy.summary)
    alphas = sorted(table["alpha"].unique())
    features = sorted(table["features"].unique())
    colours = dict(zip(features, ctx.theme.categorical(len(features)), strict=True))
    cols = min(len(alphas), 2)
    rows = math.ceil(len(alphas) / cols)
    titles = [f"α = {a:g}" for a in alphas]
    fig = plotly_subplots(ctx, rows, cols, aspect=0.7, subplot_titles=titles)
    for i, alpha in enumerate(alphas):
        place = {"row": i // cols + 1, "col": i % cols + 1}
        for row in table[table["alpha"] == alpha].itertuples():
            curve = stats[(stats["alpha"] == alpha) & (stats["features"] == row.features)]
            widths, mean = curve["width"].to_numpy(float), curve["mean"].to_numpy(float)
            name, colour = f"F = {row.features}", colours[row.features]
            fig.add_scatter(
                x=widths,
                y=mean,
                mode="lines+markers",
                name=name,
                legendgroup=name,
                showlegend=i == 0,
                line={"color": colour},
                hovertemplate=f"α {alpha:g}, {name}<br>d_S %{{x}}: loss %{{y:.4g}}<extra></extra>",
                **place,
            )
            marks = [row.d_star, row.floor_width]
            fig.add_scatter(
                x=marks,
                y=[loss_at(widths, mean, w) for w in marks],
                mode="markers",
                showlegend=False,
                legendgroup=name,
                marker={"symbol": ["circle-open", "triangle-down"], "size": 11, "color": colour},
                text=["predicted d*_S", "measured floor"],
                hovertemplate="%{text}: %{x:.4g}<extra></extra>",
                **place,
            )
    fig.update_xaxes(type="log", title_text="width d_S")
    fig.update_yaxes(type="log", title_text="held-out loss")
    fig.update_layout(title="Toy model: loss floor vs width, predicted d*_S marked")
    return fig


@register(
    "toy-loss-floor",
    title="Toy model: loss floor vs width",
    aliases=("fig1",),
    scope="toy",
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    toy = ctx.toy_tables
    stats, table = seed_stats(toy.sweep), toy_comparison(toy.summary)
    alphas = sorted(table["alpha"].unique())
    features = sorted(table["features"].unique())
    colours = dict(zip(features, ctx.theme.categorical(len(features)), strict=True))
    # Narrow (print) canvases stack the panels, so they get a taller canvas than the theme's.
    aspect = 0.78 if ctx.theme.figure.width_in < 7 else None
    figsize = ctx.theme.figsize(aspect)
    rows, cols = panel_grid(len(alphas), (figsize[0] * 0.85, figsize[1] * 0.75), 0.75)
    fig, axes = ctx.figure(rows, cols, aspect=aspect, sharex=True, squeeze=False)
    size = ctx.theme.lines.marker_size * 1.5
    for ax, alpha in zip(axes.flat, alphas, strict=False):
        for row in table[table["alpha"] == alpha].itertuples():
            curve = stats[(stats["alpha"] == alpha) & (stats["features"] == row.features)]
            widths, mean = curve["width"].to_numpy(float), curve["mean"].to_numpy(float)
            colour = colours[row.features]
            ax.fill_between(
                widths,
                curve["min"],
                curve["max"],
                color=colour,
                alpha=0.2,
                linewidth=0,
                gid="seed-band",
            )
            ax.plot(widths, mean, color=colour, gid="toy-curve")
            ax.plot(
                [row.d_star],
                [loss_at(widths, mean, row.d_star)],
                "o",
                color=colour,
                markerfacecolor=ctx.theme.colors.panel,
                markeredgewidth=1.5,
                markersize=size,
                gid="d-star",
                zorder=4,
            )
            ax.plot(
                [row.floor_width],
                [loss_at(widths, mean, row.floor_width)],
                "v",
                color=colour,
                markersize=size,
                gid="measured-floor",
                zorder=5,
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        log_ticks(ax, "y", max_labels=4)
        log_ticks(ax, "x", max_labels=4)
        ctx.title(ax, f"α = {alpha:g}")
    for ax in axes.flat[len(alphas) :]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("Held-out loss")
    for ax in axes[-1, :]:
        ax.set_xlabel(r"Width $d_S$")
    _legend(ctx, fig, features, colours)
    ctx.title(fig, r"Toy model: loss floor vs width, predicted $d^*_S$ marked")
    return fig


def _legend(ctx: RenderContext, fig: Figure, features: list[int], colours: dict) -> None:
    from matplotlib.lines import Line2D

    muted = ctx.theme.colors.muted
    handles = [Line2D([], [], color=colours[f], label=f"F = {f}") for f in features]
    handles += [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color=muted,
            markerfacecolor=ctx.theme.colors.panel,
            label=r"predicted $d^*_S$",
        ),
        Line2D([], [], marker="v", linestyle="", color=muted, label="measured floor"),
    ]
    ncol = len(handles) if len(handles) <= 6 else math.ceil(len(handles) / 2)
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol)
