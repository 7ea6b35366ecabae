"""parts.ticks: layer ticks thinned to fit, log tick labels, metric names along x."""

from __future__ import annotations

import pytest
from matplotlib import rc_context
from matplotlib.figure import Figure

from galleryforge.renderings.parts import ticks


def _axes(width_in: float, height_in: float) -> Figure:
    fig = Figure(figsize=(width_in, height_in))
    fig.add_axes((0.0, 0.0, 1.0, 1.0))
    return fig


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (1.0, "1"),
        (5_000.0, "5,000"),
        (99_000.0, "99,000"),
        (1e5, "$10^{5}$"),
        (2e-3, r"$2\times10^{-3}$"),
        (0.5, r"$5\times10^{-1}$"),
    ],
)
def test_log_labels(value: float, label: str) -> None:
    assert ticks.log_label(value) == label


def test_layer_ticks_thin_out_on_a_short_axis() -> None:
    layers = list(range(32))
    with rc_context({"ytick.labelsize": 8}):  # ticks take their size when first made
        tall, short = _axes(4.0, 8.0).axes[0], _axes(4.0, 1.3).axes[0]
        ticks.set_layer_ticks(tall, layers)  # 32 * 8 pt * 1.35 / 72 = 4.8 in of 8 in: all
        ticks.set_layer_ticks(short, layers)  # 4.8 in on 1.3 in: every fourth layer
    assert [t.get_text() for t in tall.get_yticklabels()] == [f"L{i}" for i in layers]
    assert [t.get_text() for t in short.get_yticklabels()] == [f"L{i}" for i in range(0, 32, 4)]


def test_metric_names_level_when_they_fit_upright_when_not() -> None:
    wide = _axes(8.0, 2.0).axes[0]
    ticks.fit_metric_labels(wide, ["l0", "mse", "dead"])
    assert [t.get_text() for t in wide.get_xticklabels()] == ["L0", "MSE", "Dead"]
    assert wide.get_xticklabels()[0].get_rotation() == 0
    narrow = _axes(1.0, 2.0).axes[0]
    ticks.fit_metric_labels(narrow, ["explained_variance", "alive_frac", "feature_density"])
    assert narrow.get_xticklabels()[0].get_rotation() == 90
