"""dashboard: α, g(α), MSE and dead count per layer in aligned panels."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings import dashboard
from galleryforge.renderings.registry import get_rendering
from tests.contexts import DrawRendering
from tests.figures import artists_with_gid


def test_panels_show_the_final_per_layer_values(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(dashboard, trial="C")
    final, layers = ctx.trial.final, list(ctx.trial.layer_ids)
    for gid, column in (
        ("dashboard-alpha", "alpha"),
        ("dashboard-g-alpha", "g_alpha"),
        ("dashboard-mse", "mse"),
    ):
        (line,) = artists_with_gid(fig, gid)
        np.testing.assert_array_equal(line.get_xdata(), layers)  # type: ignore[attr-defined]
        np.testing.assert_allclose(line.get_ydata(), final[column])  # type: ignore[attr-defined]
    bars = artists_with_gid(fig, "dashboard-dead")
    np.testing.assert_allclose([b.get_height() for b in bars], final["dead"])  # type: ignore[attr-defined]
    means = [line.get_ydata()[0] for line in artists_with_gid(fig, "trial-mean")]  # type: ignore[attr-defined]
    np.testing.assert_allclose(means, final[["alpha", "g_alpha", "mse", "dead"]].mean())
    # The four panels line up on one layer axis: the same layers under the same x range.
    assert len(fig.axes) == 4
    assert {ax.get_xlim() for ax in fig.axes} == {fig.axes[0].get_xlim()}
    low, high = fig.axes[0].get_xlim()
    assert low < layers[0] and layers[-1] < high


def test_no_dead_latents_has_no_mean_line(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(dashboard, trial="B")
    assert len(artists_with_gid(fig, "trial-mean")) == 3
    assert "trial B" in dashboard.describe(ctx)
    assert get_rendering("SAE_Dashboard").id == "dashboard"
