"""training-curves: MSE, L1 and loss vs tokens, a line per layer in each of three panels."""

from __future__ import annotations

import numpy as np
import pytest

from galleryforge.renderings import training_curves
from tests.contexts import BuildRenderContext, DrawRendering
from tests.figures import artists_with_gid


@pytest.mark.parametrize("trial", ["A", "C"])
def test_a_line_per_layer_in_each_panel(draw_rendering: DrawRendering, trial: str) -> None:
    ctx, fig = draw_rendering(training_curves, trial=trial)
    panels = [ax for ax in fig.axes if any(ln.get_gid() == "layer-line" for ln in ax.lines)]
    lines = artists_with_gid(fig, "layer-line")
    assert len(lines) == 3 * ctx.trial.n_layers
    curves = ctx.trial.curves
    assert curves is not None
    first_layer = curves[curves["layer"] == ctx.trial.layer_ids[0]]
    for metric, line in zip(("mse", "l1", "loss"), lines[:: ctx.trial.n_layers], strict=True):
        np.testing.assert_allclose(line.get_xdata(), first_layer["tokens"])  # type: ignore[attr-defined]
        np.testing.assert_allclose(line.get_ydata(), first_layer[metric])  # type: ignore[attr-defined]
    assert len(panels) == 3
    assert any(ax.get_ylabel() == "Layer" for ax in fig.axes), "a layer colourbar"


def test_alt_text_and_interactive(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="B")
    assert "trial B" in training_curves.describe(ctx)
    assert len(training_curves.interactive(ctx).data) == 3 * ctx.trial.n_layers
