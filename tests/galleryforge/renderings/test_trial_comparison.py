"""trial-comparison: every trial on the L0–MSE frontier, trial means and mean d*_S labelled."""

from __future__ import annotations

import colorsys
import itertools
from pathlib import Path

import numpy as np
from matplotlib.colors import to_hex, to_rgb

from galleryforge.renderings import trial_comparison
from tests.contexts import BuildRenderContext, drawn, render_context
from tests.figures import artists_with_gid, laid_out
from tests.stress_runs import DRAWN, FAMILY


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


def test_twelve_trials_keep_their_labels_apart_and_off_the_points(stress_runs: Path) -> None:
    ctx = render_context(stress_runs, trial=DRAWN, theme="social")
    fig = drawn(ctx, trial_comparison)
    renderer = laid_out(fig)
    labels = [t.get_window_extent(renderer) for t in artists_with_gid(fig, "d-star-label")]
    assert len(labels) == 12
    for a, b in itertools.combinations(labels, 2):
        assert not a.overlaps(b), (a, b)
    points = np.vstack(
        [
            c.get_offset_transform().transform(c.get_offsets())
            for c in artists_with_gid(fig, "trial-layers")
        ]  # type: ignore[attr-defined]
    )
    means = [m.get_window_extent(renderer) for m in artists_with_gid(fig, "trial-mean")]
    for box in labels:
        assert not any(box.contains(x, y) for x, y in points)
        assert not any(box.overlaps(mean) for mean in means)


def test_twelve_trials_twelve_colours_a_width_family_in_one_hue(stress_runs: Path) -> None:
    ctx = render_context(stress_runs, trial=DRAWN, theme="paper")
    fig = drawn(ctx, trial_comparison)
    colours = {
        name: to_hex(group.get_facecolor()[0], keep_alpha=False)  # type: ignore[attr-defined]
        for name, group in zip(
            sorted(ctx.trials), artists_with_gid(fig, "trial-layers"), strict=True
        )
    }
    assert len(set(colours.values())) == 12
    hues = {name: colorsys.rgb_to_hls(*to_rgb(colour))[0] for name, colour in colours.items()}
    family = [hues[name] for name in colours if name.startswith(FAMILY)]
    others = [name for name in colours if not name.startswith(FAMILY)]
    assert len(family) == 6 and max(family) - min(family) < 0.02  # one hue (of 1), six shades
    # Outside the family, each trial has its own colour of the theme's palette.
    assert {colours[name] for name in others} <= {c.lower() for c in ctx.theme.palette.categorical}
    assert all(abs(hues[name] - family[0]) > 0.02 for name in others)
