"""toy-summary-heatmap (fig5): log2(transition / d*_S) per read-out, censored cells hatched."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings import toy_summary_heatmap
from tests.contexts import BuildRenderContext, DrawRendering
from tests.figures import artists_with_gid


def test_one_heatmap_per_read_out_of_log2_ratios(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(toy_summary_heatmap, trial="toy")
    summary = ctx.toy_tables.summary
    images = artists_with_gid(fig, "heatmap")
    assert len(images) == 3
    alphas, features = sorted(summary["alpha"].unique()), sorted(summary["features"].unique())
    for image, decoder in zip(images, ("nnls", "untied", "tied"), strict=True):
        rows = summary[summary["decoder"] == decoder]
        expected = np.log2(
            rows.pivot(index="alpha", columns="features", values="ratio")
            .reindex(index=alphas, columns=features)
            .to_numpy()
        )
        np.testing.assert_allclose(np.ma.getdata(image.get_array()), expected)  # type: ignore[attr-defined]
        assert image.norm.vmin == -image.norm.vmax  # type: ignore[attr-defined]  # centred at 1


def test_censored_cells_are_hatched_and_read_as_lower_bounds(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(toy_summary_heatmap, trial="toy")
    summary = ctx.toy_tables.summary
    censored = summary[summary["censored"] == 1]
    hatched = artists_with_gid(fig, "censored-cell")
    assert len(hatched) == len(censored) > 0
    assert all(h.get_hatch() == "///" for h in hatched)  # type: ignore[attr-defined]
    texts = [t.get_text() for t in artists_with_gid(fig, "cell-value")]  # type: ignore[attr-defined]
    assert sorted(t for t in texts if t.startswith(">")) == sorted(
        f"> {r:.2f}×" for r in censored["ratio"]
    )
    assert len(texts) == len(summary)


def test_alt_text_and_interactive(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="toy")
    assert "lower bound" in toy_summary_heatmap.describe(ctx)
    fig = toy_summary_heatmap.interactive(ctx)
    assert len(fig.data) == 3
