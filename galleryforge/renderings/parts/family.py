"""A width family as the renderings draw it: its members' final rows and seed means, each layer's
fitted curve and knee, and the declared d*_S.

``width_family`` finds the members, fits the curves and reads the prediction; ``family_view``
gathers them once for ``width-sweep`` and ``predicted-loss-floor`` (both halves).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from galleryforge.width_family import (
    Prediction,
    declared_prediction,
    family_table,
    layer_fits,
    seed_means,
)

if TYPE_CHECKING:
    import pandas as pd

    from galleryforge.renderings.context import RenderContext
    from galleryforge.width_fit import LayerFit


@dataclass(frozen=True)
class FamilyView:
    table: pd.DataFrame
    """One row per (layer, width, seed): each member's final checkpoint."""
    means: pd.DataFrame
    """One row per (layer, width): seed means and ranges."""
    fits: dict[int, LayerFit]
    prediction: Prediction

    @property
    def widths(self) -> list[int]:
        return sorted(int(w) for w in self.table["width"].unique())

    def curve_widths(self) -> np.ndarray:
        """Where a fitted curve is drawn: the widths trained, a little beyond each end."""
        return np.geomspace(self.widths[0] / 1.3, self.widths[-1] * 1.3, 120)


def family_rows(ctx: RenderContext) -> pd.DataFrame | None:
    """The family's final rows (layer, width, seed, mse, l0, d_star, ...), or None without a
    family (fewer than two member widths in the run folder)."""
    members = ctx.family
    if len({int(m.final["width"].max()) for m in members}) < 2:
        return None
    return family_table(members)


def family_view(ctx: RenderContext) -> FamilyView:
    """The family's rows, seed means, fits and declared d*_S (the drawn trial's config)."""
    table = family_table(ctx.family)
    return FamilyView(
        table, seed_means(table), layer_fits(table), declared_prediction(ctx.trial, table)
    )
