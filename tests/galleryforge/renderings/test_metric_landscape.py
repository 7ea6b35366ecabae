"""metric-landscape: ridgelines of the relative per-layer metrics through depth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from galleryforge.labels import metric_label
from galleryforge.renderings import metric_landscape
from galleryforge.renderings.registry import get_rendering
from tests.contexts import DrawRendering, drawn, render_context
from tests.figures import artists_with_gid, laid_out, overlapping_labels
from tests.stress_runs import DRAWN


def test_one_ridge_per_varying_metric_through_the_values(
    draw_rendering: DrawRendering,
) -> None:
    ctx, fig = draw_rendering(metric_landscape, trial="B", theme="dark")
    # By hand from the layer table: each layer's last checkpoint; of its numeric columns (not
    # the keys, not the loss terms), those that differ between layers are drawn.
    table = ctx.trial.layers
    final = table.loc[table.groupby("layer")["tokens"].idxmax()].sort_values("layer")
    shown = [
        c
        for c in final.select_dtypes("number").columns
        if c not in {"layer", "tokens", "width", "l1_coef", "loss", "l1"}
    ]
    varying = {c for c in shown if final[c].max() > final[c].min()}
    assert {"dead", "alive_frac"} <= set(shown) - varying
    assert "feature_density_entropy" in varying
    ridges = artists_with_gid(fig, "ridge-line")
    (ax,) = fig.axes
    # Which metric a ridge draws: the label on the axis at its baseline (the top ridge first).
    by_label = {metric_label(c, math=True): c for c in shown}
    labels = {
        round(y): t.get_text() for y, t in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
    }
    assert sorted(labels) == list(range(len(ridges)))
    assert {by_label[text] for text in labels.values()} == varying
    layers = final["layer"].to_numpy(dtype=float)
    for i, ridge in enumerate(ridges):
        base = len(ridges) - 1 - i
        values = final[by_label[labels[base]]].to_numpy(dtype=float)
        relative = (values - values.min()) / (values.max() - values.min())  # 0 lowest, 1 highest
        at_layers = np.interp(layers, ridge.get_xdata(), ridge.get_ydata())  # type: ignore[attr-defined]
        np.testing.assert_allclose(
            at_layers, base + metric_landscape.RIDGE_HEIGHT * relative, atol=1e-9
        )
    assert "not drawn: Dead, Alive frac" in metric_landscape.describe(ctx)
    assert len(metric_landscape.interactive(ctx).data) == 2 * len(varying)
    assert get_rendering("SAE_Metric_Landscape").id == "metric-landscape"


@pytest.mark.parametrize(("trial", "theme"), [("C", "presentation"), ("A", "paper")])
def test_every_ridge_stays_in_its_own_band(
    draw_rendering: DrawRendering, trial: str, theme: str
) -> None:
    # The band of the ridge at baseline b is [b, b + 1): up to the next baseline. A ridge that
    # left it drew over its upper neighbour (L0's ridge looked broken at the last layer of C).
    _, fig = draw_rendering(metric_landscape, trial=trial, theme=theme)
    ridges = artists_with_gid(fig, "ridge-line")
    fills = artists_with_gid(fig, "ridge-fill")
    assert len(ridges) == len(fills) > 1
    for i, (ridge, fill) in enumerate(zip(ridges, fills, strict=True)):
        base = len(ridges) - 1 - i
        ys = np.asarray(ridge.get_ydata())  # type: ignore[attr-defined]
        assert ys.min() >= base and ys.max() < base + 1, (i, ys.min() - base, ys.max() - base)
        _, _, bottom, top = fill.get_extent()  # type: ignore[attr-defined]
        assert base <= bottom and top < base + 1
    # The tallest point of each ridge is its metric's highest layer, drawn at full ridge height.
    top_of_first = np.asarray(ridges[0].get_ydata()).max()  # type: ignore[attr-defined]
    assert top_of_first == pytest.approx(len(ridges) - 1 + metric_landscape.RIDGE_HEIGHT)


def test_thirty_one_ridges_keep_their_names_apart_and_the_title_on_a_social_card(
    stress_runs: Path,
) -> None:
    ctx = render_context(stress_runs, trial=DRAWN, theme="social")
    fig = drawn(ctx, metric_landscape)
    renderer = laid_out(fig)
    assert list(overlapping_labels(fig, renderer)) == []
    title = fig.get_suptitle()
    assert title.replace("\n", " ") == f"Trial {DRAWN}: metric landscape through depth"
    box = fig._suptitle.get_window_extent(renderer)  # type: ignore[attr-defined]
    assert box.x0 >= 0 and box.x1 <= fig.bbox.x1
