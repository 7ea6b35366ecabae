"""toy-floor-vs-dstar (fig8): measured transition width against predicted d*_S, the money plot.

One point per read-out and cell (k, F) on log-log axes: x = d*_S = k ln(F/k), the summary's own
``d_star``; y = the summary's ``transition_width``. Each read-out has its colour and marker. A
censored cell (the loss never fell to ε) is drawn hollow at the widest width swept with an arrow
pointing up: a lower bound. The dashed line y = x is where the KD model would be exact; a grey
cross per cell marks δ(k, F) (the summary's ``delta``), where the exact reference ``lp`` is known
to switch on; each read-out's fitted power law y = e^a · x^b (a, b from the summary) is a dotted
line in its colour.

gids: ``toy-point`` (one PathCollection per read-out, measured cells), ``lower-bound`` (one
PathCollection per read-out with censored cells, hollow), ``lower-bound-arrow`` (an annotation
per censored cell), ``identity-line`` (y = x), ``delta-mark`` (one PathCollection: (d*_S, δ) per
cell), ``fit-line`` (one Line2D per read-out with a fitted law).

The plotly half is ``toy_floor_vs_dstar_interactive``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.lower_bounds import lower_bound_arrow, lower_bound_handle
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.registry import register
from galleryforge.renderings.toy_floor_vs_dstar_interactive import interactive
from galleryforge.renderings.toy_readouts import (
    deltas,
    finding,
    fits,
    marker,
    readout_colours,
    readouts,
    span,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


def describe(ctx: RenderContext) -> str:
    table = ctx.toy_tables.summary
    censored = int(table["censored"].sum())
    names = ", ".join(readouts(table))
    return (
        f"Log-log scatter of the toy experiment's measured transition width (where the "
        f"seed-mean normalised loss falls to epsilon) against the predicted width d*_S, one "
        f"point per read-out ({names}) and cell of k and F ({len(table)} points), with "
        f"the line y = x, grey crosses at delta(k, F) (where the exact reference lp is known to "
        f"switch on) and each read-out's fitted power law y = e^a x^b. {censored} points are "
        f"censored: drawn hollow with an upward arrow at the widest width swept, a lower bound."
    )


@register(
    "toy-floor-vs-dstar",
    title="Toy model: transition width vs predicted d*_S",
    aliases=("fig8",),
    scope="toy",
    describe=describe,
    interactive=interactive,
    finding=finding,
)
def draw(ctx: RenderContext) -> Figure:
    table = ctx.toy_tables.summary
    colours = readout_colours(ctx, readouts(table))
    low, high = span(table)
    fig, ax = ctx.figure()
    line = np.array([low, high])
    ax.plot(
        line,
        line,
        linestyle="--",
        color=ctx.theme.colors.reference,
        gid="identity-line",
        label="y = x",
    )
    size = (ctx.theme.lines.marker_size * 1.5) ** 2
    cells = table.drop_duplicates(["alpha", "features"])
    ax.scatter(
        cells["d_star"],
        deltas(cells),
        s=size * 0.8,
        marker="x",
        color=ctx.theme.colors.reference,
        linewidths=1.0,
        zorder=2,
        gid="delta-mark",
        label=r"$\delta(k, F)$",
    )
    for index, fit in enumerate(fits(table)):
        rows = table[table["decoder"] == fit.decoder]
        colour, shape = colours[fit.decoder], marker(fit.decoder, index)
        measured, bounds = rows[rows["censored"] == 0], rows[rows["censored"] == 1]
        ax.scatter(
            measured["d_star"],
            measured["transition_width"],
            s=size,
            color=colour,
            marker=shape,
            zorder=3,
            edgecolors=ctx.theme.colors.panel,
            linewidths=0.6,
            gid="toy-point",
            label=fit.decoder,
        )
        if not bounds.empty:
            ax.scatter(
                bounds["d_star"],
                bounds["transition_width"],
                s=size,
                marker=shape,
                facecolors="none",
                edgecolors=colour,
                linewidths=1.2,
                zorder=3,
                gid="lower-bound",
            )
            for x, y in zip(bounds["d_star"], bounds["transition_width"], strict=True):
                lower_bound_arrow(ax, x, y, colour, along="y")
        if fit.has_law:
            ax.plot(
                line,
                fit.law(line),
                linestyle=":",
                color=colour,
                gid="fit-line",
                label=f"{fit.decoder}: $y = e^{{{fit.a:.2f}}} x^{{{fit.b:.2f}}}$",
            )
    ax.set(xscale="log", yscale="log", xlim=(low, high), ylim=(low, high))
    ax.set_aspect("equal", adjustable="box")
    log_ticks(ax, "x", max_labels=5)
    log_ticks(ax, "y", max_labels=5)
    ax.set_xlabel(r"Predicted $d^*_S = k\,\ln(F/k)$")
    ax.set_ylabel(r"Measured transition width (loss $\leq \varepsilon$)")
    _legend(ctx, ax, table)
    ctx.title(fig, r"Toy model: transition width vs predicted $d^*_S$")
    return fig


def _legend(ctx: RenderContext, ax: object, table: pd.DataFrame) -> None:
    handles, _ = ax.get_legend_handles_labels()  # type: ignore[attr-defined]
    if int(table["censored"].sum()):
        handles.append(lower_bound_handle(ctx, "o", "censored: lower bound"))
    ax.legend(  # type: ignore[attr-defined]
        handles=handles, loc="center left", bbox_to_anchor=(1.02, 0.5), ncol=1
    )
