"""toy-floor-vs-dstar (fig8): transition width vs d*_S per read-out, y = x, δ(k, F) and each
read-out's fitted power law."""

from __future__ import annotations

import numpy as np

from galleryforge import kd
from galleryforge.renderings import toy_floor_vs_dstar
from tests.contexts import BuildRenderContext, DrawRendering
from tests.factories import TOY_LAWS
from tests.figures import artists_with_gid


def test_points_bounds_identity_delta_and_fitted_laws(draw_rendering: DrawRendering) -> None:
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
    # One cross per cell at (d*_S, δ(k, F)), δ computed here from k and F.
    cells = summary.drop_duplicates(["k", "features"])
    deltas = [float(kd.toy_delta(k, f)) for k, f in zip(cells["k"], cells["features"], strict=True)]
    assert offsets("delta-mark") == sorted(
        map(tuple, np.column_stack([cells["d_star"], deltas]).round(9))
    )
    # Each fitted line is y = e^a · x^b with the factory's (a, b) for that read-out.
    drawn = []
    for fit_line in artists_with_gid(fig, "fit-line"):
        x, y = np.log(fit_line.get_xdata()), np.log(fit_line.get_ydata())  # type: ignore[attr-defined]
        b = (y[1] - y[0]) / (x[1] - x[0])
        drawn.append((round(float(y[0] - b * x[0]), 6), round(float(b), 6)))
    np.testing.assert_allclose(sorted(drawn), sorted(TOY_LAWS.values()), atol=1e-6)
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
        assert len(colours) == len(paths) == 4, theme


def test_alt_text_and_interactive(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="toy")
    censored = int(ctx.toy_tables.summary["censored"].sum())
    assert f"{censored} points are censored" in toy_floor_vs_dstar.describe(ctx)
    fig = toy_floor_vs_dstar.interactive(ctx)
    names = [trace.name for trace in fig.data]
    assert "y = x" in names and "δ(k, F)" in names and "tied (censored: lower bound)" in names
    assert {f"{d}: y = e^{a:.2f} x^{b:.2f}" for d, (a, b) in TOY_LAWS.items()} <= set(names)
