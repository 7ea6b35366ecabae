"""predicted-loss-floor: reaches each layer's MSE at d*_S and stays there; the shape is stated."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from galleryforge import kd
from galleryforge.renderings import predicted_loss_floor
from galleryforge.renderings.context import RenderContext
from galleryforge.tables import load_trial_tables
from galleryforge.themes.mpl import theme_style
from tests.contexts import BuildRenderContext, render_context
from tests.figures import artists_with_gid


def _with_tied_power_law(ctx: RenderContext, exponent: float) -> RenderContext:
    """The context with a toy run whose tied curves are exactly loss ∝ (d*_S / d_S)^exponent."""
    toy = ctx.toy_tables
    sweep = toy.sweep.copy()
    star = kd.toy_d_star(sweep["alpha"], sweep["features"])
    tied = sweep["decoder"] == "tied"
    sweep.loc[tied, "loss"] = 0.01 * (star[tied] / sweep.loc[tied, "width"]) ** exponent
    return dataclasses.replace(ctx, toy=dataclasses.replace(toy, sweep=sweep))


def test_curves_meet_the_measured_mse_at_d_star(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="B")
    with theme_style(ctx.theme):
        fig = predicted_loss_floor.draw(ctx)
    final = ctx.trial.final
    markers = artists_with_gid(fig, "d-star")
    np.testing.assert_allclose([m.get_xdata()[0] for m in markers], final["d_star"])  # type: ignore[attr-defined]
    np.testing.assert_allclose([m.get_ydata()[0] for m in markers], final["mse"])  # type: ignore[attr-defined]
    lines = artists_with_gid(fig, "layer-line")
    assert len(lines) == ctx.trial.n_layers
    for line, star, mse in zip(lines, final["d_star"], final["mse"], strict=True):
        xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())  # type: ignore[attr-defined]
        np.testing.assert_allclose(ys[xs >= star], mse)
        assert (ys[xs < star] > mse).all()
    (trained,) = artists_with_gid(fig, "trained-width")
    assert trained.get_xdata()[0] == final["width"].max()  # type: ignore[attr-defined]


def test_shape_is_fitted_to_the_toy_run_and_stated(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = _with_tied_power_law(build_render_context(trial="A"), 0.7)
    exponent, source = predicted_loss_floor.shape_exponent(ctx)
    assert source == "toy-fitted" and np.isclose(exponent, 0.7)
    with theme_style(ctx.theme):
        fig = predicted_loss_floor.draw(ctx)
    (note,) = artists_with_gid(fig, "shape-note")
    assert f"{exponent:.2f}" in note.get_text() and "toy" in note.get_text()  # type: ignore[attr-defined]
    line = artists_with_gid(fig, "layer-line")[0]
    star, mse = ctx.trial.final["d_star"][0], ctx.trial.final["mse"][0]
    xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())  # type: ignore[attr-defined]
    np.testing.assert_allclose(ys[0], mse * (xs[0] / star) ** -exponent)
    assert f"{exponent:.2f}" in predicted_loss_floor.describe(ctx)


def test_default_shape_without_a_toy_run(build_render_context: BuildRenderContext) -> None:
    ctx = dataclasses.replace(build_render_context(trial="A"), toy=None)
    assert predicted_loss_floor.shape_exponent(ctx) == (1.0, "default")
    alt = predicted_loss_floor.describe(ctx)
    assert "trial A" in alt and "1.00" in alt and "default" in alt
    assert predicted_loss_floor.interactive(ctx).data


def test_without_a_family_the_flat_part_is_called_an_assumption(runs_dir: Path) -> None:
    ctx = render_context(runs_dir, trial="B")
    assert "flat part is an assumption, not a measurement" in predicted_loss_floor.describe(ctx)
    assert predicted_loss_floor.finding(ctx) is None  # nothing measured, so no finding
    with theme_style(ctx.theme):
        assert artists_with_gid(predicted_loss_floor.draw(ctx), "measured") == []


def test_a_family_members_measured_mse_is_drawn_over_the_prediction(family_runs: Path) -> None:
    ctx = render_context(family_runs, trial="W-F1024")
    with theme_style(ctx.theme):
        fig = predicted_loss_floor.draw(ctx)
    widths = [128, 256, 512, 1024, 2048]
    lines = artists_with_gid(fig, "measured")
    assert len(lines) == 3
    for layer, line in enumerate(lines):
        expected = []
        for width in widths:  # each member's own table, final checkpoint
            final = load_trial_tables(family_runs / f"W-F{width}").final
            expected.append(float(final.loc[final["layer"] == layer, "mse"].iloc[0]))
        np.testing.assert_array_equal(line.get_xdata(), widths)  # type: ignore[attr-defined]
        np.testing.assert_allclose(line.get_ydata(), expected)  # type: ignore[attr-defined]
    # d*_S stays the drawn trial's own, and the text gives the knee against it.
    markers = artists_with_gid(fig, "d-star")
    np.testing.assert_allclose([m.get_xdata()[0] for m in markers], ctx.trial.final["d_star"])  # type: ignore[attr-defined]
    (note,) = artists_with_gid(fig, "shape-note")
    assert "knee (1 of 3 layers beyond the widest width)" in note.get_text()  # type: ignore[attr-defined]
    assert "F = 128, 256, 512, 1,024, 2,048" in predicted_loss_floor.describe(ctx)
    assert "in 2 of 3 layers at F = 512" in (predicted_loss_floor.finding(ctx) or "")
    traces = [
        t for t in predicted_loss_floor.interactive(ctx).data if "measured" in t.hovertemplate
    ]
    assert [list(t.x) for t in traces] == [widths] * 3
