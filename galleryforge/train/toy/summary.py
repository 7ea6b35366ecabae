"""From the sweep table to the summary: one row per (read-out, cell), and each read-out's fit.

Per cell: k, α, the predicted d*_S = k ln(F/k) (``kd.toy_d_star``) and the exact reference's law
δ(k, F) (``kd.toy_delta``); the transition width where the seed-mean normalised loss first falls
to ε (``toy.transition``) with its censoring and ratio = transition / d*_S (for a censored cell:
widest width / d*_S, a lower bound), the same at each recorded ε (``transition_e1`` … ``_e3`` for
0.1, 0.01, 0.001) and at the onset level; for an exact read-out the 50% width, where the
seed-mean share of samples recovered exactly first reaches one half; the width grid; the cost.

Per read-out, over its cells uncensored at ε, repeated on each of its rows: the power law
log T = a + b log d*_S and the constant c, with bootstrap intervals (``toy.power_law``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from galleryforge import kd
from galleryforge.tables import TOY_SUMMARY, ordered
from galleryforge.train.toy.config import EPSILONS, EXACT_HALF, Cell, ToyConfig
from galleryforge.train.toy.power_law import CellCurves, fit_power_law
from galleryforge.train.toy.samples import held_out, zero_loss
from galleryforge.train.toy.transition import transition_widths

CELL = ["decoder", "alpha", "features"]
LEVEL_COLUMNS = {eps: f"e{i}" for i, eps in enumerate(EPSILONS, start=1)}
"""The suffix of each recorded ε's columns: ``transition_e1`` is the transition at 0.1."""


def summarise(
    sweep: pd.DataFrame,
    config: ToyConfig,
    cpu_s: Mapping[tuple[str, int, float], float] | None = None,
) -> pd.DataFrame:
    """The summary table of a sweep (``cpu_s``: each (read-out, F, k) unit's CPU seconds)."""
    cells = {(c.alpha, c.features): c for c in config.cells()}
    zero = {
        key: zero_loss(held_out(c, config.data, config.eval_samples)) for key, c in cells.items()
    }
    rows = []
    for _, group in sweep.groupby(CELL, sort=False):
        decoder = str(group["decoder"].iloc[0])
        cell = cells[(float(group["alpha"].iloc[0]), int(group["features"].iloc[0]))]
        row = _cell_row(decoder, cell, group, config, zero[(cell.alpha, cell.features)])
        row["cpu_s"] = (cpu_s or {}).get((decoder, cell.features, cell.k), np.nan)
        rows.append(row)
    summary = pd.DataFrame(rows)
    fits = [_fit(summary, sweep, str(d), config) for d in summary["decoder"].unique()]
    summary = summary.merge(pd.DataFrame(fits), on="decoder", how="left")
    return ordered(summary, TOY_SUMMARY)


def seed_curves(
    cell: pd.DataFrame, column: str = "normalised_loss"
) -> tuple[np.ndarray, np.ndarray]:
    """(widths ascending, ``column`` [seeds, widths]) of one cell of the sweep."""
    table = cell.pivot(index="seed", columns="width", values=column).sort_index(axis=1)
    return table.columns.to_numpy(dtype=np.float64), table.to_numpy(dtype=np.float64)


def _cell_row(
    decoder: str, cell: Cell, group: pd.DataFrame, config: ToyConfig, zero: float
) -> dict[str, object]:
    widths, curves = seed_curves(group)
    mean = curves.mean(axis=0)
    transition = transition_widths(widths, mean, config.epsilon)
    onset = transition_widths(widths, mean, config.onset)
    d_star = float(kd.toy_d_star(cell.alpha, cell.features))
    row: dict[str, object] = {
        "decoder": decoder,
        "alpha": cell.alpha,
        "features": cell.features,
        "k": cell.k,
        "d_star": d_star,
        "transition_width": float(transition.width[0]),
        "censored": int(transition.censored[0]),
        "ratio": float(transition.width[0]) / d_star,
        "data": config.data,
        "delta": float(kd.toy_delta(cell.k, cell.features)),
    }
    for eps, suffix in LEVEL_COLUMNS.items():
        found = transition_widths(widths, mean, eps)
        row[f"transition_{suffix}"] = float(found.width[0])
        row[f"censored_{suffix}"] = int(found.censored[0])
    exact = group["exact_frac"].to_numpy(dtype=np.float64)
    if np.isfinite(exact).all():
        _, shares = seed_curves(group, "exact_frac")
        half = transition_widths(widths, 1 - shares.mean(axis=0), 1 - EXACT_HALF)
        row["exact_half_width"] = float(half.width[0])
        row["exact_half_censored"] = float(half.censored[0])
        row["exact_half_ratio"] = float(half.width[0]) / float(row["delta"])  # type: ignore[arg-type]
    else:  # a trained read-out: never exact
        row["exact_half_width"] = row["exact_half_censored"] = row["exact_half_ratio"] = np.nan
    return {
        **row,
        "onset_width": float(onset.width[0]),
        "onset_censored": int(onset.censored[0]),
        "epsilon": config.epsilon,
        "onset_level": config.onset,
        "narrowest_width": int(widths[0]),
        "widest_width": config.widest(cell),
        "width_cap": config.width_cap,
        "widths_measured": len(widths),
        "zero_loss": zero,
        "converged_frac": float(group["converged"].mean()),
    }


def _fit(
    summary: pd.DataFrame, sweep: pd.DataFrame, decoder: str, config: ToyConfig
) -> dict[str, object]:
    rows = summary[(summary["decoder"] == decoder) & (summary["censored"] == 0)]
    cells = []
    for row in rows.itertuples():
        group = sweep[
            (sweep["decoder"] == decoder)
            & (sweep["alpha"] == row.alpha)
            & (sweep["features"] == row.features)
        ]
        cells.append(CellCurves(float(row.d_star), *seed_curves(group)))  # type: ignore[arg-type]
    fit = fit_power_law(cells, config.epsilon, config.bootstrap, decoder)
    return {"decoder": decoder, "fitted_cells": len(cells), **dataclasses.asdict(fit)}
