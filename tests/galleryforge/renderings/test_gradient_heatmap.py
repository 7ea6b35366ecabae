"""gradient-heatmap: the relative metric matrix, bicubically smoothed, no values written."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings import gradient_heatmap
from galleryforge.renderings.parts.layer_metrics import headline_metrics
from galleryforge.renderings.registry import get_rendering
from tests.contexts import DrawRendering
from tests.figures import artists_with_gid, heatmap_shade, relative_by_hand


def test_smooth_field_without_values(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(gradient_heatmap, trial="A", theme="blog")
    (image,) = artists_with_gid(fig, "heatmap")
    expected = relative_by_hand(ctx.trial.final, headline_metrics(ctx.trial))
    np.testing.assert_allclose(heatmap_shade(fig), expected)
    assert image.get_interpolation() == "bicubic"  # type: ignore[attr-defined]
    assert artists_with_gid(fig, "cell-value") == []
    assert "trial A" in gradient_heatmap.describe(ctx)
    (trace,) = gradient_heatmap.interactive(ctx).data
    assert trace.zsmooth == "best"
    assert get_rendering("SAE_Gradient_Heatmap").id == "gradient-heatmap"
