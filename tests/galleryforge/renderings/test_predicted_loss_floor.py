"""predicted-loss-floor: the KD prediction is a floor flat from d*_S on, nothing assumed below it;
with a width family, at the declared d*_S on the fitted curve, drawn with the measured points."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from galleryforge.renderings import predicted_loss_floor
from galleryforge.tables import load_trial_tables
from galleryforge.themes.mpl import theme_style
from tests.contexts import BuildRenderContext, render_context
from tests.factories import family_mse, write_family
from tests.figures import artists_with_gid

WIDTHS = [128, 256, 512, 1024, 2048]


def test_without_a_family_the_floor_is_the_measured_mse_from_d_star_on(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context(trial="B")
    with theme_style(ctx.theme):
        fig = predicted_loss_floor.draw(ctx)
    final = ctx.trial.final
    markers = artists_with_gid(fig, "d-star")
    np.testing.assert_allclose([m.get_xdata()[0] for m in markers], final["d_star"])  # type: ignore[attr-defined]
    np.testing.assert_allclose([m.get_ydata()[0] for m in markers], final["mse"])  # type: ignore[attr-defined]
    floors = artists_with_gid(fig, "predicted-floor")
    assert len(floors) == ctx.trial.n_layers
    for line, star, mse in zip(floors, final["d_star"], final["mse"], strict=True):
        xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())  # type: ignore[attr-defined]
        assert xs.min() == pytest.approx(star)  # nothing drawn to the left of d*_S
        np.testing.assert_allclose(ys, mse)
    (trained,) = artists_with_gid(fig, "trained-width")
    assert trained.get_xdata()[0] == final["width"].max()  # type: ignore[attr-defined]
    (note,) = artists_with_gid(fig, "shape-note")
    assert "no shape assumed" in note.get_text()  # type: ignore[attr-defined]
    assert "toy" not in note.get_text()  # type: ignore[attr-defined]


def test_without_a_family_the_flat_part_is_called_an_assumption(runs_dir: Path) -> None:
    ctx = render_context(runs_dir, trial="B")
    assert "flat part is an assumption, not a measurement" in predicted_loss_floor.describe(ctx)
    assert predicted_loss_floor.finding(ctx) is None  # nothing measured, so no finding
    with theme_style(ctx.theme):
        assert artists_with_gid(predicted_loss_floor.draw(ctx), "measured") == []
    assert predicted_loss_floor.interactive(ctx).data


def test_a_family_is_drawn_against_the_floor_from_the_declared_d_star(tmp_path: Path) -> None:
    config = 'architecture = "topk"\nk = 16\npredict_width = 512'
    write_family(tmp_path, config=config)
    ctx = render_context(tmp_path, trial="W-F1024")
    with theme_style(ctx.theme):
        fig = predicted_loss_floor.draw(ctx)
    measured = artists_with_gid(fig, "measured")
    assert len(measured) == 3
    for layer, line in enumerate(measured):
        expected = []
        for width in WIDTHS:  # each member's own table, final checkpoint
            final = load_trial_tables(tmp_path / f"W-F{width}").final
            expected.append(float(final.loc[final["layer"] == layer, "mse"].iloc[0]))
        np.testing.assert_array_equal(line.get_xdata(), WIDTHS)  # type: ignore[attr-defined]
        np.testing.assert_allclose(line.get_ydata(), expected)  # type: ignore[attr-defined]
    # The floor starts at the declared d*_S = 16 ln(512/16) on the planted curve's value there.
    star = 16 * math.log(32)
    markers = artists_with_gid(fig, "d-star")
    np.testing.assert_allclose([m.get_xdata()[0] for m in markers], [star] * 3)  # type: ignore[attr-defined]
    np.testing.assert_allclose(
        [m.get_ydata()[0] for m in markers],  # type: ignore[attr-defined]
        [family_mse(layer, star, layer == 2) for layer in range(3)],  # type: ignore[arg-type]
        rtol=1e-3,
    )
    finding = predicted_loss_floor.finding(ctx) or ""
    # Planted knees at 1,000 (layers 0, 1) and none (layer 2), all far beyond d*_S = 55.
    assert "3 of 3 layers flatten later" in finding
    assert "declared d*_S = L0·ln(F/L0) = 55 (target L0 16, F = 512)" in finding
    (note,) = artists_with_gid(fig, "shape-note")
    assert "fitted knee (1 of 3 layers beyond the widest width)" in note.get_text()  # type: ignore[attr-defined]
    traces = predicted_loss_floor.interactive(ctx).data
    assert [list(t.x) for t in traces if "measured" in t.hovertemplate] == [WIDTHS] * 3


@pytest.mark.parametrize("theme", ["paper", "social", "blog", "presentation", "dark"])
def test_a_family_member_stays_legible_under_every_theme(tmp_path: Path, theme: str) -> None:
    """The demo's `check --figures` found the family's y label past the canvas (a one-line key of
    66 characters) and its long knee note past the right edge under social."""
    from galleryforge.gallery.layout import check_layout

    config = 'architecture = "topk"\nk = 32\npredict_width = 1024'
    write_family(tmp_path, config=config)
    ctx = render_context(tmp_path, trial="W-F1024", theme=theme)
    with theme_style(ctx.theme):
        fig = predicted_loss_floor.draw(ctx)
        findings = check_layout(fig, rendering="predicted-loss-floor", theme=theme)
    assert [str(finding) for finding in findings] == []
