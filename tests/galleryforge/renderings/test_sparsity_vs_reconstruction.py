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


def test_a_topk_trials_alt_text_says_l0_does_not_vary(
    build_render_context: BuildRenderContext, recwarn: pytest.WarningsRecorder
) -> None:
    """L0 = k in every layer of a TopK trial: no correlation to state (it used to say "nan",
    after numpy's divide-by-zero warning)."""
    ctx = build_render_context(trial="B")
    ctx.trial.final["l0"] = 32.0
    text = sparsity_vs_reconstruction.describe(ctx)
    assert "L0 is the same in every layer, so it has no correlation across layers." in text
    assert "nan" not in text
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_the_alt_text_states_pearsons_r_across_layers(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context(trial="B")
    l0, mse = ctx.trial.final["l0"].to_numpy(), ctx.trial.final["mse"].to_numpy()
    r = ((l0 - l0.mean()) * (mse - mse.mean())).sum() / (
        np.sqrt(((l0 - l0.mean()) ** 2).sum() * ((mse - mse.mean()) ** 2).sum())
    )
    assert f"correlation of L0 with MSE across layers {r:.2f}." in (
        sparsity_vs_reconstruction.describe(ctx)
    )
