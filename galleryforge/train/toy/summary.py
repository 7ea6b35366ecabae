"""From the sweep table to the summary: one row per (read-out, α, F), and each read-out's fit.

Per cell: the predicted d*_S = k ln(F/k) (``kd.toy_d_star``), the transition width of the
seed-mean normalised loss at ε and the onset width at the onset level (``toy_transition``), their
censoring, and ratio = transition / d*_S (for a censored cell: widest width / d*_S, a lower bound).

Per read-out, over its uncensored cells, repeated on each of its rows: ``c`` (geometric mean of
the ratios, ``kd.toy_constant``), its 95% bootstrap interval ``c_low``–``c_high`` and ``slope``
(log transition against log d*_S, ``kd.toy_slope``). The bootstrap resamples seeds with
replacement within each cell (the same draw for every width of a cell, so a resampled curve is the
mean of whole seed curves), recomputes every transition, and takes the 2.5 and 97.5 percentiles of
c; a cell that is censored in a resample counts at its widest width (a lower bound). NaN where a
read-out has no uncensored cell.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from galleryforge import kd
from galleryforge.tables import TOY_SUMMARY, ordered
from galleryforge.train.toy.config import ToyConfig
from galleryforge.train.toy.transition import transition_widths

CELL = ["decoder", "alpha", "features"]


def summarise(
    sweep: pd.DataFrame, config: ToyConfig, zero_losses: dict[tuple[float, int], float]
) -> pd.DataFrame:
    """The summary table of a sweep (``zero_losses``: the held-out x̂ = 0 loss per (α, F))."""
    rows = [_cell_row(cell, config, zero_losses) for _, cell in sweep.groupby(CELL, sort=False)]
    summary = pd.DataFrame(rows)
    fits = [_fit(summary, sweep, decoder, config) for decoder in summary["decoder"].unique()]
    summary = summary.merge(pd.DataFrame(fits), on="decoder", how="left")
    return ordered(summary, TOY_SUMMARY)


def seed_curves(cell: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(widths ascending, normalised loss [seeds, widths]) of one cell of the sweep."""
    table = cell.pivot(index="seed", columns="width", values="normalised_loss").sort_index(axis=1)
    return table.columns.to_numpy(dtype=np.float64), table.to_numpy(dtype=np.float64)


def _cell_row(
    cell: pd.DataFrame, config: ToyConfig, zero_losses: dict[tuple[float, int], float]
) -> dict[str, object]:
    decoder = str(cell["decoder"].iloc[0])
    alpha, features = float(cell["alpha"].iloc[0]), int(cell["features"].iloc[0])
    widths, curves = seed_curves(cell)
    mean = curves.mean(axis=0)
    transition = transition_widths(widths, mean, config.epsilon)
    onset = transition_widths(widths, mean, config.onset)
    d_star = float(kd.toy_d_star(alpha, features))
    return {
        "decoder": decoder,
        "alpha": alpha,
        "features": features,
        "k": features * (1 - alpha),
        "d_star": d_star,
        "transition_width": float(transition.width[0]),
        "censored": int(transition.censored[0]),
        "ratio": float(transition.width[0]) / d_star,
        "onset_width": float(onset.width[0]),
        "onset_censored": int(onset.censored[0]),
        "epsilon": config.epsilon,
        "onset_level": config.onset,
        "narrowest_width": int(widths[0]),
        "widest_width": int(widths[-1]),
        "widths_per_octave": config.widths_per_octave,
        "zero_loss": zero_losses[(alpha, features)],
        "converged_frac": float(cell["converged"].mean()),
    }


def _fit(
    summary: pd.DataFrame, sweep: pd.DataFrame, decoder: str, config: ToyConfig
) -> dict[str, object]:
    rows = summary[(summary["decoder"] == decoder) & (summary["censored"] == 0)]
    fit: dict[str, object] = {"decoder": decoder, "fitted_cells": len(rows)}
    if rows.empty:
        return {**fit, "c": np.nan, "c_low": np.nan, "c_high": np.nan, "slope": np.nan}
    fit["c"] = kd.toy_constant(rows["ratio"])
    fit["slope"] = kd.toy_slope(rows["d_star"], rows["transition_width"])
    low, high = bootstrap_interval(rows, sweep, decoder, config)
    return {**fit, "c_low": low, "c_high": high}


def bootstrap_interval(
    rows: pd.DataFrame, sweep: pd.DataFrame, decoder: str, config: ToyConfig
) -> tuple[float, float]:
    """The 95% percentile interval of c over ``config.bootstrap`` resamples of seeds."""
    if config.bootstrap == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(zlib.crc32(decoder.encode()))
    log_ratios = np.zeros((config.bootstrap, len(rows)))
    for i, row in enumerate(rows.itertuples()):
        cell = sweep[
            (sweep["decoder"] == decoder)
            & (sweep["alpha"] == row.alpha)
            & (sweep["features"] == row.features)
        ]
        widths, curves = seed_curves(cell)
        draws = rng.integers(0, len(curves), size=(config.bootstrap, len(curves)))
        resampled = curves[draws].mean(axis=1)  # [bootstrap, widths]
        transition = transition_widths(widths, resampled, config.epsilon)
        log_ratios[:, i] = np.log(transition.width / float(row.d_star))  # type: ignore[arg-type]
    constants = np.exp(log_ratios.mean(axis=1))
    low, high = np.percentile(constants, [2.5, 97.5])
    return float(low), float(high)
