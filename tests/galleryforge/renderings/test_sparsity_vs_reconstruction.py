"""sparsity-vs-reconstruction: L0 vs MSE, a point per layer, labels that never collide."""

from __future__ import annotations

import numpy as np
import pytest

from galleryforge.renderings import sparsity_vs_reconstruction
from tests.contexts import BuildRenderContext, DrawRendering
from tests.figures import artists_with_gid


@pytest.mark.parametrize(("trial", "theme"), [("A", "paper"), ("C", "social")])
def test_a_point_per_layer_in_layer_order(
    draw_rendering: DrawRendering, trial: str, theme: str
) -> None:
    ctx, fig = draw_rendering(sparsity_vs_reconstruction, trial=trial, theme=theme)
    (points,) = artists_with_gid(fig, "layer-point")
    final = ctx.trial.final
    np.testing.assert_allclose(points.get_offsets(), final[["l0", "mse"]].to_numpy())  # type: ignore[attr-defined]
    labels = artists_with_gid(fig, "layer-label")
    assert labels, "some layers are labelled"
    boxes = [label.get_window_extent() for label in labels]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_alt_text_and_interactive(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="B")
    assert "trial B" in sparsity_vs_reconstruction.describe(ctx)
    (trace,) = sparsity_vs_reconstruction.interactive(ctx).data
    assert len(trace.x) == ctx.trial.n_layers
