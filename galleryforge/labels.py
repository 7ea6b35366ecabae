"""Display names of the metrics, shared by tables, figures, cards and pages (no heavy imports)."""

from __future__ import annotations

# The order metrics appear in figures; extra numeric columns follow in table order.
METRIC_ORDER = (
    "l0",
    "alpha",
    "g_alpha",
    "d_star",
    "mse",
    "fvu",
    "explained_variance",
    "l1",
    "loss",
    "dead",
    "alive_frac",
    "l1_coef",
)
METRIC_LABELS = {
    "l0": "L0",
    "alpha": "α",
    "g_alpha": "g(α)",
    "d_star": "d*_S",
    "mse": "MSE",
    "fvu": "FVU",
    "explained_variance": "Explained var.",
    "l1": "L1",
    "loss": "Loss",
    "dead": "Dead",
    "alive_frac": "Alive frac.",
    "l1_coef": "L1 coef.",
}


# matplotlib mathtext for the symbols; other labels are the same as METRIC_LABELS.
METRIC_MATH = {"alpha": r"$\alpha$", "g_alpha": r"$g(\alpha)$", "d_star": r"$d^*_S$"}


def metric_label(name: str, math: bool = False) -> str:
    """A metric's display name; ``math=True`` gives matplotlib mathtext for the KD symbols."""
    if math and name in METRIC_MATH:
        return METRIC_MATH[name]
    return METRIC_LABELS.get(name, name.replace("_", " "))
