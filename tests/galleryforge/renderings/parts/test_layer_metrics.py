"""parts.layer_metrics: the metrics chosen, their final values, relative shades (hand-checked)."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings.parts import layer_metrics
from tests.contexts import BuildRenderContext


def test_relative_within_columns_by_hand() -> None:
    matrix = np.array([[1.0, 5.0, -2.0], [3.0, 5.0, 0.0], [2.0, 5.0, 2.0]])
    # Column 0: min 1, span 2; column 1 is constant (mid shade); column 2: min -2, span 4.
    expected = np.array([[0.0, 0.5, 0.0], [1.0, 0.5, 0.5], [0.5, 0.5, 1.0]])
    np.testing.assert_array_equal(layer_metrics.relative_within_columns(matrix), expected)


def test_metric_matrix_is_the_final_checkpoint_by_layer(
    build_render_context: BuildRenderContext,
) -> None:
    trial = build_render_context(trial="A").trial
    values, chosen = layer_metrics.metric_matrix(trial, ["l0", "dead"])
    last = trial.layers[trial.layers["tokens"] == trial.layers["tokens"].max()]
    last = last.sort_values("layer")
    assert chosen == ["l0", "dead"] and values.shape == (6, 2)
    np.testing.assert_array_equal(values, last[["l0", "dead"]].to_numpy(dtype=float))


def test_which_metrics_are_shown(build_render_context: BuildRenderContext) -> None:
    trial = build_render_context(trial="B").trial  # B carries an extra metric column
    shown = layer_metrics.default_metrics(trial)
    assert not {"l1_coef", "loss", "l1"} & set(shown)
    assert "feature_density_entropy" in shown and "explained_variance" in shown
    headline = ["l0", "alpha", "g_alpha", "d_star", "mse", "fvu", "dead", "alive_frac"]
    assert layer_metrics.headline_metrics(trial) == headline
    # B has no dead latents, so dead and alive_frac are the same at every layer.
    varying, constant = layer_metrics.split_constant(trial, headline)
    assert constant == ["dead", "alive_frac"] and varying == headline[:6]


def test_layer_label() -> None:
    assert layer_metrics.layer_label(7) == "L7"
