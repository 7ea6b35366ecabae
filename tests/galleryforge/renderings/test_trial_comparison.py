"""trial-comparison: every trial on the L0–MSE frontier, trial means and mean d*_S labelled."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings import trial_comparison
from tests.contexts import BuildRenderContext, drawn
from tests.figures import artists_with_gid


def test_every_trial_its_layers_and_its_mean(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="B")
    trials = [ctx.trials[name] for name in sorted(ctx.trials)]
    fig = drawn(ctx, trial_comparison)
    groups = artists_with_gid(fig, "trial-layers")
    means = artists_with_gid(fig, "trial-mean")
    labels = [t.get_text() for t in artists_with_gid(fig, "d-star-label")]  # type: ignore[attr-defined]
    assert len(groups) == len(means) == len(labels) == 3
    for trial, group, mean, label in zip(trials, groups, means, labels, strict=True):
        np.testing.assert_allclose(group.get_offsets(), trial.final[["l0", "mse"]].to_numpy())  # type: ignore[attr-defined]
        assert (mean.get_xdata()[0], mean.get_ydata()[0]) == (trial.kd.l0, trial.kd.mse)  # type: ignore[attr-defined]
        assert label.startswith(trial.trial) and f"{trial.kd.d_star:,.0f}" in label
    assert fig.axes[0].get_xscale() == "log"


def test_alt_text_names_every_trial(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="C")
    alt = trial_comparison.describe(ctx)
    for name, trial in ctx.trials.items():
        assert f"trial {name}" in alt and f"{trial.kd.d_star:,.0f}" in alt
    assert len(trial_comparison.interactive(ctx).data) == 2 * len(ctx.trials)
