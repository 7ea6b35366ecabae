"""predicted-loss-floor: the KD model's predicted loss against dictionary width d_S, per layer.

Each layer's curve (``kd.predicted_loss_floor``) reaches the layer's measured MSE at its d*_S and
stays flat for wider dictionaries. To the left of d*_S it follows a normalised power law
loss/floor = (d*_S/d_S)^p: p is fitted to the toy experiment's sweep (each (α, F) curve
normalised by its loss at d*_S and by d*_S, ``kd.fit_power_law_shape``) when the run has a toy run,
else the default p = 1. The shape used is written on the axes and in the alt text. Lines are
coloured by depth; a dotted line marks the width the SAEs were trained at.

When the trial belongs to a width family (``width_family``), each layer's measured final held-out
MSE at every member width is drawn over its curve (diamonds, joined by a thin line), and the text
says how far the measured knee sits from d*_S. Without one, the flat part is an assumption, and the
alt text says so.

gids: ``layer-line`` (Line2D per layer), ``d-star`` (one marker per layer at (d*_S, MSE)),
``measured`` (Line2D per layer, x = member widths, y = their MSE), ``trained-width`` (vertical line
at F), ``shape-note`` (the axes title naming the shape and, with a family, the knee).

The plotly half is ``predicted_loss_floor_interactive``; what both halves draw (the shape, the
widths, each layer's anchor) is ``parts.predicted_floor``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge import kd
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.family import family_rows
from galleryforge.renderings.parts.layer_colors import (
    layer_colorbar,
    layer_colors,
    layer_line_width,
)
from galleryforge.renderings.parts.panel_notes import title_note
from galleryforge.renderings.parts.predicted_floor import (
    layer_points,
    note,
    shape_exponent,
    shape_text,
    widths,
)
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.predicted_loss_floor_interactive import interactive
from galleryforge.renderings.registry import register
from galleryforge.width_family import by_layer, family_finding

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def describe(ctx: RenderContext) -> str:
    final, family = ctx.trial.final, family_rows(ctx)
    if family is None:
        evidence = (
            "No width family was trained, so the flat part is an assumption, not a measurement."
        )
    else:
        widths = ", ".join(f"{int(w):,}" for w in sorted(family["width"].unique()))
        evidence = (
            f"Measured final held-out MSE of the width family at F = {widths} is drawn over "
            f"each line."
        )
    return (
        f"Predicted reconstruction loss against dictionary width d_S for trial "
        f"{ctx.trial.trial}'s {ctx.trial.n_layers} layers (log-log, one line per layer coloured "
        f"by depth). Each line reaches its layer's measured MSE ({final['mse'].min():.3g} to "
        f"{final['mse'].max():.3g}) at its predicted width d*_S ({final['d_star'].min():,.0f} to "
        f"{final['d_star'].max():,.0f}, mean {ctx.trial.kd.d_star:,.0f}) and stays flat beyond; "
        f"{shape_text(ctx, plain=True)}. The SAEs were trained at width "
        f"{int(final['width'].max()):,}. {evidence}"
    )


def finding(ctx: RenderContext) -> str | None:
    """With a width family: where each layer's measured knee sits against its d*_S."""
    return family_finding(ctx.trial, ctx.family) if family_rows(ctx) is not None else None


@register(
    "predicted-loss-floor",
    title="Predicted loss floor vs width",
    describe=describe,
    interactive=interactive,
    finding=finding,
    uses=("family",),
)
def draw(ctx: RenderContext) -> Figure:
    final, layers, xs = ctx.trial.final, list(ctx.trial.layer_ids), widths(ctx)
    shape = kd.power_law_shape(shape_exponent(ctx)[0])
    cmap, norm = layer_colors(ctx, layers)
    fig, ax = ctx.figure()
    width = layer_line_width(ctx, len(layers))
    for layer, star, mse in layer_points(ctx):
        colour = cmap(norm(layer))
        ax.plot(
            xs,
            kd.predicted_loss_floor(xs, star, mse, shape),
            color=colour,
            linewidth=width,
            gid="layer-line",
        )
        ax.plot(
            [star],
            [mse],
            "o",
            color=colour,
            markeredgecolor=ctx.theme.colors.panel,
            markeredgewidth=0.5,
            zorder=3,
            gid="d-star",
        )
    family = family_rows(ctx)
    if family is not None:
        for layer, rows in by_layer(family):
            colour = cmap(norm(layer))
            ax.plot(
                rows["width"].to_numpy(np.float64),
                rows["mse"].to_numpy(np.float64),
                marker="D",
                markersize=4,
                linewidth=0.6,
                color=colour,
                markerfacecolor="none",
                zorder=3,
                gid="measured",
            )
    ax.axvline(
        float(final["width"].max()),
        color=ctx.theme.colors.reference,
        linestyle=":",
        gid="trained-width",
    )
    ax.annotate(
        "trained width F",
        (float(final["width"].max()), 1),
        xycoords=("data", "axes fraction"),
        xytext=(-3, -3),
        textcoords="offset points",
        ha="right",
        va="top",
        color=ctx.theme.colors.muted,
        fontsize=ctx.theme.font.annotation_size,
    )
    ax.set(xscale="log", yscale="log")
    log_ticks(ax, "x")
    log_ticks(ax, "y", max_labels=5)
    title_note(ctx, ax, note(ctx), gid="shape-note")
    ax.set_xlabel(r"Dictionary width $d_S$ (dots: $d^*_S$)")
    ax.set_ylabel(
        "Predicted loss" if family is None else "Loss (lines: predicted; diamonds: measured)"
    )
    layer_colorbar(ctx, fig, ax, layers)
    ctx.title(fig, f"Trial {ctx.trial.trial}: predicted loss floor vs width")
    return fig
