"""toy-loss-floor (fig1): normalised loss vs width per read-out and k; ε, d*_S, δ, transitions."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from matplotlib.text import Text

from galleryforge import kd
from galleryforge.renderings import toy_loss_floor
from tests.contexts import BuildRenderContext, DrawRendering, drawn, render_context
from tests.figures import artists_with_gid, inside_canvas, laid_out, overlapping_texts


def test_curves_are_the_seed_mean_normalised_losses(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(toy_loss_floor, trial="toy")
    sweep, summary = ctx.toy_tables.sweep, ctx.toy_tables.summary
    assert len(artists_with_gid(fig, "toy-curve")) == len(summary)
    row = summary[(summary["decoder"] == "lp") & (summary["features"] == 64)].iloc[0]
    (panel,) = [ax for ax in fig.axes if ax.get_title(loc="left") == f"lp, k = {row['k']:g}"]
    drawn = {tuple(c.get_xdata()): c.get_ydata() for c in artists_with_gid(panel, "toy-curve")}  # type: ignore[attr-defined,arg-type]
    cell = sweep[
        (sweep["decoder"] == "lp") & (sweep["alpha"] == row["alpha"]) & (sweep["features"] == 64)
    ]
    mean = cell.groupby("width")["normalised_loss"].mean()
    floor = row["epsilon"] / toy_loss_floor.DEPTH
    np.testing.assert_allclose(drawn[tuple(mean.index.astype(float))], np.maximum(mean, floor))
    assert len(artists_with_gid(fig, "epsilon-line")) == len(fig.axes)  # one per panel
    for line in artists_with_gid(fig, "epsilon-line"):
        assert set(line.get_ydata()) == {row["epsilon"]}  # type: ignore[attr-defined]


def test_transitions_at_epsilon_and_grid_edge_cells_hollow(draw_rendering: DrawRendering) -> None:
    ctx, fig = draw_rendering(toy_loss_floor, trial="toy")
    summary = ctx.toy_tables.summary
    marks = artists_with_gid(fig, "transition")
    measured = summary[summary["censored"] == 0]
    xs = sorted(float(m.get_xdata()[0]) for m in marks)  # type: ignore[attr-defined]
    np.testing.assert_allclose(xs, sorted(measured["transition_width"]))
    assert {float(m.get_ydata()[0]) for m in marks} == {0.01}  # type: ignore[attr-defined]
    bounds = artists_with_gid(fig, "lower-bound")
    censored = summary[summary["censored"] == 1]
    assert len(censored) > 0  # the factory puts the tied transition beyond F/2 at k = 8
    # A censored cell: drawn hollow at the widest width, with an arrow pointing right.
    np.testing.assert_allclose(
        sorted(float(b.get_xdata()[0]) for b in bounds),  # type: ignore[attr-defined]
        sorted(censored["widest_width"].astype(float)),
    )
    assert {b.get_markerfacecolor() for b in bounds} == {"none"}  # type: ignore[attr-defined]
    assert len(artists_with_gid(fig, "lower-bound-arrow")) == len(censored)
    d_star = sorted(float(m.get_xdata()[0]) for m in artists_with_gid(fig, "d-star"))  # type: ignore[attr-defined]
    np.testing.assert_allclose(d_star, sorted(summary["d_star"]))
    deltas = sorted(float(m.get_xdata()[0]) for m in artists_with_gid(fig, "delta-mark"))  # type: ignore[attr-defined]
    expected = [float(kd.toy_delta(r.k, r.features)) for r in summary.itertuples()]
    np.testing.assert_allclose(deltas, sorted(expected))


def test_alt_text_and_interactive(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="toy")
    summary = ctx.toy_tables.summary
    text = toy_loss_floor.describe(ctx)
    assert "epsilon = 0.01" in text and f"{int(summary['censored'].sum())} censored" in text
    fig = toy_loss_floor.interactive(ctx)
    assert sum(1 for t in fig.data if t.mode == "lines") == len(summary)


def test_sixteen_panels_keep_their_titles_and_one_loss_label_on_a_social_card(
    stress_runs: Path,
) -> None:
    ctx = render_context(stress_runs, trial="toy", theme="social")
    fig = drawn(ctx, toy_loss_floor)
    renderer = laid_out(fig)
    texts = [t for t in fig.findobj(Text) if t.get_visible()]
    titles = [t for t in texts if re.fullmatch(r"\S+, k = \d+", t.get_text())]  # type: ignore[attr-defined]
    assert len(titles) == 16  # four read-outs by four k
    assert overlapping_texts(titles, renderer) == []  # type: ignore[arg-type]
    assert all(inside_canvas(fig, t, renderer) for t in titles)  # type: ignore[arg-type]
    # One label for the rows of panels: a label per row overlapped on short rows.
    assert [t.get_text() for t in texts].count("Normalised loss") == 1  # type: ignore[attr-defined]
