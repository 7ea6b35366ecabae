"""parts.interactive_heatmap: plotly's z is the relative shade, hover data the real values."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings.parts.interactive_heatmap import interactive_layer_heatmap
from tests.contexts import BuildRenderContext


def test_shade_values_and_labels(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="A")
    fig = interactive_layer_heatmap(ctx, ["l0", "alpha"], "A title", zsmooth="best")
    (trace,) = fig.data
    final = ctx.trial.final.sort_values("layer")
    alpha = final["alpha"].to_numpy()
    np.testing.assert_allclose(np.asarray(trace.z)[:, 1], (alpha - alpha.min()) / np.ptp(alpha))
    np.testing.assert_allclose(trace.customdata, final[["l0", "alpha"]].to_numpy())
    assert list(trace.y) == [f"L{i}" for i in range(6)] and list(trace.x) == ["L0", "α"]
    assert trace.zsmooth == "best"  # the caller's settings win
    assert fig.layout.title.text == "A title"
