"""toy-loss-floor (fig1): normalised held-out loss against width d_S, per read-out and k.

The paper's main result, redrawn as a measurement. One row of panels per read-out, one column per
k (per sparsity α on an (α, F) grid), one line per feature count F (seed mean over the widths the
search measured, band = seed min–max), log-log axes. The normalised loss is the held-out loss over
the loss of predicting x̂ = 0 (1: nothing recovered); the dashed horizontal line is ε, the level
that defines the transition. On each curve an open circle marks the predicted d*_S = k ln(F/k), a
cross δ(k, F) (where the exact reference switches on) and a filled diamond the measured transition
width at ε (all from the summary). A censored curve (never reaching ε) gets a hollow diamond at its
widest width with an arrow pointing right: the transition lies beyond, a lower bound. Losses below
ε / 100 (exact recovery reaches 0) are drawn at the axis floor.

gids: ``toy-curve`` (Line2D per curve), ``seed-band``, ``epsilon-line`` (one per panel),
``d-star`` (one marker per curve at x = d*_S), ``delta-mark`` (one per curve at x = δ(k, F)),
``transition`` (one filled marker per measured curve at (transition width, ε)), ``lower-bound``
(one hollow marker per censored curve), ``lower-bound-arrow``.

The plotly half is ``toy_loss_floor_interactive``; the curves and panels both halves lay out are
``parts.toy_curves``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.lower_bounds import lower_bound_arrow, lower_bound_handle
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.parts.toy_curves import DEPTH, CurveGrid, curve_grid, epsilon, loss_at
from galleryforge.renderings.registry import register
from galleryforge.renderings.toy_loss_floor_interactive import interactive
from galleryforge.renderings.toy_readouts import deltas, finding, grid_axis, readouts

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def describe(ctx: RenderContext) -> str:
    toy = ctx.toy_tables
    axis, _ = grid_axis(toy.summary)
    name = "number of active features k" if axis == "k" else "sparsity alpha"
    values = ", ".join(f"{a:g}" for a in sorted(toy.summary[axis].unique()))
    features = ", ".join(str(f) for f in sorted(toy.summary["features"].unique()))
    return (
        f"Toy experiment: normalised held-out loss (1 = nothing recovered) against width d_S on "
        f"log-log axes, one row of panels per read-out ({', '.join(readouts(toy.summary))}), one "
        f"column per {name} ({values}) and one curve per feature count F ({features}), "
        f"averaged over seeds. A dashed line marks epsilon = {epsilon(toy.summary):g}. Open "
        f"circles mark the predicted width d*_S = k ln(F/k), crosses delta(k, F); filled "
        f"diamonds mark where the loss falls to epsilon; hollow diamonds with an arrow mark "
        f"curves that never do ({int(toy.summary['censored'].sum())} censored, lower bounds)."
    )


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
    grid = curve_grid(ctx)
    rows, cols = len(grid.readouts), len(grid.columns)
    aspect = 0.3 * rows + 0.15
    fig, axes = ctx.figure(rows, cols, aspect=aspect, sharex=True, sharey=True, squeeze=False)
    for i, j, decoder, value, cells in grid.panels():
        ax = axes[i, j]
        ax.axhline(
            grid.epsilon, linestyle="--", color=ctx.theme.colors.reference, gid="epsilon-line"
        )
        for row in cells:
            _draw_curve(ctx, ax, grid, row)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(grid.floor, 1.5)
        ax.set_title(
            grid.title(decoder, value), loc="left", fontsize=ctx.theme.font.label_size, wrap=True
        )
    for ax in axes.flat:
        log_ticks(ax, "x", max_labels=4)
    # One label for the shared axis: a label per row overlapped its neighbours on short rows.
    fig.supylabel("Normalised loss", fontsize=ctx.theme.font.label_size)
    for ax in axes[-1, :]:
        ax.set_xlabel(r"Width $d_S$")
    _legend(ctx, fig, grid)
    ctx.title(fig, r"Toy model: normalised loss vs width, $d^*_S$ and transition marked")
    return fig


def _draw_curve(ctx: RenderContext, ax: Axes, grid: CurveGrid, row: Any) -> None:
    """One summary cell's curve: its seed band and mean, d*_S, and its transition or bound."""
    widths, stats = grid.curve(row)
    mean, floor = stats["mean"].to_numpy(float), grid.floor
    colour, size = grid.colours[row.features], ctx.theme.lines.marker_size * 1.3
    eps = float(getattr(row, "epsilon", floor * DEPTH))
    ax.fill_between(
        widths,
        np.maximum(stats["min"], floor),
        np.maximum(stats["max"], floor),
        color=colour,
        alpha=0.2,
        linewidth=0,
        gid="seed-band",
    )
    ax.plot(widths, np.maximum(mean, floor), color=colour, gid="toy-curve")
    d_star = float(row.d_star)
    ax.plot(
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
    (delta,) = deltas(grid.summary.loc[[row.Index]])
    ax.plot(
        [delta],
        [loss_at(widths, mean, delta, floor)],
        "x",
        color=colour,
        markeredgewidth=1.3,
        markersize=size,
        gid="delta-mark",
        zorder=4,
    )
    transition = float(row.transition_width)
    if not row.censored:
        ax.plot([transition], [eps], "D", color=colour, markersize=size, gid="transition", zorder=5)
        return
    y = loss_at(widths, mean, transition, floor)
    ax.plot(
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
    lower_bound_arrow(ax, transition, y, colour, along="x")


def _legend(ctx: RenderContext, fig: Figure, grid: CurveGrid) -> None:
    from matplotlib.lines import Line2D

    muted, eps = ctx.theme.colors.muted, grid.epsilon
    handles = [Line2D([], [], color=grid.colours[f], label=f"F = {f}") for f in grid.features]
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
        Line2D([], [], marker="x", linestyle="", color=muted, label=r"$\delta(k, F)$"),
        Line2D([], [], marker="D", linestyle="", color=muted, label="transition"),
        lower_bound_handle(ctx, "D", "censored (lower bound)"),
    ]
    ncol = math.ceil(len(handles) / math.ceil(len(handles) / 4))  # rows of at most 4
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol)
