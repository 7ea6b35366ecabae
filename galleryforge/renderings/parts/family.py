"""A width family as the renderings draw it: its members' final rows, each layer's knee.

``width_family`` finds the members and the knees; these are the views ``width-sweep`` and
``predicted-loss-floor`` draw from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.width_family import Knee, family_table, layer_knees

if TYPE_CHECKING:
    import pandas as pd

    from galleryforge.renderings.context import RenderContext


def family_rows(ctx: RenderContext) -> pd.DataFrame | None:
    """The family's final rows (layer, width, mse, l0, d_star, ...), or None without a family
    (fewer than two members in the run folder)."""
    members = ctx.family
    return family_table(members) if len(members) >= 2 else None


def family_sweep(ctx: RenderContext) -> tuple[pd.DataFrame, list[Knee]]:
    """The family's final rows (one per layer and width) and each layer's knee."""
    table = family_table(ctx.family)
    return table, layer_knees(table)


def knee_mse(table: pd.DataFrame, knee: Knee) -> float:
    """The final held-out MSE of the knee's layer at the knee's width."""
    rows = table[(table["layer"] == knee.layer) & (table["width"] == knee.width)]
    return float(rows["mse"].iloc[0])
