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

The plotly half is ``width_sweep_interactive``; the family's rows and knees, ``parts.family``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.family import family_sweep, knee_mse
from galleryforge.renderings.parts.layer_colors import (
    layer_colorbar,
    layer_colors,
    layer_line_width,
)
from galleryforge.renderings.parts.panel_notes import title_note
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.registry import register
from galleryforge.renderings.width_sweep_interactive import interactive
from galleryforge.width_family import by_layer, family_finding, knee_note, member_width

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def describe(ctx: RenderContext) -> str:
    table, _ = family_sweep(ctx)
    widths = sorted(int(w) for w in table["width"].unique())
    return (
        f"Two log-log panels for the width family of trial {ctx.trial.trial} "
        f"({len(widths)} widths, F = {', '.join(f'{w:,}' for w in widths)}; "
        f"{ctx.trial.n_layers} layers, one line per layer coloured by depth): the final held-out "
        f"MSE against F ({table['mse'].min():.3g} to {table['mse'].max():.3g}) with each layer's "
        f"knee marked, and L0 ({table['l0'].min():,.0f} to {table['l0'].max():,.0f}) with each "
        f"width's predicted d*_S ({table['d_star'].min():,.0f} to {table['d_star'].max():,.0f})."
    )


def finding(ctx: RenderContext) -> str:
    """Where each layer's measured knee sits against its predicted d*_S."""
    return family_finding(ctx.trial, ctx.family)


@register(
    "width-sweep",
    title="Width sweep: MSE and L0 against dictionary width",
    describe=describe,
    interactive=interactive,
    finding=finding,
    needs=("family",),
    aspect=0.5,
)
def draw(ctx: RenderContext) -> Figure:
    table, knees = family_sweep(ctx)
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
        ax.axvline(
            member_width(ctx.trial), color=ctx.theme.colors.muted, linestyle=":", gid="this-width"
        )
        ax.set(xscale="log", yscale="log")
        ax.set_xlabel("Dictionary width F")
        log_ticks(ax, "x")
        log_ticks(ax, "y", max_labels=5)
    knees_text = knee_note(ctx.trial, knees).replace("d*_S", r"$d^*_S$")
    title_note(ctx, loss_ax, knees_text, gid="knee-note")
    loss_ax.set_ylabel("Final held-out MSE (stars: knees)")
    loss_ax.set_xlabel(
        rf"Dictionary width F (triangles: $d^*_S$ of F = {member_width(ctx.trial):,})"
    )
    count_ax.set_ylabel(r"L0 (solid), $d^*_S$ (dashed), F (dotted)")
    layer_colorbar(ctx, fig, count_ax, layers)
    ctx.title(fig, f"Trial {ctx.trial.trial}: width family, MSE and L0 against width")
    return fig
