"""toy-floor-vs-dstar (fig8): measured floor width vs predicted d*_S, with y = x."""

from __future__ import annotations

import numpy as np

from galleryforge import kd
from galleryforge.renderings import toy_floor_vs_dstar
from galleryforge.renderings.registry import REGISTRY
from galleryforge.themes.mpl import theme_style
from tests.contexts import BuildRenderContext
from tests.figures import artists_with_gid


def test_registered_as_fig8() -> None:
    assert REGISTRY["toy-floor-vs-dstar"].aliases == ("fig8",)


def test_a_point_per_setting_and_an_identity_line_spanning_them(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context(trial="toy")
    summary = ctx.toy_tables.summary
    with theme_style(ctx.theme):
        fig = toy_floor_vs_dstar.draw(ctx)
    offsets = np.concatenate([c.get_offsets() for c in artists_with_gid(fig, "toy-point")])  # type: ignore[attr-defined]
    expected = np.column_stack(
        [kd.toy_d_star(summary["alpha"], summary["features"]), summary["floor_width"]]
    )
    assert sorted(map(tuple, offsets.round(9))) == sorted(map(tuple, expected.round(9)))
    (line,) = artists_with_gid(fig, "identity-line")
    xs, ys = line.get_xdata(), line.get_ydata()  # type: ignore[attr-defined]
    np.testing.assert_array_equal(xs, ys)
    assert min(xs) <= offsets.min() and max(xs) >= offsets.max()
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_xlim() == ax.get_ylim()


def test_alt_text_and_interactive(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="toy")
    assert "y = x" in toy_floor_vs_dstar.describe(ctx)
    fig = toy_floor_vs_dstar.interactive(ctx)
    assert len(fig.data) == 1 + ctx.toy_tables.summary["alpha"].nunique()
