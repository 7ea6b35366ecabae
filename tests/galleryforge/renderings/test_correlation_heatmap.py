"""correlation-heatmap: Pearson correlation across layers between the varying metrics."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from galleryforge.renderings import correlation_heatmap
from galleryforge.renderings.registry import get_rendering
from tests.contexts import BuildRenderContext, DrawRendering, drawn, render_context
from tests.figures import artists_with_gid, laid_out, overlapping_labels, visible_tick_labels
from tests.stress_runs import DRAWN


def test_matrix_is_pandas_pearson_on_a_fixed_scale(
    draw_rendering: DrawRendering,
) -> None:
    ctx, fig = draw_rendering(correlation_heatmap, trial="B")
    (image,) = artists_with_gid(fig, "correlation")
    final = ctx.trial.final
    varying = [m for m in ctx.trial.metrics if final[m].nunique() > 1]
    assert {"dead", "alive_frac", "l1_coef"}.isdisjoint(varying)
    np.testing.assert_allclose(image.get_array(), final[varying].corr().to_numpy())  # type: ignore[attr-defined]
    assert image.get_clim() == (-1.0, 1.0)  # type: ignore[attr-defined]
    cells = artists_with_gid(fig, "cell-value")
    assert len(cells) in (0, len(varying) ** 2)


def test_alt_text_names_the_skipped_metrics(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="B")
    alt = correlation_heatmap.describe(ctx)
    assert "trial B" in alt and "constant across layers" in alt and "Alive frac" in alt
    (trace,) = correlation_heatmap.interactive(ctx).data
    assert trace.zmin == -1 and trace.zmax == 1
    assert get_rendering("SAE_Correlation_Heatmap").id == "correlation-heatmap"


def test_every_metric_of_thirty_one_keeps_their_row_names_apart_on_a_social_card(
    stress_runs: Path,
) -> None:
    ctx = render_context(stress_runs, trial=DRAWN, theme="social")
    fig = drawn(ctx, correlation_heatmap)
    renderer = laid_out(fig)
    assert list(overlapping_labels(fig, renderer)) == []
    (ax, *_) = fig.axes
    varying = correlation_heatmap.correlations(ctx.trial)[0].columns
    assert len(varying) > 25 and len(visible_tick_labels(ax, "x")) == len(varying)  # all named
    assert len(visible_tick_labels(ax, "y")) >= 10  # rows named as densely as fits
