"""What ``predicted-loss-floor`` draws, for both its halves: the prediction's shape and widths.

Each layer's predicted curve is anchored at (d*_S, measured MSE) (``layer_points``); to the left
of d*_S it follows the power law whose exponent ``shape_exponent`` finds; ``widths`` spans the
layers' d*_S, the trained width and the width family's members; ``note`` is the axes title.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge import kd
from galleryforge.renderings.parts.family import family_rows
from galleryforge.width_family import knee_note, layer_knees

if TYPE_CHECKING:
    from galleryforge.renderings.context import RenderContext


def shape_exponent(ctx: RenderContext) -> tuple[float, str]:
    """(p, where it came from): the toy sweep's fitted exponent, or 1 without a toy run.

    Fitted to the ``tied`` read-out (the one-matrix autoencoder closest to an SAE), each curve's
    seed-mean loss divided by its loss at d*_S, at the widths below d*_S.
    """
    if ctx.toy is None or "tied" not in set(ctx.toy.summary["decoder"]):
        return 1.0, "default"
    sweep = ctx.toy.sweep[ctx.toy.sweep["decoder"] == "tied"]
    curves = sweep.groupby(["alpha", "features", "width"], as_index=False)["loss"].mean()
    relative_width, relative_loss = [], []
    for _, curve in curves.groupby(["alpha", "features"]):
        star = float(kd.toy_d_star(curve["alpha"].iloc[0], curve["features"].iloc[0]))
        widths, losses = curve["width"].to_numpy(float), curve["loss"].to_numpy(float)
        at_star = np.exp(np.interp(np.log(star), np.log(widths), np.log(losses)))
        relative_width += list(widths / star)
        relative_loss += list(losses / at_star)
    return kd.fit_power_law_shape(relative_width, relative_loss), "toy-fitted"


def shape_text(ctx: RenderContext, plain: bool = False) -> str:
    p, source = shape_exponent(ctx)
    law = f"loss ∝ d_S^-{p:.2f}" if plain else rf"loss $\propto d_S^{{-{p:.2f}}}$"
    where = "fitted to the toy run" if source == "toy-fitted" else "default, no toy run"
    return f"left of d*_S: {law} ({where})" if plain else rf"left of $d^*_S$: {law} ({where})"


def widths(ctx: RenderContext) -> np.ndarray:
    final, family = ctx.trial.final, family_rows(ctx)
    low = float(final["d_star"].min()) / 8
    high = max(float(final["d_star"].max()) * 4, float(final["width"].max()) * 1.5)
    if family is not None:
        low = min(low, float(family["width"].min()) / 1.5)
        high = max(high, float(family["width"].max()) * 1.5)
    return np.geomspace(max(low, 1.0), high, 200)


def note(ctx: RenderContext, plain: bool = False) -> str:
    """The axes title: the shape, and the measured knee when a family was trained."""
    family = family_rows(ctx)
    if family is None:
        return shape_text(ctx, plain)
    knee = knee_note(ctx.trial, layer_knees(family))
    return f"{shape_text(ctx, plain)}\n{knee if plain else knee.replace('d*_S', '$d^*_S$')}"


def layer_points(ctx: RenderContext) -> list[tuple[int, float, float]]:
    """(layer, d*_S, measured MSE) per layer at the final checkpoint, in layer order."""
    final = ctx.trial.final
    columns = (final["layer"].to_numpy(), final["d_star"].to_numpy(), final["mse"].to_numpy())
    return [(int(a), float(b), float(c)) for a, b, c in zip(*columns, strict=True)]
