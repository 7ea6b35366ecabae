"""The toy summary per read-out: display order, colours and marks, the grid's axes, each read-out's
fit, and the finding.

The finding is the sentence that states the toy run's measured result under every toy figure (on
the site, the figure page and ``galleryforge toy``), generated from ``summary.parquet`` alone:

    At ε = 0.01, transition T against d*_S = k ln(F/k). lp: T = e^0.13 · d*_S^0.98 (b 95% interval
    0.93–1.03, a 0.02–0.22), T / d*_S = 1.12 (1.08–1.17), over 24 of 28 cells; censored (lower
    bounds): k=16 F=64, …; 50% exact recovery at 0.96–1.04 × δ(k, F) (24 cells). untied: …
    Converged: …

Every number is one of the summary's columns (written by ``galleryforge toy``); a summary made
elsewhere without the fit columns gets c and (a, b) from its rows (``kd.toy_constant``,
``kd.toy_power_law``) and no intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from galleryforge import kd
from galleryforge.tables import TOY_READOUTS

if TYPE_CHECKING:
    import pandas as pd

    from galleryforge.renderings.context import RenderContext

MARKERS = {"lp": "o", "active-set": "D", "untied": "s", "tied": "^"}
PLOTLY_MARKERS = {
    "lp": "circle",
    "active-set": "diamond",
    "untied": "square",
    "tied": "triangle-up",
}
OTHER_MARKERS = ("v", "P", "X", "<")
EXACT = ("lp", "active-set")


@dataclass(frozen=True)
class ReadoutFit(kd.ToyLawFit):
    """One read-out's summary over the grid: its law (c is NaN when no cell was fitted), its
    cells, which were censored, and how its models converged."""

    decoder: str
    cells: int
    censored: tuple[str, ...]
    """The censored cells, as labels ('k=16 F=64')."""
    converged_frac: float | None
    half_ratios: tuple[float, ...]
    """An exact read-out's uncensored 50% widths / δ(k, F) (empty for a trained one)."""

    @property
    def fitted(self) -> bool:
        return math.isfinite(self.c)

    @property
    def has_law(self) -> bool:
        return math.isfinite(self.a) and math.isfinite(self.b)

    def law(self, d_star: Any) -> Any:
        """The fitted transition at ``d_star``: e^a · d*_S^b."""
        return np.exp(self.a) * np.power(d_star, self.b)


def readouts(summary: pd.DataFrame) -> list[str]:
    """The read-outs in the summary, known ones in display order first."""
    present = [str(d) for d in summary["decoder"].unique()]
    return [d for d in TOY_READOUTS if d in present] + sorted(
        d for d in present if d not in TOY_READOUTS
    )


def grid_axis(summary: pd.DataFrame) -> tuple[str, str]:
    """(column, symbol) of the grid's other axis beside F: ``k`` on a fixed-k grid (each k at
    several F), ``alpha`` on an (α, F) grid."""
    if summary["k"].nunique() <= summary["alpha"].nunique():
        return "k", "k"
    return "alpha", "α"


def cell_label(summary: pd.DataFrame, row: Any) -> str:
    """'k=16 F=64' (or 'α=0.8 F=32' on an (α, F) grid)."""
    column, symbol = grid_axis(summary)
    return f"{symbol}={float(getattr(row, column)):g} F={int(row.features)}"


def marker(decoder: str, index: int) -> str:
    return MARKERS.get(decoder, OTHER_MARKERS[index % len(OTHER_MARKERS)])


def plotly_marker(decoder: str) -> str:
    return PLOTLY_MARKERS.get(decoder, "x")


def readout_colours(ctx: RenderContext, names: list[str]) -> dict[str, str]:
    """One theme colour per read-out, in display order."""
    return dict(zip(names, ctx.theme.categorical(len(names)), strict=True))


def deltas(summary: pd.DataFrame) -> np.ndarray:
    """δ(k, F) of each row: the summary's ``delta`` column, else computed (``kd.toy_delta``)."""
    if "delta" in summary.columns:
        return summary["delta"].to_numpy(dtype=np.float64)
    return kd.toy_delta(summary["k"].to_numpy(float), summary["features"].to_numpy(float))


def span(summary: pd.DataFrame) -> tuple[float, float]:
    """Axis limits covering every d*_S, δ and transition, padded a quarter decade below and more
    above (room for the lower bounds' arrows)."""
    values = np.concatenate([summary["d_star"], summary["transition_width"], deltas(summary)])
    values = values[values > 0]
    return float(values.min()) / 10**0.25, float(values.max()) * 10**0.35


