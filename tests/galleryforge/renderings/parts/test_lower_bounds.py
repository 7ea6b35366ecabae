"""parts.lower_bounds: a censored value's arrow points on along its axis; a hollow legend entry."""

from __future__ import annotations

import pytest

from galleryforge.renderings.parts.lower_bounds import lower_bound_arrow, lower_bound_handle
from tests.contexts import BuildRenderContext
from tests.figures import artists_with_gid


@pytest.mark.parametrize(("along", "tip"), [("x", (170.0, 2.0)), ("y", (100.0, 3.2))])
def test_the_arrow_points_on_from_the_value(
    build_render_context: BuildRenderContext, along: str, tip: tuple[float, float]
) -> None:
    ctx = build_render_context()
    fig, ax = ctx.figure()
    lower_bound_arrow(ax, 100.0, 2.0, "red", along=along)
    (arrow,) = artists_with_gid(fig, "lower-bound-arrow")
    assert arrow.xy == pytest.approx(tip)  # type: ignore[attr-defined]
    tail = (110.0, 2.0) if along == "x" else (100.0, 2.16)
    assert arrow.xyann == pytest.approx(tail)  # type: ignore[attr-defined]


def test_the_legend_entry_is_hollow_and_muted(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context()
    handle = lower_bound_handle(ctx, "D", "censored (lower bound)")
    assert handle.get_marker() == "D" and handle.get_markerfacecolor() == "none"
    assert handle.get_color() == ctx.theme.colors.muted
    assert handle.get_label() == "censored (lower bound)" and handle.get_linestyle() == "None"
