"""The toy summary per read-out: display order, colours and marks, axis span, each read-out's fit,
and the finding.

The finding is the sentence that states the toy run's measured result under every toy figure (on
the site, the figure page and ``galleryforge toy``), generated from ``summary.parquet`` alone:

    nnls: transition at 1.3 × d*_S (95% interval 1.2–1.4, slope 0.97); untied: …; tied: …;
    5 of 36 cells censored (lower bounds, left out of c). Converged: …

c, its interval and the slope are the summary's own columns (written by ``galleryforge toy``);
a summary made elsewhere without them gets c and the slope from its rows (``kd.toy_constant``,
``kd.toy_slope``) and no interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from galleryforge import kd
from galleryforge.tables import TOY_READOUTS

if TYPE_CHECKING:
    import pandas as pd

    from galleryforge.renderings.context import RenderContext

MARKERS = {"nnls": "o", "untied": "s", "tied": "^"}
PLOTLY_MARKERS = {"nnls": "circle", "untied": "square", "tied": "triangle-up"}
OTHER_MARKERS = ("D", "v", "P", "X")


@dataclass(frozen=True)
class ReadoutFit:
    """One read-out's summary over the grid."""

    decoder: str
    c: float
    """Geometric mean of transition / d*_S over uncensored cells (NaN: none)."""
    c_low: float
    c_high: float
    slope: float
    cells: int
    censored: int
    converged_frac: float | None

    @property
    def fitted(self) -> bool:
        return math.isfinite(self.c)


def readouts(summary: pd.DataFrame) -> list[str]:
    """The read-outs in the summary, known ones in display order first."""
    present = [str(d) for d in summary["decoder"].unique()]
    return [d for d in TOY_READOUTS if d in present] + sorted(
        d for d in present if d not in TOY_READOUTS
    )


def marker(decoder: str, index: int) -> str:
    return MARKERS.get(decoder, OTHER_MARKERS[index % len(OTHER_MARKERS)])


def plotly_marker(decoder: str) -> str:
    return PLOTLY_MARKERS.get(decoder, "diamond")


def readout_colours(ctx: RenderContext, names: list[str]) -> dict[str, str]:
    """One theme colour per read-out, in display order."""
    return dict(zip(names, ctx.theme.categorical(len(names)), strict=True))


def span(summary: pd.DataFrame) -> tuple[float, float]:
    """Axis limits covering every d*_S and transition, padded a quarter decade below and more
    above (room for the lower bounds' arrows)."""
    values = np.concatenate([summary["d_star"], summary["transition_width"]])
    values = values[values > 0]
    return float(values.min()) / 10**0.25, float(values.max()) * 10**0.35


def readout_fit(summary: pd.DataFrame, decoder: str) -> ReadoutFit:
    rows = summary[summary["decoder"] == decoder]
    measured = rows[rows["censored"] == 0]
    converged = float(rows["converged_frac"].mean()) if "converged_frac" in rows else None
    if "c" in rows.columns:
        first = rows.iloc[0]
        c, low, high = float(first["c"]), float(first["c_low"]), float(first["c_high"])
        slope = float(first["slope"])
    elif measured.empty:
        c = low = high = slope = float("nan")
    else:
        c, low, high = kd.toy_constant(measured["ratio"]), float("nan"), float("nan")
        slope = kd.toy_slope(measured["d_star"], measured["transition_width"])
    return ReadoutFit(decoder, c, low, high, slope, len(rows), len(rows) - len(measured), converged)


def fits(summary: pd.DataFrame) -> list[ReadoutFit]:
    return [readout_fit(summary, d) for d in readouts(summary)]


def fit_text(fit: ReadoutFit) -> str:
    """'transition at 1.32 × d*_S (95% interval 1.25–1.40, slope 0.97)', or why there is none."""
    if not fit.fitted:
        return f"no transition within the widths swept (all {fit.cells} cells censored)"
    details = []
    if math.isfinite(fit.c_low) and math.isfinite(fit.c_high):
        details.append(f"95% interval {fit.c_low:.2f}–{fit.c_high:.2f}")
    if math.isfinite(fit.slope):
        details.append(f"slope {fit.slope:.2f}")
    text = f"transition at {fit.c:.2f} × d*_S"
    text += f" ({', '.join(details)})" if details else ""
    if fit.censored:
        text += f", {fit.censored} of {fit.cells} cells censored"
    return text


def toy_finding(summary: pd.DataFrame) -> str:
    """The sentence stating what the toy run measured (see the module docstring)."""
    all_fits = fits(summary)
    parts = [f"{fit.decoder}: {fit_text(fit)}" for fit in all_fits]
    censored = int(np.sum(summary["censored"].to_numpy()))
    parts.append(
        f"{censored} of {len(summary)} cells censored (lower bounds, left out of c)"
        if censored
        else f"none of the {len(summary)} cells censored"
    )
    sentence = "; ".join(parts) + "."
    converged = [f for f in all_fits if f.converged_frac is not None]
    if converged:
        shares = ", ".join(
            f"{f.decoder} {100 * (f.converged_frac or 0):.0f}% of "
            + ("samples" if f.decoder == "nnls" else "models")
            for f in converged
        )
        sentence += f" Converged: {shares}."
    return sentence


def finding(ctx: RenderContext) -> str:
    return toy_finding(ctx.toy_tables.summary)
