"""toy-summary-heatmap (fig5): log2(transition / d*_S) per read-out on a k × F grid, censored
cells hatched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.text import Text

from galleryforge.renderings import toy_summary_heatmap
from tests.contexts import BuildRenderContext, DrawRendering, drawn, render_context
from tests.figures import artists_with_gid, inside_canvas, laid_out

READ_OUTS = ("lp", "active-set", "untied", "tied")


def _grid(summary: pd.DataFrame, decoder: str, column: str) -> np.ndarray:
    """``column`` of ``decoder``'s rows, rows = k ascending (each k at every F), columns = F
    ascending."""
    ks, features = sorted(summary["k"].unique()), sorted(summary["features"].unique())
    rows = summary[summary["decoder"] == decoder]
    pivot = rows.pivot(index="k", columns="features", values=column)
    return pivot.reindex(index=ks, columns=features).to_numpy(dtype=float)


def _label(ratio: float, censored: float) -> str:
    """A cell's text: the ratio, "> ratio" when censored (a lower bound), nothing for no cell."""
    if not np.isfinite(ratio):
        return ""
    return ("> " if censored == 1 else "") + f"{ratio:.2f}×"


def test_one_heatmap_per_read_out_of_log2_ratios(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(toy_summary_heatmap, trial="toy")
    summary = ctx.toy_tables.summary
    images = artists_with_gid(fig, "heatmap")
    assert len(images) == 4
    for image, decoder in zip(images, READ_OUTS, strict=True):
        expected = np.log2(_grid(summary, decoder, "ratio"))
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


def test_alt_text_and_interactive_log2_ratios(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="toy")
    text = toy_summary_heatmap.describe(ctx)
    assert "lower bound" in text and "active features k (2, 4, 8) as rows" in text
    summary = ctx.toy_tables.summary
    fig = toy_summary_heatmap.interactive(ctx)
    assert len(fig.data) == 4
    ks, features = sorted(summary["k"].unique()), sorted(summary["features"].unique())
    for trace, decoder in zip(fig.data, READ_OUTS, strict=True):
        assert trace.hovertemplate.startswith(f"{decoder}, ")
        ratio, censored = _grid(summary, decoder, "ratio"), _grid(summary, decoder, "censored")
        np.testing.assert_allclose(np.asarray(trace.z, dtype=float), np.log2(ratio))
        assert list(trace.x) == [str(f) for f in features]
        assert list(trace.y) == [f"{k:g}" for k in ks]
        written = [
            [_label(r, c) for r, c in zip(ratios, flags, strict=True)]
            for ratios, flags in zip(ratio, censored, strict=True)
        ]
        assert [list(row) for row in trace.text] == written
        assert trace.zmid == 0 and trace.zmin == -trace.zmax  # the same scale in every panel


def test_an_alpha_grid_has_a_row_per_alpha(build_render_context: BuildRenderContext) -> None:
    from galleryforge.renderings.toy_summary_heatmap import ratio_grids
    from tests.factories import build_toy

    _, summary = build_toy(alphas=(0.8, 0.9), features=(32, 64))
    grids, rows, columns = ratio_grids(summary)
    assert rows == [0.8, 0.9] and columns == [32, 64]
    assert all(r.shape == (2, 2) and np.isfinite(r).all() for r, _ in grids.values())


def test_four_read_outs_name_the_k_axis_once_on_a_social_card(stress_runs: Path) -> None:
    ctx = render_context(stress_runs, trial="toy", theme="social")
    fig = drawn(ctx, toy_summary_heatmap)
    renderer = laid_out(fig)
    labels = [t for t in fig.findobj(Text) if t.get_text() == "Active features k"]  # type: ignore[attr-defined]
    assert len(labels) == 1 and inside_canvas(fig, labels[0], renderer)  # type: ignore[arg-type]
