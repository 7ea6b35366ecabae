"""Every named rendering, one module each. ``load_all`` imports them, filling the registry.

A rendering whose plotly half would make its module long keeps it beside it in
``<module>_interactive.py``; ``toy_readouts`` is the toy summary the toy renderings share, and
``parts/`` holds the other pieces renderings are built from.

The modules are imported on first use rather than at package import, so listing commands stay
fast; each module imports only light dependencies at its top.
"""

from __future__ import annotations

import importlib

MODULES = (
    # toy experiment
    "toy_loss_floor",
    "toy_summary_heatmap",
    "toy_floor_vs_dstar",
    # every trial
    "training_curves",
    "layer_metric_heatmap",
    "kd_quantities",
    "sparsity_vs_reconstruction",
    "predicted_loss_floor",
    "checkpoint_trajectory",
    "trial_comparison",
    "architecture_frontier",
    "width_sweep",
    "trained_vs_random",
    # named variants of the per-layer metrics
    "premium_heatmap",
    "professional_heatmap",
    "layer_analysis_heatmap",
    "all_layers_small_multiples",
    "gradient_heatmap",
    "correlation_heatmap",
    "kpi_summary",
    "dashboard",
    "metric_landscape",
    # per-latent views (need the features and examples tables)
    "feature_density",
    "feature_density_trials",
    "feature_card",
)

_loaded = False


def load_all() -> None:
    global _loaded
    if _loaded:
        return
    for name in MODULES:
        importlib.import_module(f"galleryforge.renderings.{name}")
    _loaded = True
