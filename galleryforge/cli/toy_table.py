"""The summary table ``galleryforge toy`` prints: one row per read-out and cell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from galleryforge.renderings.toy_readouts import readouts

if TYPE_CHECKING:
    import pandas as pd


def toy_table(summary: pd.DataFrame) -> Table:
    """Transition width and ratio per (read-out, α, F); censored cells read '> widest'."""
    level = float(summary["onset_level"].iloc[0]) if "onset_level" in summary else 0.5
    table = Table(
        "read-out",
        "α",
        "F",
        "d*_S",
        "transition",
        "ratio",
        f"onset ({level:g})",
        "converged",
        title="transition width (normalised loss ≤ ε) vs d*_S; '>' = censored, a lower bound",
    )
    for decoder in readouts(summary):
        for row in summary[summary["decoder"] == decoder].itertuples():
            bound = "> " if row.censored else ""
            onset = getattr(row, "onset_width", float("nan"))
            onset_bound = "> " if getattr(row, "onset_censored", 0) else ""
            converged = getattr(row, "converged_frac", float("nan"))
            table.add_row(
                decoder,
                f"{row.alpha:g}",
                str(row.features),
                f"{row.d_star:.1f}",
                f"{bound}{row.transition_width:.1f}",
                f"{bound}{row.ratio:.2f}",
                f"{onset_bound}{onset:.1f}",
                f"{100 * converged:.0f}%",
            )
    return table
