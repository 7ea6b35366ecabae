"""predicted-loss-floor: the KD model's prediction, a loss floor from d*_S on, per layer, against
the measured and fitted loss of a width family.

The KD model says where the loss stops improving (d*_S), not how it falls before, so each layer's
prediction is a flat line from its d*_S rightwards, with a dot at d*_S (``parts.predicted_floor``).
With a width family (``width_family``) d*_S is the one the family declared before training, the
line's level the fitted L(F) = a·F^(−b) + L∞ at d*_S, and the family's seed-mean MSE at every
width (diamonds) and the fitted curve (a thin line) are drawn with it: where the measured curve
falls below the floor beyond d*_S, the loss kept improving past the prediction. The finding says,
per layer, whether the fitted knee's interval holds d*_S. Without a family the floor sits at the
trial's measured MSE at its own d*_S and the alt text says the flat part is an assumption.

gids: ``predicted-floor`` (Line2D per layer, flat from d*_S), ``d-star`` (a marker per layer at
(d*_S, the floor)), ``measured`` (Line2D per layer: member widths, seed-mean MSE), ``fit-line``
(Line2D per layer), ``trained-width`` (vertical line at F), ``shape-note`` (the axes title).

The plotly half is ``predicted_loss_floor_interactive``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.layer_colors import (
    layer_colorbar,
    layer_colors,
    layer_line_width,
)
from galleryforge.renderings.parts.panel_notes import title_note
from galleryforge.renderings.parts.predicted_floor import (
    curve_widths,
    family_or_none,
    floor_points,
    left_end,
    note,
    right_end,
)
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.predicted_loss_floor_interactive import interactive
from galleryforge.renderings.registry import register
from galleryforge.width_family import by_layer, prediction_finding

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def describe(ctx: RenderContext) -> str:
    final, view = ctx.trial.final, family_or_none(ctx)
    if view is None:
        evidence = (
            "No width family was trained, so the flat part is an assumption, not a measurement. "
            f"Each floor sits at the layer's measured MSE ({final['mse'].min():.3g} to "
            f"{final['mse'].max():.3g}) from its d*_S ({final['d_star'].min():,.0f} to "
            f"{final['d_star'].max():,.0f}) on."
        )
    else:
        widths = ", ".join(f"{w:,}" for w in view.widths)
        evidence = (
            f"Each floor starts at the {view.prediction.source}, at the level of the layer's "
            f"fitted L(F) = a·F^−b + L∞ there; the width family's seed-mean MSE at F = {widths} "
            "and the fitted curve are drawn with it."
        )
    return (
        f"The KD model's predicted loss floor against dictionary width for trial "
        f"{ctx.trial.trial}'s {ctx.trial.n_layers} layers (log-log, one colour per layer by "
        f"depth): flat from d*_S on, nothing assumed below it. The SAEs of this trial were "
        f"trained at width {int(final['width'].max()):,}. {evidence}"
    )


def finding(ctx: RenderContext) -> str | None:
    """With a width family: per layer, whether the fitted knee agrees with the declared d*_S."""
    return prediction_finding(ctx.trial, ctx.family) if family_or_none(ctx) else None


@register(
    "predicted-loss-floor",
    title="Predicted loss floor vs width",
    describe=describe,
    interactive=interactive,
    finding=finding,
    uses=("family",),
)
def draw(ctx: RenderContext) -> Figure:
    final, layers, view = ctx.trial.final, list(ctx.trial.layer_ids), family_or_none(ctx)
    cmap, norm = layer_colors(ctx, layers)
    fig, ax = ctx.figure()
    width = layer_line_width(ctx, len(layers))
    right = right_end(ctx, view)
    for layer, star, level in floor_points(ctx, view):
        colour = cmap(norm(layer))
        ax.plot([star, right], [level, level], color=colour, linewidth=width, gid="predicted-floor")
        ax.plot(
            [star],
            [level],
            "o",
            color=colour,
            markeredgecolor=ctx.theme.colors.panel,
            markeredgewidth=0.5,
            zorder=3,
            gid="d-star",
        )
    if view is not None:
        xs = curve_widths(ctx, view)
        for layer, rows in by_layer(view.means):
            colour = cmap(norm(layer))
            ax.plot(
                rows["width"].to_numpy(np.float64),
                rows["mse"].to_numpy(np.float64),
                marker="D",
                markersize=4,
                linestyle="none",
                color=colour,
                markerfacecolor="none",
                zorder=3,
                gid="measured",
            )
            ax.plot(
                xs,
                view.fits[layer].curve(xs),
                color=colour,
                linewidth=0.6,
                linestyle="--",
                gid="fit-line",
            )
    ax.axvline(
        float(final["width"].max()),
        color=ctx.theme.colors.reference,
        linestyle=":",
        gid="trained-width",
    )
    ax.set(xscale="log", yscale="log", xlim=(left_end(ctx, view), right))
    log_ticks(ax, "x")
    log_ticks(ax, "y", max_labels=5)
    title_note(ctx, ax, note(ctx, view), gid="shape-note")
    ax.set_xlabel(r"Dictionary width F (dots: $d^*_S$; dotted: this trial's F)")
    ax.set_ylabel(
        "Predicted floor"
        if view is None
        else "Loss (solid: predicted floor;\ndiamonds, dashed: measured, fitted)"
    )
    layer_colorbar(ctx, fig, ax, layers)
    ctx.title(fig, f"Trial {ctx.trial.trial}: predicted loss floor vs width")
    return fig