def readout_fit(summary: pd.DataFrame, decoder: str) -> ReadoutFit:
    rows = summary[summary["decoder"] == decoder]
    measured = rows[rows["censored"] == 0]
    converged = float(rows["converged_frac"].mean()) if "converged_frac" in rows else None
    nan = float("nan")
    names = ("c", "c_low", "c_high", "a", "a_low", "a_high", "b", "b_low", "b_high")
    if "c" in rows.columns and "a" in rows.columns:
        values = {name: float(rows[name].iloc[0]) for name in names}
    else:
        values = dict.fromkeys(names, nan)
        if not measured.empty:
            a, b = kd.toy_power_law(measured["d_star"], measured["transition_width"])
            values |= {"c": kd.toy_constant(measured["ratio"]), "a": a, "b": b}
    censored = tuple(cell_label(summary, r) for r in rows[rows["censored"] == 1].itertuples())
    half: tuple[float, ...] = ()
    if "exact_half_ratio" in rows.columns and decoder in EXACT:
        found = rows[(rows["exact_half_censored"] == 0) & rows["exact_half_ratio"].notna()]
        half = tuple(found["exact_half_ratio"].to_numpy(float))
    return ReadoutFit(
        decoder=decoder,
        **values,
        cells=len(rows),
        censored=censored,
        converged_frac=converged,
        half_ratios=half,
    )


def fits(summary: pd.DataFrame) -> list[ReadoutFit]:
    return [readout_fit(summary, d) for d in readouts(summary)]


def bounded(value: object, censored: object) -> str:
    """A width for a table: '12.3', '> 12.3' when censored (a lower bound), '–' when empty."""
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "–"
    return ("> " if censored == 1 else "") + f"{float(value):.1f}"


def _cells(count: int, prefix: str = "") -> str:
    return f"{prefix}{count} cell" + ("" if count == 1 else "s")


def _interval(low: float, high: float, digits: int = 2) -> str:
    return f"{low:.{digits}f}–{high:.{digits}f}"


def fit_text(fit: ReadoutFit) -> str:
    """'T = e^0.13 · d*_S^0.98 (b 95% interval 0.93–1.03, …), …, over 24 of 28 cells; …'."""
    if not fit.fitted:
        return f"no transition within the widths swept ({_cells(fit.cells, 'all ')} censored)"
    parts = []
    if fit.has_law:
        law = f"T = e^{fit.a:.2f} · d*_S^{fit.b:.2f}"
        if math.isfinite(fit.b_low) and math.isfinite(fit.a_low):
            law += (
                f" (b 95% interval {_interval(fit.b_low, fit.b_high)}, "
                f"a {_interval(fit.a_low, fit.a_high)})"
            )
        parts.append(law)
    ratio = f"T / d*_S = {fit.c:.2f}"
    if math.isfinite(fit.c_low) and math.isfinite(fit.c_high):
        ratio += f" ({_interval(fit.c_low, fit.c_high)})"
    fitted = fit.cells - len(fit.censored)
    parts.append(f"{ratio}, over {fitted} of {_cells(fit.cells)}")
    text = ", ".join(parts)
    if fit.censored:
        text += f"; censored (lower bounds): {', '.join(fit.censored)}"
    if fit.half_ratios:
        low, high = min(fit.half_ratios), max(fit.half_ratios)
        at = f"{low:.2f}" if f"{low:.2f}" == f"{high:.2f}" else _interval(low, high)
        text += f"; 50% exact recovery at {at} × δ(k, F) ({_cells(len(fit.half_ratios))})"
    return text


def toy_finding(summary: pd.DataFrame) -> str:
    """The sentence stating what the toy run measured (see the module docstring)."""
    eps = float(summary["epsilon"].iloc[0]) if "epsilon" in summary.columns else 0.01
    all_fits = fits(summary)
    parts = [f"{fit.decoder}: {fit_text(fit)}." for fit in all_fits]
    sentence = f"At ε = {eps:g}, transition T against d*_S = k ln(F/k). " + " ".join(parts)
    converged = [f for f in all_fits if f.converged_frac is not None]
    if converged:
        shares = ", ".join(
            f"{f.decoder} {100 * (f.converged_frac or 0):.0f}% of "
            + ("samples" if f.decoder in EXACT else "models")
            for f in converged
        )
        sentence += f" Converged: {shares}."
    return sentence


def finding(ctx: RenderContext) -> str:
    return toy_finding(ctx.toy_tables.summary)
