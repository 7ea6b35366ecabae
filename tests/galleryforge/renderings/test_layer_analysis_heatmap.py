"""layer-analysis-heatmap: heatmap plus L0 and dead-count bars on the same layer axis."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings import layer_analysis_heatmap
from galleryforge.renderings.parts.layer_metrics import headline_metrics
from galleryforge.renderings.registry import get_rendering
from tests.contexts import DrawRendering
from tests.figures import artists_with_gid


def test_sidecar_bars_share_the_layer_axis(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(layer_analysis_heatmap, trial="C")
    final = ctx.trial.final
    (image,) = artists_with_gid(fig, "heatmap")
    assert image.get_array().shape == (ctx.trial.n_layers, len(headline_metrics(ctx.trial)))  # type: ignore[attr-defined]
    for gid, column in (("sidecar-l0", "l0"), ("sidecar-dead", "dead")):
        bars = artists_with_gid(fig, gid)
        np.testing.assert_allclose([b.get_width() for b in bars], final[column])  # type: ignore[attr-defined]
        np.testing.assert_allclose(
            [b.get_y() + b.get_height() / 2 for b in bars],  # type: ignore[attr-defined]
            range(ctx.trial.n_layers),
        )
    heat, *side = fig.axes[:3]
    assert all(ax.get_ylim() == heat.get_ylim() for ax in side)


def test_no_dead_latents_is_said_not_drawn_empty(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(layer_analysis_heatmap, trial="B")
    assert any(t.get_text() == "no dead latents" for t in fig.axes[2].texts)
    assert "0 in total" in layer_analysis_heatmap.describe(ctx)
    assert len(layer_analysis_heatmap.interactive(ctx).data) == 1
    assert get_rendering("SAE_Layer_Analysis_Heatmap").id == "layer-analysis-heatmap"
