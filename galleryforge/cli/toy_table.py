"""The summary table ``galleryforge toy`` prints: one row per read-out and cell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from galleryforge.renderings.toy_readouts import bounded, cell_label, deltas, readouts

if TYPE_CHECKING:
    import pandas as pd


def toy_table(summary: pd.DataFrame) -> Table:
    """Transition, ratio and 50% width per (read-out, cell); censored cells read '> widest'.

    The transitions at every recorded ε are in the summary table and on the site's toy page."""
    eps = float(summary["epsilon"].iloc[0]) if "epsilon" in summary else 0.01
    table = Table(
        title=f"transition width T (normalised loss ≤ ε = {eps:g}) vs d*_S and δ(k, F); "
        "'>' = censored, a lower bound; 50%: width recovering half the samples exactly"
    )
    for name in ("read-out", "cell"):
        table.add_column(name, no_wrap=True)
    for name in ("d*_S", "δ", "T", "T/d*_S", "50%", "conv."):
        table.add_column(name, justify="right", no_wrap=True)
    summary = summary.assign(delta=deltas(summary))
    for decoder in readouts(summary):
        for row in summary[summary["decoder"] == decoder].itertuples():
            bound = "> " if row.censored else ""
            converged = getattr(row, "converged_frac", float("nan"))
            table.add_row(
                decoder,
                cell_label(summary, row),
                f"{row.d_star:.1f}",
                f"{row.delta:.1f}",
                f"{bound}{row.transition_width:.1f}",
                f"{bound}{row.ratio:.2f}",
                bounded(
                    getattr(row, "exact_half_width", None), getattr(row, "exact_half_censored", 0)
                ),
                f"{100 * converged:.0f}%",
            )
    return table
