"""toy-summary-heatmap (fig5): log2(measured / predicted floor) over the (α, F) grid."""

from __future__ import annotations

import numpy as np

from galleryforge import kd
from galleryforge.renderings import toy_summary_heatmap
from galleryforge.renderings.registry import REGISTRY
from galleryforge.themes.mpl import theme_style
from tests.contexts import BuildRenderContext
from tests.figures import artists_with_gid


def test_registered_as_fig5() -> None:
    assert REGISTRY["toy-summary-heatmap"].aliases == ("fig5",)


def test_cells_are_log_ratios_rows_alpha_columns_features(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context(trial="toy")
    summary = ctx.toy_tables.summary
    with theme_style(ctx.theme):
        fig = toy_summary_heatmap.draw(ctx)
    (image,) = artists_with_gid(fig, "heatmap")
    array = np.ma.getdata(image.get_array())  # type: ignore[attr-defined]
    alphas, features = sorted(summary["alpha"].unique()), sorted(summary["features"].unique())
    assert array.shape == (len(alphas), len(features))
    for row in summary.itertuples():
        expected = np.log2(row.floor_width / kd.toy_d_star(row.alpha, row.features))
        cell = array[alphas.index(row.alpha), features.index(row.features)]
        assert np.isclose(cell, expected)
    low, high = image.get_clim()  # type: ignore[attr-defined]
    assert low == -high and high >= np.abs(array).max()
    texts = [t.get_text() for t in artists_with_gid(fig, "cell-value")]  # type: ignore[attr-defined]
    assert len(texts) == len(summary)
    assert f"{2 ** array[0, 0]:.2f}×" in texts


def test_alt_text_and_interactive(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="toy", theme="social")
    alt = toy_summary_heatmap.describe(ctx)
    assert "12 of 12" in alt and "alpha" in alt
    (trace,) = toy_summary_heatmap.interactive(ctx).data
    assert np.asarray(trace.z).shape == (4, 3)
