"""all-layers-small-multiples: one bar panel per layer, grid sized to the layer count."""

from __future__ import annotations

import numpy as np
import pytest

from galleryforge.renderings import all_layers_small_multiples as small
from galleryforge.renderings.parts.layer_metrics import headline_metrics
from galleryforge.renderings.registry import get_rendering
from tests.contexts import DrawRendering
from tests.figures import artists_with_gid, relative_by_hand


@pytest.mark.parametrize("trial", ["A", "C"])
def test_one_panel_per_layer_with_relative_bars(draw_rendering: DrawRendering, trial: str) -> None:
    ctx, fig = draw_rendering(small, trial=trial)
    panels = artists_with_gid(fig, "layer-panel")
    assert len(panels) == ctx.trial.n_layers
    metrics = headline_metrics(ctx.trial)
    expected = relative_by_hand(ctx.trial.final, metrics)
    heights = [bar.get_height() for bar in artists_with_gid(fig, "metric-bar")]  # type: ignore[attr-defined]
    np.testing.assert_allclose(np.reshape(heights, expected.shape), expected)
    labelled = [ax for ax in panels if any(t.get_visible() for t in ax.get_yticklabels())]  # type: ignore[attr-defined]
    assert 0 < len(labelled) < len(panels)  # only the first column carries the y labels


def test_constant_metrics_left_out_and_said(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(small, trial="B")
    (legend,) = fig.legends
    names = [t.get_text() for t in legend.get_texts()]
    assert "Dead" not in names and "MSE" in names
    assert "constant across layers: Dead, Alive frac." in small.describe(ctx)
    assert get_rendering("SAE_All_Layers_Small_Multiples").id == "all-layers-small-multiples"
