"""checkpoint-trajectory: each metric across the token checkpoints, a line per layer."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings import checkpoint_trajectory
from tests.contexts import BuildRenderContext, drawn
from tests.figures import artists_with_gid


def test_a_line_per_layer_per_metric_across_checkpoints(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context(trial="C", theme="social")
    metrics = checkpoint_trajectory.trajectory_metrics(ctx)
    assert metrics == ["l0", "alpha", "d_star", "mse", "dead", "fvu"]
    fig = drawn(ctx, checkpoint_trajectory)
    lines = artists_with_gid(fig, "checkpoint-line")
    assert len(lines) == len(metrics) * ctx.trial.n_layers
    layers = ctx.trial.layers
    last = layers[layers["layer"] == ctx.trial.layer_ids[-1]].sort_values("tokens")
    drawn_last = lines[ctx.trial.n_layers - 1 :: ctx.trial.n_layers]
    for metric, line in zip(metrics, drawn_last, strict=True):
        np.testing.assert_array_equal(line.get_xdata(), ctx.trial.checkpoints)  # type: ignore[attr-defined]
        np.testing.assert_allclose(line.get_ydata(), last[metric])  # type: ignore[attr-defined]


def test_alt_text_and_interactive(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="A")
    alt = checkpoint_trajectory.describe(ctx)
    assert "trial A" in alt and "3 checkpoints" in alt
    fig = checkpoint_trajectory.interactive(ctx)
    assert len(fig.data) == 6 * ctx.trial.n_layers
