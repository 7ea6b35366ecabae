"""layer-metric-heatmap: every metric column of the layer table, shaded within its column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.text import Text

from galleryforge.numbers import format_metric
from galleryforge.renderings import layer_metric_heatmap
from galleryforge.renderings.registry import get_rendering
from tests.contexts import BuildRenderContext, DrawRendering, drawn, render_context
from tests.figures import (
    artists_with_gid,
    heatmap_shade,
    inside_canvas,
    laid_out,
    overlapping_labels,
    relative_by_hand,
)
from tests.stress_runs import DRAWN


def test_rows_are_layers_and_columns_every_metric(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(layer_metric_heatmap, trial="B")
    trial = ctx.trial
    metrics = list(trial.metrics)
    assert "feature_density_entropy" in metrics
    np.testing.assert_allclose(heatmap_shade(fig), relative_by_hand(trial.final, metrics))
    ax = fig.axes[0]
    names = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert names[-1] == "feature density entropy" and len(names) == len(metrics)
    assert ax.get_yticklabels()[0].get_text() == "L0"


def test_cells_carry_the_values_when_they_fit(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(layer_metric_heatmap, trial="A")
    texts = [t.get_text() for t in artists_with_gid(fig, "cell-value")]  # type: ignore[attr-defined]
    metrics = list(ctx.trial.metrics)
    assert len(texts) == ctx.trial.n_layers * len(metrics)
    assert texts[0] == format_metric(metrics[0], float(ctx.trial.final[metrics[0]].iloc[0]))


def test_alt_text_interactive_and_alias(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="B")
    alt = layer_metric_heatmap.describe(ctx)
    assert "trial B" in alt and "feature density entropy" in alt and "Dead" in alt
    (trace,) = layer_metric_heatmap.interactive(ctx).data
    np.testing.assert_allclose(trace.customdata, ctx.trial.final[list(ctx.trial.metrics)])
    assert get_rendering("SAE_Layer_Metric_Heatmap").id == "layer-metric-heatmap"


def test_forty_eight_layers_keep_their_labels_apart_under_a_long_title(stress_runs: Path) -> None:
    ctx = render_context(stress_runs, trial=DRAWN, theme="social")
    fig = drawn(ctx, layer_metric_heatmap)
    renderer = laid_out(fig)
    assert list(overlapping_labels(fig, renderer)) == []
    (ax, *_) = fig.axes
    assert DRAWN in ax.get_title(loc="left")
    titles = [t for t in fig.findobj(Text) if DRAWN in t.get_text()]  # type: ignore[attr-defined]
    assert titles and all(inside_canvas(fig, t, renderer) for t in titles)  # type: ignore[arg-type]
