"""predicted-loss-floor: reaches each layer's MSE at d*_S and stays there; the shape is stated."""

from __future__ import annotations

import dataclasses

import numpy as np

from galleryforge import kd
from galleryforge.renderings import predicted_loss_floor
from galleryforge.renderings.context import RenderContext
from galleryforge.themes.mpl import theme_style
from tests.contexts import BuildRenderContext
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
