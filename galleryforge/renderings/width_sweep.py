"""width-sweep: a width family's measured MSE and L0 against dictionary width, per layer.

The real-model counterpart of the toy's loss-floor figure. Left: each layer's final held-out MSE
at every member width (log-log, one line per layer coloured by depth), its measured knee marked
(``width_family``: the narrowest width from which the MSE falls by less than 5% per doubling; a
hollow marker at the widest width when the curve had not levelled off, a lower bound). Right: each
layer's L0 at every width (solid) and each width's own predicted d*_S = L0·ln(F_alive/L0) (dashed,
square markers), with y = F for reference. A dotted vertical line marks the width of the trial
drawn, triangles on the left panel's axis its d*_S per layer; the finding compares the knees with
that trial's d*_S.

gids: ``mse-line``, ``l0-line``, ``d-star`` (a Line2D per layer, x = member widths), ``knee`` (a
marker per layer), ``trial-d-star`` (a triangle per layer on the left panel's x-axis at the drawn
trial's d*_S), ``width-line`` (y = F), ``this-width`` (a vertical line per panel), ``knee-note``
(the left panel's title).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.layer_colors import (
    layer_colorbar,
    layer_colors,
    layer_hex,
    layer_line_width,
)
from galleryforge.renderings.parts.panels import plotly_subplots
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.registry import register
from galleryforge.width_family import (
    Knee,
    by_layer,
    family_finding,
    family_table,
    knee_note,
    layer_knees,
    member_width,
)

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


def sweep(ctx: RenderContext) -> tuple[pd.DataFrame, list[Knee]]:
    """The family's final rows (one per layer and width) and each layer's knee."""
    table = family_table(ctx.family)
    return table, layer_knees(table)


def knee_mse(table: pd.DataFrame, knee: Knee) -> float:
    rows = table[(table["layer"] == knee.layer) & (table["width"] == knee.width)]
    return float(rows["mse"].iloc[0])


def _width(ctx: RenderContext) -> int:
    return member_width(ctx.trial)


def describe(ctx: RenderContext) -> str:
    table, _ = sweep(ctx)
    widths = sorted(int(w) for w in table["width"].unique())
    return (
        f"Two log-log panels for the width family of trial {ctx.trial.trial} "
        f"({len(widths)} widths, F = {', '.join(f'{w:,}' for w in widths)}; "
        f"{ctx.trial.n_layers} layers, one line per layer coloured by depth): the final held-out "
        f"MSE against F ({table['mse'].min():.3g} to {table['mse'].max():.3g}) with each layer's "
        f"knee marked, and L0 ({table['l0'].min():,.0f} to {table['l0'].max():,.0f}) with each "
        f"width's predicted d*_S ({table['d_star'].min():,.0f} to {table['d_star'].max():,.0f}). "
        f"{family_finding(ctx.trial, ctx.family)}"
    )


def interactive(ctx: RenderContext) -> go.Figure:
    table, knees = sweep(ctx)
    fig = plotly_subplots(
        ctx, 1, 2, subplot_titles=("Final held-out MSE", "L0 (solid) and predicted d*_S (dashed)")
    )
    colours = layer_hex(ctx, ctx.trial.layer_ids)
    for (layer, rows), colour in zip(by_layer(table), colours, strict=True):
        group = str(layer)
        fig.add_scatter(
            x=rows["width"],
            y=rows["mse"],
            mode="lines+markers",
            name=f"layer {layer}",
            legendgroup=group,
            line={"color": colour},
            hovertemplate=f"layer {layer}, F %{{x:,}}: MSE %{{y:.4g}}<extra></extra>",
            row=1,
            col=1,
        )
        for column, dash, symbol in (("l0", "solid", "circle"), ("d_star", "dash", "square")):
            label = "L0" if column == "l0" else "d*_S"
            fig.add_scatter(
                x=rows["width"],
                y=rows[column],
                mode="lines+markers",
                showlegend=False,
                legendgroup=group,
                line={"color": colour, "dash": dash},
                marker={"symbol": symbol},
                hovertemplate=f"layer {layer}, F %{{x:,}}: {label} %{{y:,.0f}}<extra></extra>",
                row=1,
                col=2,
            )
    for knee, colour in zip(knees, colours, strict=True):
        fig.add_scatter(
            x=[knee.width],
            y=[knee_mse(table, knee)],
            mode="markers",
            showlegend=False,
            legendgroup=str(knee.layer),
            marker={
                "symbol": "star-open" if knee.censored else "star",
                "size": 14,
                "color": colour,
            },
            hovertemplate=f"layer {knee.layer}: knee "
            f"{'beyond ' if knee.censored else 'at '}F = {knee.width:,}<extra></extra>",
            row=1,
            col=1,
        )
    final = ctx.trial.final
    for star, colour in zip(final["d_star"], colours, strict=True):
        # A short tick at the foot of the MSE panel: the drawn trial's d*_S for this layer.
        fig.add_shape(
            type="line",
            x0=float(star),
            x1=float(star),
            y0=0,
            y1=0.06,
            yref="y domain",
            line={"color": colour, "width": 3},
            row=1,
            col=1,
        )
    widths = sorted(int(w) for w in table["width"].unique())
    fig.add_scatter(
        x=widths,
        y=widths,
        mode="lines",
        name="y = F",
        line={"color": ctx.theme.colors.reference, "dash": "dot"},
        hoverinfo="skip",
        row=1,
        col=2,
    )
    for col in (1, 2):
        fig.add_vline(
            x=_width(ctx), line_dash="dot", line_color=ctx.theme.colors.muted, row=1, col=col
        )
    fig.update_xaxes(type="log", title_text="dictionary width F")
    fig.update_yaxes(type="log")
    note = knee_note(ctx.trial, knees)
    fig.update_layout(title=f"Trial {ctx.trial.trial}: width family, MSE and L0 against F ({note})")
    return fig


@register(
    "width-sweep",
    title="Width sweep: MSE and L0 against dictionary width",
    describe=describe,
    interactive=interactive,
    needs=("family",),
    aspect=0.5,
)
def draw(ctx: RenderContext) -> Figure:
    table, knees = sweep(ctx)
    layers = list(ctx.trial.layer_ids)
    cmap, norm = layer_colors(ctx, layers)
    fig, (loss_ax, count_ax) = ctx.figure(1, 2, sharex=True)
    width = layer_line_width(ctx, len(layers))
    for layer, rows in by_layer(table):
        colour = cmap(norm(layer))
        xs = rows["width"].to_numpy(np.float64)
        loss_ax.plot(xs, rows["mse"], marker="o", color=colour, linewidth=width, gid="mse-line")
        count_ax.plot(xs, rows["l0"], marker="o", color=colour, linewidth=width, gid="l0-line")
        count_ax.plot(
            xs,
            rows["d_star"],
            marker="s",
            linestyle="--",
            color=colour,
            linewidth=width,
            markerfacecolor="none",
            gid="d-star",
        )
    for knee in knees:
        colour = cmap(norm(knee.layer))
        loss_ax.plot(
            [knee.width],
            [knee_mse(table, knee)],
            marker="*",
            markersize=11,
            color=colour,
            markerfacecolor="none" if knee.censored else colour,
            markeredgecolor=colour if knee.censored else ctx.theme.colors.panel,
            linestyle="none",
            zorder=4,
            gid="knee",
        )
    final = ctx.trial.final
    for layer, star in zip(final["layer"], final["d_star"], strict=True):
        loss_ax.plot(
            [float(star)],
            [0.0],
            marker="^",
            color=cmap(norm(layer)),
            transform=loss_ax.get_xaxis_transform(),
            clip_on=False,
            linestyle="none",
            gid="trial-d-star",
        )
    widths = np.array(sorted(table["width"].unique()), dtype=np.float64)
    count_ax.plot(widths, widths, color=ctx.theme.colors.reference, linestyle=":", gid="width-line")
    for ax in (loss_ax, count_ax):
        ax.axvline(_width(ctx), color=ctx.theme.colors.muted, linestyle=":", gid="this-width")
        ax.set(xscale="log", yscale="log")
        ax.set_xlabel("Dictionary width F")
        log_ticks(ax, "x")
        log_ticks(ax, "y", max_labels=5)
    note = loss_ax.set_title(
        knee_note(ctx.trial, knees).replace("d*_S", r"$d^*_S$"),
        loc="left",
        color=ctx.theme.colors.muted,
        fontsize=ctx.theme.font.label_size,
        fontweight="normal",
    )
    note.set_gid("knee-note")
    loss_ax.set_ylabel("Final held-out MSE (stars: knees)")
    loss_ax.set_xlabel(rf"Dictionary width F (triangles: $d^*_S$ of F = {_width(ctx):,})")
    count_ax.set_ylabel(r"L0 (solid), $d^*_S$ (dashed), F (dotted)")
    layer_colorbar(ctx, fig, count_ax, layers)
    ctx.title(fig, f"Trial {ctx.trial.trial}: width family, MSE and L0 against width")
    return fig
