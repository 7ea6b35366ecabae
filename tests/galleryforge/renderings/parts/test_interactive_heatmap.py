"""parts.interactive_heatmap: plotly's z is the relative shade, hover data the real values."""

from __future__ import annotations

import numpy as np
import pytest

from galleryforge.renderings.parts.interactive_heatmap import interactive_layer_heatmap
from tests.contexts import BuildRenderContext


def test_shade_values_and_labels(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="A")
    fig = interactive_layer_heatmap(ctx, "a title", ["l0", "alpha"], zsmooth="best")
    (trace,) = fig.data
    final = ctx.trial.final.sort_values("layer")
    alpha = final["alpha"].to_numpy()
    np.testing.assert_allclose(np.asarray(trace.z)[:, 1], (alpha - alpha.min()) / np.ptp(alpha))
    np.testing.assert_allclose(trace.customdata, final[["l0", "alpha"]].to_numpy())
    assert list(trace.y) == [f"L{i}" for i in range(6)] and list(trace.x) == ["L0", "α"]
    assert trace.zsmooth == "best"  # the caller's settings win
    assert fig.layout.title.text == "Trial A: a title"


def test_headline_metrics_by_default_and_tall_for_many_layers(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context(trial="C")  # 32 layers
    plain = interactive_layer_heatmap(ctx, "t")
    tall = interactive_layer_heatmap(ctx, "t", tall=True)
    assert list(plain.data[0].x) == ["L0", "α", "g(α)", "d*_S", "MSE", "FVU", "Dead", "Alive frac."]
    width, height = ctx.theme.figsize()
    assert plain.layout.height / plain.layout.width == pytest.approx(height / width, abs=0.01)
    assert tall.layout.height > plain.layout.height
