"""The toy sweep as curves: one per (read-out, cell), in a grid of panels read-out × k (or α).

What both halves of ``toy-loss-floor`` (matplotlib and plotly) lay out: the seed statistics of
each curve, a curve's loss at any width, ε, and the panels with their cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from galleryforge.renderings.toy_readouts import grid_axis, readouts

if TYPE_CHECKING:
    import pandas as pd

    from galleryforge.renderings.context import RenderContext

# How far below ε the axes reach: far enough to show the fall, not the 1e-9 of exact recovery.
DEPTH = 100.0


def seed_stats(sweep: pd.DataFrame) -> pd.DataFrame:
    """Mean, min and max normalised loss over seeds per (decoder, alpha, features, width)."""
    grouped = sweep.groupby(["decoder", "alpha", "features", "width"])["normalised_loss"]
    return grouped.agg(["mean", "min", "max"]).reset_index()


def loss_at(widths: np.ndarray, losses: np.ndarray, x: float, floor: float) -> float:
    """The curve's loss at width ``x``, interpolated in log-log space (clamped at the ends)."""
    logs = np.log(np.maximum(losses, floor))
    return float(np.exp(np.interp(np.log(x), np.log(widths), logs)))


def epsilon(summary: pd.DataFrame) -> float:
    return float(summary["epsilon"].iloc[0]) if "epsilon" in summary.columns else 0.01


@dataclass(frozen=True)
class CurveGrid:
    """The toy run's curves in panels: rows = read-outs, columns = the values of k (or of α on an
    (α, F) grid: ``axis``), one curve per F in each."""

    stats: pd.DataFrame
    """``seed_stats`` of the sweep."""
    summary: pd.DataFrame
    readouts: list[str]
    axis: str
    """The summary column the panels' columns split on: ``k`` or ``alpha``."""
    symbol: str
    columns: list[float]
    features: list[int]
    colours: dict[int, str]
    """One theme colour per feature count F (a curve's colour in every panel)."""
    epsilon: float

    @property
    def floor(self) -> float:
        """The lowest loss drawn: losses below it sit at the axis floor."""
        return self.epsilon / DEPTH

    def panels(self) -> Iterator[tuple[int, int, str, float, list[Any]]]:
        """(row, column, read-out, k or α, the panel's summary rows as named tuples), row by row."""
        summary = self.summary
        for i, decoder in enumerate(self.readouts):
            for j, value in enumerate(self.columns):
                cells = summary[(summary["decoder"] == decoder) & (summary[self.axis] == value)]
                yield i, j, decoder, value, list(cells.itertuples())

    def title(self, decoder: str, value: float) -> str:
        return f"{decoder}, {self.symbol} = {value:g}"

    def curve(self, cell: Any) -> tuple[np.ndarray, pd.DataFrame]:
        """(widths, seed statistics by width) of one summary cell's curve."""
        stats = self.stats
        rows = stats[
            (stats["decoder"] == cell.decoder)
            & (stats["alpha"] == cell.alpha)
            & (stats["features"] == cell.features)
        ]
        return rows["width"].to_numpy(float), rows


def curve_grid(ctx: RenderContext) -> CurveGrid:
    toy = ctx.toy_tables
    summary = toy.summary
    features = sorted(summary["features"].unique())
    axis, symbol = grid_axis(summary)
    return CurveGrid(
        stats=seed_stats(toy.sweep),
        summary=summary,
        readouts=readouts(summary),
        axis=axis,
        symbol=symbol,
        columns=sorted(summary[axis].unique()),
        features=features,
        colours=dict(zip(features, ctx.theme.categorical(len(features)), strict=True)),
        epsilon=epsilon(summary),
    )
