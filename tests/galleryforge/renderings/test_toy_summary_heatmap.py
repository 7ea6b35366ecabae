"""toy-summary-heatmap (fig5): log2(transition / d*_S) per read-out on a k × F grid, censored
cells hatched."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings import toy_summary_heatmap
from tests.contexts import BuildRenderContext, DrawRendering
from tests.figures import artists_with_gid


def test_one_heatmap_per_read_out_of_log2_ratios(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(toy_summary_heatmap, trial="toy")
    summary = ctx.toy_tables.summary
    images = artists_with_gid(fig, "heatmap")
    assert len(images) == 4
    ks, features = sorted(summary["k"].unique()), sorted(summary["features"].unique())
    for image, decoder in zip(images, ("lp", "active-set", "untied", "tied"), strict=True):
        rows = summary[summary["decoder"] == decoder]
        # Rows: k ascending (each k at every F); columns: F ascending.
        expected = np.log2(
            rows.pivot(index="k", columns="features", values="ratio")
            .reindex(index=ks, columns=features)
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
    text = toy_summary_heatmap.describe(ctx)
    assert "lower bound" in text and "active features k (2, 4, 8) as rows" in text
    fig = toy_summary_heatmap.interactive(ctx)
    assert len(fig.data) == 4


def test_an_alpha_grid_has_a_row_per_alpha(build_render_context: BuildRenderContext) -> None:
    from galleryforge.renderings.toy_summary_heatmap import ratio_grids
    from tests.factories import build_toy

    _, summary = build_toy(alphas=(0.8, 0.9), features=(32, 64))
    grids, rows, columns = ratio_grids(summary)
    assert rows == [0.8, 0.9] and columns == [32, 64]
    assert all(r.shape == (2, 2) and np.isfinite(r).all() for r, _ in grids.values())
