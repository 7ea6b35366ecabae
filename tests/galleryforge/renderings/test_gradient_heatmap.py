"""gradient-heatmap: the relative metric matrix, bicubically smoothed, no values written."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings import gradient_heatmap
from galleryforge.renderings.parts.layer_metrics import headline_metrics, relative_within_columns
from galleryforge.renderings.registry import get_rendering
from tests.contexts import BuildRenderContext, drawn
from tests.figures import artists_with_gid


def test_smooth_field_without_values(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="A", theme="blog")
    fig = drawn(ctx, gradient_heatmap)
    (image,) = artists_with_gid(fig, "heatmap")
    metrics = headline_metrics(ctx.trial)
    expected = relative_within_columns(ctx.trial.final[metrics].to_numpy(dtype=float))
    np.testing.assert_allclose(image.get_array(), expected)  # type: ignore[attr-defined]
    assert image.get_interpolation() == "bicubic"  # type: ignore[attr-defined]
    assert artists_with_gid(fig, "cell-value") == []
    assert "trial A" in gradient_heatmap.describe(ctx)
    (trace,) = gradient_heatmap.interactive(ctx).data
    assert trace.zsmooth == "best"
    assert get_rendering("SAE_Gradient_Heatmap").id == "gradient-heatmap"
