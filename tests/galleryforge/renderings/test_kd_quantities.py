"""kd-quantities: α, g(α) and d*_S per layer, with the trial means as reference lines."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings import kd_quantities
from tests.contexts import BuildRenderContext, DrawRendering
from tests.figures import artists_with_gid


def test_per_layer_values_and_trial_means(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(kd_quantities, trial="C")
    final, means = ctx.trial.final, ctx.trial.kd
    for gid, column in (("kd-alpha", "alpha"), ("kd-g_alpha", "g_alpha"), ("d-star", "d_star")):
        (line,) = artists_with_gid(fig, gid)
        np.testing.assert_array_equal(line.get_xdata(), ctx.trial.layer_ids)  # type: ignore[attr-defined]
        np.testing.assert_allclose(line.get_ydata(), final[column])  # type: ignore[attr-defined]
    levels = [line.get_ydata()[0] for line in artists_with_gid(fig, "trial-mean")]  # type: ignore[attr-defined]
    np.testing.assert_allclose(levels, [means.alpha, means.g_alpha, means.d_star])


def test_alt_text_and_interactive(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="A")
    alt = kd_quantities.describe(ctx)
    assert "trial A" in alt and f"{ctx.trial.kd.d_star:,.0f}" in alt
    assert len(kd_quantities.interactive(ctx).data) == 3
