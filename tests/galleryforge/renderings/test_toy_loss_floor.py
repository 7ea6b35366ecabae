"""toy-loss-floor (fig1): a curve per (α, F), d*_S and the measured floor marked on each."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from galleryforge import kd
from galleryforge.renderings import toy_loss_floor
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.registry import REGISTRY
from galleryforge.themes.mpl import theme_style
from tests.contexts import BuildRenderContext
from tests.figures import artists_with_gid


def _draw(ctx: RenderContext) -> Figure:
    with theme_style(ctx.theme):
        return toy_loss_floor.draw(ctx)


def _xs(fig: Figure, gid: str) -> list[float]:
    return sorted(float(line.get_xdata()[0]) for line in artists_with_gid(fig, gid))


def test_registered_as_fig1() -> None:
    spec = REGISTRY["toy-loss-floor"]
    assert spec.scope == "toy" and spec.aliases == ("fig1",)


def test_a_curve_per_setting_with_the_seed_mean(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="toy")
    summary, sweep = ctx.toy_tables.summary, ctx.toy_tables.sweep
    fig = _draw(ctx)
    curves = artists_with_gid(fig, "toy-curve")
    assert len(curves) == len(summary)
    assert len(artists_with_gid(fig, "seed-band")) == len(summary)
    means = sweep.groupby(["alpha", "features", "width"])["loss"].mean()
    drawn = sorted(tuple(np.round(c.get_ydata(), 12)) for c in curves)  # type: ignore[attr-defined]
    expected = sorted(
        tuple(np.round(means.loc[(a, f)].to_numpy(), 12))
        for a, f in zip(summary["alpha"], summary["features"], strict=True)
    )
    assert drawn == expected
    assert sum(ax.get_visible() for ax in fig.axes) == summary["alpha"].nunique()


def test_markers_at_predicted_and_measured_widths(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="toy")
    summary = ctx.toy_tables.summary
    fig = _draw(ctx)
    predicted = sorted(kd.toy_d_star(summary["alpha"], summary["features"]))
    np.testing.assert_allclose(_xs(fig, "d-star"), predicted)
    assert _xs(fig, "measured-floor") == sorted(float(w) for w in summary["floor_width"])


def test_alt_text_and_interactive(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="toy", theme="dark")
    alt = toy_loss_floor.describe(ctx)
    assert "0.99" in alt and "256" in alt and "12 curves" in alt
    assert len(toy_loss_floor.interactive(ctx).data) == 2 * len(ctx.toy_tables.summary)
