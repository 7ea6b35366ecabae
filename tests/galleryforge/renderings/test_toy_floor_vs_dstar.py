"""toy-floor-vs-dstar (fig8): transition width vs d*_S per read-out, y = x, fitted y = c·x."""

from __future__ import annotations

import numpy as np
import pytest

from galleryforge.renderings import toy_floor_vs_dstar
from tests.contexts import BuildRenderContext, DrawRendering
from tests.factories import TOY_CONSTANTS
from tests.figures import artists_with_gid


def test_points_bounds_identity_and_fitted_lines(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(toy_floor_vs_dstar, trial="toy")
    summary = ctx.toy_tables.summary

    def offsets(gid: str) -> list[tuple[float, float]]:
        found = [c.get_offsets() for c in artists_with_gid(fig, gid)]  # type: ignore[attr-defined]
        return sorted(map(tuple, np.concatenate(found).round(9))) if found else []

    def expected(censored: int) -> list[tuple[float, float]]:
        rows = summary[summary["censored"] == censored]
        pairs = np.column_stack([rows["d_star"], rows["transition_width"]])
        return sorted(map(tuple, pairs.round(9)))

    assert offsets("toy-point") == expected(0)
    assert offsets("lower-bound") == expected(1) and expected(1)  # the factory censors some
    for collection in artists_with_gid(fig, "lower-bound"):
        assert (collection.get_facecolor()[:, 3] == 0).all()  # type: ignore[attr-defined]  # hollow
    assert len(artists_with_gid(fig, "lower-bound-arrow")) == len(expected(1))
    (line,) = artists_with_gid(fig, "identity-line")
    np.testing.assert_array_equal(line.get_xdata(), line.get_ydata())  # type: ignore[attr-defined]
    # Each fitted line is y = c·x with the factory's c for that read-out.
    slopes = sorted(
        float(np.mean(f.get_ydata() / f.get_xdata()))  # type: ignore[attr-defined]
        for f in artists_with_gid(fig, "fit-line")
    )
    assert slopes == pytest.approx(sorted(TOY_CONSTANTS.values()))
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"


def test_read_outs_differ_in_colour_and_marker_in_every_theme(
    draw_rendering: DrawRendering,
) -> None:
    for theme in ("paper", "dark", "social"):
        _, fig = draw_rendering(toy_floor_vs_dstar, trial="toy", theme=theme)
        points = artists_with_gid(fig, "toy-point")
        colours = {tuple(p.get_facecolor()[0].round(3)) for p in points}  # type: ignore[attr-defined]
        paths = {p.get_paths()[0].vertices.tobytes() for p in points}  # type: ignore[attr-defined]
        assert len(colours) == len(paths) == 3, theme


def test_alt_text_and_interactive(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="toy")
    censored = int(ctx.toy_tables.summary["censored"].sum())
    assert f"{censored} points are censored" in toy_floor_vs_dstar.describe(ctx)
    fig = toy_floor_vs_dstar.interactive(ctx)
    names = [trace.name for trace in fig.data]
    assert "y = x" in names and "tied (censored: lower bound)" in names
    assert {f"{d}: y = {c:.2f} x" for d, c in TOY_CONSTANTS.items()} <= set(names)
