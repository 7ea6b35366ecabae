"""Which per-layer metrics a rendering shows, their final-checkpoint values and relative shades."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from galleryforge.tables import TrialTables

# The per-layer metrics the heatmap family shows first, when the table has them.
HEADLINE_METRICS = ("l0", "alpha", "g_alpha", "d_star", "mse", "fvu", "dead", "alive_frac")
# Columns of the layer table that are bookkeeping or loss terms rather than layer measurements.
_NOT_SHOWN = ("l1_coef", "loss", "l1")


def layer_label(layer: int) -> str:
    return f"L{layer}"


def default_metrics(trial: TrialTables) -> list[str]:
    """Every metric the table holds except the bookkeeping ones (extra columns included)."""
    return [m for m in trial.metrics if m not in _NOT_SHOWN]


def headline_metrics(trial: TrialTables) -> list[str]:
    return [m for m in HEADLINE_METRICS if m in trial.metrics]


def metric_matrix(
    trial: TrialTables, metrics: Sequence[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Final-checkpoint values, rows = layers (in order), columns = ``metrics``.

    ``metrics`` defaults to ``default_metrics``, so tables with extra metric columns show them too.
    """
    chosen = list(metrics) if metrics is not None else default_metrics(trial)
    return trial.final[chosen].to_numpy(dtype=np.float64), chosen


def relative_within_columns(matrix: np.ndarray) -> np.ndarray:
    """Min–max scale each column to [0, 1]; a constant column sits at 0.5."""
    low = matrix.min(axis=0, keepdims=True)
    span = matrix.max(axis=0, keepdims=True) - low
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = (matrix - low) / span
    return np.where(span > 0, scaled, 0.5)


def split_constant(trial: TrialTables, metrics: Sequence[str]) -> tuple[list[str], list[str]]:
    """(metrics that vary across layers, metrics constant across layers) at the final checkpoint.

    A constant metric has no relative shade and no correlation with anything; renderings that draw
    only relative values leave it out and say so in their alt text.
    """
    final = trial.final
    varying = [m for m in metrics if final[m].nunique() > 1]
    return varying, [m for m in metrics if m not in varying]
