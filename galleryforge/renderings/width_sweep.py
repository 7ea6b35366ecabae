"""width-sweep: a width family's measured MSE and L0 against dictionary width, per layer, with the
fitted curve, the knee and the declared d*_S.

The real-model counterpart of the toy's loss-floor figure. Left: each layer's final held-out MSE
at every member width, the mean over seeds (markers) with the seeds' range (a vertical bar), the
fitted L(F) = a·F^(−b) + L∞ (a thin line), the knee read from the fit (a star, hollow at the
widest width when the fit has not flattened there: a lower bound) with its bootstrap interval (a
horizontal bar), and the declared d*_S (a triangle on the x-axis, one per layer). Right: each
layer's L0 (seed mean, solid), each width's own d*_S = L0·ln(F_alive/L0) (dashed, square markers),
y = F for reference and the target L0 where the family holds one. A dotted vertical line marks the
width of the trial drawn.

gids: ``mse-mean`` (Line2D per layer, x = member widths, y = seed means), ``seed-range`` (a
LineCollection per layer, present with two or more seeds), ``fit-line`` (Line2D per layer),
``knee`` (a marker per layer), ``knee-interval`` (Line2D per layer with an interval),
``declared-d-star`` (a triangle per layer), ``l0-line``, ``d-star`` (Line2D per layer),
``target-l0``, ``width-line`` (y = F), ``this-width`` (a vertical line per panel), ``knee-note``.

The plotly half is ``width_sweep_interactive``; the family's rows and fits, ``parts.family``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.family import family_view
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
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from galleryforge.width_fit import LayerFit


def describe(ctx: RenderContext) -> str:
    view = family_view(ctx)
    table, widths = view.table, view.widths
    seeds = int(view.means["seeds"].min())
    return (
        f"Two log-log panels for the width family of trial {ctx.trial.trial} "
        f"({len(widths)} widths, F = {', '.join(f'{w:,}' for w in widths)}, {seeds} seed"
        f"{'s' if seeds != 1 else ''} a width; {ctx.trial.n_layers} layers, one colour per "
        f"layer by depth): the final held-out MSE against F ({table['mse'].min():.3g} to "
        f"{table['mse'].max():.3g}; seed means with their range) with each layer's fitted "
        f"L(F) = a·F^−b + L∞, its knee and interval, and the {view.prediction.source}; and L0 "
        f"({table['l0'].min():,.1f} to {table['l0'].max():,.1f}) with each width's d*_S "
        f"({table['d_star'].min():,.0f} to {table['d_star'].max():,.0f})."
    )


def finding(ctx: RenderContext) -> str:
    """Where each layer's fitted knee sits against the declared d*_S, and how the protocol
    held."""
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
    view = family_view(ctx)
    layers = list(ctx.trial.layer_ids)
    cmap, norm = layer_colors(ctx, layers)
    fig, (loss_ax, count_ax) = ctx.figure(1, 2, sharex=True)
    width = layer_line_width(ctx, len(layers))
    curve_x = view.curve_widths()
    for layer, rows in by_layer(view.means):
        colour = cmap(norm(layer))
        xs = rows["width"].to_numpy(np.float64)
        loss_ax.plot(xs, rows["mse"], "o", color=colour, gid="mse-mean")
        if int(rows["seeds"].min()) > 1:
            loss_ax.vlines(xs, rows["mse_low"], rows["mse_high"], color=colour, gid="seed-range")
        fit = view.fits[layer]
        loss_ax.plot(curve_x, fit.curve(curve_x), color=colour, linewidth=width, gid="fit-line")
        _draw_knee(ctx, loss_ax, fit, colour, curve_x[-1])
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
        loss_ax.plot(
            [view.prediction.d_star[layer]],
            [0.0],
            marker="^",
            color=colour,
            transform=loss_ax.get_xaxis_transform(),
            clip_on=False,
            linestyle="none",
            gid="declared-d-star",
        )
    widths = np.array(view.widths, dtype=np.float64)
    count_ax.plot(widths, widths, color=ctx.theme.colors.reference, linestyle=":", gid="width-line")
    targets = view.table["target_l0"].dropna().unique()
    if len(targets) == 1:
        count_ax.axhline(
            float(targets[0]), color=ctx.theme.colors.muted, linestyle="-.", gid="target-l0"
        )
    for ax in (loss_ax, count_ax):
        ax.axvline(
            member_width(ctx.trial), color=ctx.theme.colors.muted, linestyle=":", gid="this-width"
        )
        ax.set(xscale="log", yscale="log")
        log_ticks(ax, "x")
        log_ticks(ax, "y", max_labels=5)
    note = knee_note(ctx.trial, ctx.family).replace("d*_S", r"$d^*_S$")
    title_note(ctx, loss_ax, note, gid="knee-note")
    loss_ax.set_ylabel("Final held-out MSE (stars: fitted knees)")
    loss_ax.set_xlabel(r"Dictionary width F (triangles: declared $d^*_S$)")
    count_ax.set_xlabel("Dictionary width F")
    count_ax.set_ylabel(r"L0 (solid), $d^*_S$ (dashed), F (dotted)")
    layer_colorbar(ctx, fig, count_ax, layers)
    ctx.title(fig, f"Trial {ctx.trial.trial}: width family, MSE and L0 against width")
    return fig


def _draw_knee(ctx: RenderContext, ax: Axes, fit: LayerFit, colour: Any, right: float) -> None:
    """The knee on its fitted curve, hollow when censored (a lower bound, no interval), with its
    interval where there is one (an infinite upper end drawn to the curve's right end)."""
    y = float(fit.curve(fit.knee))
    if not math.isnan(fit.knee_low) and not fit.censored:
        high = right if math.isinf(fit.knee_high) else fit.knee_high
        ax.plot([fit.knee_low, high], [y, y], color=colour, linewidth=1.0, gid="knee-interval")
    ax.plot(
        [fit.knee],
        [y],
        marker="*",
        markersize=11,
        color=colour,
        markerfacecolor="none" if fit.censored else colour,
        markeredgecolor=colour if fit.censored else ctx.theme.colors.panel,
        linestyle="none",
        zorder=4,
        gid="knee",
    )
