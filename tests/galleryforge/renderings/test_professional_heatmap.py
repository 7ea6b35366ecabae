"""professional-heatmap: compact, single-hue table of the headline metrics."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba

from galleryforge.renderings import professional_heatmap
from galleryforge.renderings.parts.layer_metrics import headline_metrics
from galleryforge.renderings.registry import get_rendering
from tests.contexts import BuildRenderContext, DrawRendering
from tests.figures import artists_with_gid, heatmap_shade, relative_by_hand


def test_headline_metrics_in_a_ramp_to_the_accent(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(professional_heatmap, trial="C", theme="social")
    (image,) = artists_with_gid(fig, "heatmap")
    expected = relative_by_hand(ctx.trial.final, headline_metrics(ctx.trial))
    np.testing.assert_allclose(heatmap_shade(fig), expected)
    cmap = image.get_cmap()  # type: ignore[attr-defined]
    np.testing.assert_allclose(cmap(1.0), to_rgba(ctx.theme.colors.accent), atol=1e-2)
    assert fig.axes[0].xaxis.get_ticks_position() == "top"


def test_alt_text_interactive_and_alias(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="A", theme="presentation")
    assert "trial A" in professional_heatmap.describe(ctx)
    (trace,) = professional_heatmap.interactive(ctx).data
    assert np.shape(trace.z) == (ctx.trial.n_layers, len(headline_metrics(ctx.trial)))
    assert get_rendering("SAE_Professional_Heatmap").id == "professional-heatmap"
