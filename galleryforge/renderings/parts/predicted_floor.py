"""What ``predicted-loss-floor`` draws, for both its halves: the KD prediction's floor per layer,
the widths it spans and its axes title.

The KD model predicts where the loss stops improving, d*_S, not how it falls before: so the
prediction drawn is a floor, flat from d*_S on, and nothing to its left. With a width family its
d*_S is the declared one (``width_family.declared_prediction``) and its level the fitted curve's
value there, so that the measured curve beyond d*_S either stays on it (the prediction holds) or
falls below it (the loss kept improving). Without a family its level is the trial's measured MSE,
at its own d*_S.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.parts.family import FamilyView, family_rows, family_view
from galleryforge.width_family import knee_note

if TYPE_CHECKING:
    from galleryforge.renderings.context import RenderContext


def family_or_none(ctx: RenderContext) -> FamilyView | None:
    return family_view(ctx) if family_rows(ctx) is not None else None


def floor_points(ctx: RenderContext, view: FamilyView | None) -> list[tuple[int, float, float]]:
    """(layer, d*_S, the floor's level) per layer, in layer order (see the module docstring)."""
    if view is not None:
        return [
            (layer, star, float(view.fits[layer].curve(star)))
            for layer, star in sorted(view.prediction.d_star.items())
        ]
    final = ctx.trial.final
    columns = (final["layer"].to_numpy(), final["d_star"].to_numpy(), final["mse"].to_numpy())
    return [(int(a), float(b), float(c)) for a, b, c in zip(*columns, strict=True)]


def right_end(ctx: RenderContext, view: FamilyView | None) -> float:
    """The widest width drawn: past the trained width, the family's widest and every d*_S."""
    final = ctx.trial.final
    high = max(float(final["d_star"].max()) * 4, float(final["width"].max()) * 1.5)
    if view is not None:
        high = max(high, view.widths[-1] * 1.3, max(view.prediction.d_star.values()) * 1.5)
    return high


def left_end(ctx: RenderContext, view: FamilyView | None) -> float:
    low = float(ctx.trial.final["d_star"].min()) / 2
    if view is not None:
        low = min(low, view.widths[0] / 1.3, min(view.prediction.d_star.values()) / 1.5)
    return max(low, 1.0)


def curve_widths(ctx: RenderContext, view: FamilyView) -> np.ndarray:
    return np.geomspace(view.widths[0] / 1.3, right_end(ctx, view), 160)


def note(ctx: RenderContext, view: FamilyView | None, plain: bool = False) -> str:
    """The axes title: what the floor is, and with a family the fitted knee against d*_S."""
    if view is None:
        text = "KD prediction: flat from d*_S on (no shape assumed below it; no width family)"
    else:
        knee = knee_note(ctx.trial, ctx.family)
        text = f"KD prediction: flat from the {view.prediction.source}\n{knee}"
    return text if plain else text.replace("d*_S", "$d^*_S$")
