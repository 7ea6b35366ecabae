"""toy-floor-vs-dstar (fig8): measured floor width against predicted d*_S, the paper's money plot.

One point per toy setting (α, F) on log-log axes: x = d*_S = k ln(F/k) from ``kd.toy_d_star``,
y = the smallest width whose loss is within tolerance of the floor. Colour gives α, marker shape
gives F; the y = x line is where the KD model would be exact, and a shaded band marks agreement
within a factor of 2.

gids: ``toy-point`` (one PathCollection per (α, F) group: α colour × F marker),
``identity-line`` (y = x, spanning every point), ``factor-band`` (the ×2 band).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.registry import register
from galleryforge.renderings.shared import toy_comparison

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
PLOTLY_MARKERS = (
    "circle",
    "square",
    "triangle-up",
    "diamond",
    "triangle-down",
    "cross",
    "x",
    "star",
)


def span(table: pd.DataFrame) -> tuple[float, float]:
    """Axis limits covering every point on both axes, padded by a quarter decade either side."""
    values = np.concatenate([table["d_star"], table["floor_width"]])
    values = values[values > 0]
    return float(values.min()) / 10**0.25, float(values.max()) * 10**0.25


def describe(ctx: RenderContext) -> str:
    table = toy_comparison(ctx.toy_tables.summary)
    log_ratio = np.log10(table["ratio"])
    within = int(np.sum(np.abs(np.log2(table["ratio"])) <= 1))
    corr = float(np.corrcoef(np.log(table["d_star"]), np.log(table["floor_width"]))[0, 1])
    return (
        f"Log-log scatter of the toy experiment's measured floor width against the predicted "
        f"optimal width d*_S, one point per setting ({len(table)} settings of alpha and F), with "
        f"the line y = x. {within} of {len(table)} points lie within a factor of 2 of the line; "
        f"the measured width is on average {10 ** log_ratio.mean():.2f} times the prediction "
        f"(geometric mean) and the log-log correlation is {corr:.2f}."
    )


def interactive(ctx: RenderContext) -> go.Figure:
    table = toy_comparison(ctx.toy_tables.summary)
    alphas, features = sorted(table["alpha"].unique()), sorted(table["features"].unique())
    colours = dict(zip(alphas, ctx.theme.categorical(len(alphas)), strict=True))
    low, high = span(table)
    fig = ctx.plotly_figure(aspect=0.8)
    fig.add_scatter(
        x=[low, high],
        y=[low, high],
        mode="lines",
        name="y = x",
        line={"color": ctx.theme.colors.reference, "dash": "dash"},
    )
    for alpha in alphas:
        group = table[table["alpha"] == alpha]
        symbols = [
            PLOTLY_MARKERS[features.index(f) % len(PLOTLY_MARKERS)] for f in group["features"]
        ]
        fig.add_scatter(
            x=group["d_star"],
            y=group["floor_width"],
            mode="markers",
            name=f"α = {alpha:g}",
            marker={"color": colours[alpha], "symbol": symbols, "size": 11},
            customdata=np.stack([group["features"], group["ratio"]], axis=1),
            hovertemplate=f"α {alpha:g}, F %{{customdata[0]}}<br>predicted d*_S %{{x:.4g}}<br>"
            "measured floor %{y}<br>ratio %{customdata[1]:.3f}<extra></extra>",
        )
    fig.update_xaxes(type="log", title_text="predicted d*_S = k ln(F/k)")
    fig.update_yaxes(type="log", title_text="measured floor width")
    fig.update_layout(title="Toy model: measured floor width vs predicted d*_S")
    return fig


@register(
    "toy-floor-vs-dstar",
    title="Toy model: measured floor vs predicted d*_S",
    aliases=("fig8",),
    scope="toy",
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    from matplotlib.lines import Line2D

    table = toy_comparison(ctx.toy_tables.summary)
    alphas, features = sorted(table["alpha"].unique()), sorted(table["features"].unique())
    colours = dict(zip(alphas, ctx.theme.categorical(len(alphas)), strict=True))
    low, high = span(table)
    fig, ax = ctx.figure()
    line = np.array([low, high])
    ax.fill_between(
        line,
        line / 2,
        line * 2,
        color=ctx.theme.colors.reference,
        alpha=0.12,
        linewidth=0,
        gid="factor-band",
        label="within ×2",
    )
    ax.plot(
        line,
        line,
        linestyle="--",
        color=ctx.theme.colors.reference,
        gid="identity-line",
        label="y = x",
    )
    size = (ctx.theme.lines.marker_size * 1.6) ** 2
    for (alpha, n), group in table.groupby(["alpha", "features"]):
        ax.scatter(
            group["d_star"],
            group["floor_width"],
            s=size,
            color=colours[alpha],
            marker=MARKERS[features.index(n) % len(MARKERS)],
            zorder=3,
            edgecolors=ctx.theme.colors.panel,
            linewidths=0.6,
            gid="toy-point",
        )
    ax.set(xscale="log", yscale="log", xlim=(low, high), ylim=(low, high))
    ax.set_aspect("equal", adjustable="box")
    log_ticks(ax, "x", max_labels=5)
    log_ticks(ax, "y", max_labels=5)
    ax.set_xlabel(r"Predicted $d^*_S = k\,\ln(F/k)$")
    ax.set_ylabel("Measured floor width")
    reference, _ = ax.get_legend_handles_labels()
    alpha_handles = [
        Line2D([], [], marker="o", linestyle="", color=colours[a], label=f"α = {a:g}")
        for a in alphas
    ]
    feature_handles = [
        Line2D(
            [],
            [],
            marker=MARKERS[i % len(MARKERS)],
            linestyle="",
            color=ctx.theme.colors.muted,
            label=f"F = {n:,}",
        )
        for i, n in enumerate(features)
    ]
    handles = [*reference, *alpha_handles, *feature_handles]
    ax.legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(1.02, 0.5),
        ncol=1 if len(handles) <= 12 else 2,
    )
    ctx.title(fig, r"Toy model: measured floor width vs predicted $d^*_S$")
    return fig
