"""Pieces of alt text the per-layer renderings share: lists of metric names, the trial's means."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from galleryforge.labels import metric_label

if TYPE_CHECKING:
    from galleryforge.tables import TrialTables

# How each trial mean reads in a sentence: (name, format).
_MEANS = {
    "l0": ("L0", "{:,.0f}"),
    "alpha": ("alpha", "{:.3f}"),
    "d_star": ("predicted width d*_S", "{:,.0f}"),
    "mse": ("MSE", "{:.3g}"),
}


def metric_list(metrics: Sequence[str]) -> str:
    """Display names joined for the middle of a sentence: 'L0, α, Alive frac.'."""
    return ", ".join(metric_label(m) for m in metrics)


def metric_names(metrics: Sequence[str]) -> str:
    """Display names joined for the end of a sentence: 'L0, α, Alive frac' (no trailing stop)."""
    return metric_list(metrics).rstrip(".")


def layer_grid(trial: TrialTables, metrics: Sequence[str]) -> str:
    """How a layers-by-metrics heatmap is laid out, for the middle of a sentence: 'trial B's final
    checkpoint: 6 layers as rows and L0, α, … as columns'."""
    return (
        f"trial {trial.trial}'s final checkpoint: {trial.n_layers} layers as rows and "
        f"{metric_list(metrics)} as columns"
    )


def trial_means(trial: TrialTables, metrics: Sequence[str]) -> str:
    """The trial's means over layers as a sentence: 'Mean L0 1,234, mean alpha 0.940.'."""
    means = trial.kd
    parts = [
        f"{name} {form.format(getattr(means, m))}"
        for m, (name, form) in _MEANS.items()
        if m in metrics
    ]
    return f"Mean {', mean '.join(parts)}."
