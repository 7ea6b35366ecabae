"""width-sweep: every member's final MSE (seed means and ranges), L0 and d*_S drawn at its width;
the fitted curve and knee against planted curves; the declared d*_S."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from galleryforge.cli.main import main
from galleryforge.gallery.build import plan_gallery
from galleryforge.gallery.request import GalleryRequest
from galleryforge.renderings import width_sweep
from galleryforge.tables import load_trial_tables
from galleryforge.themes.mpl import theme_style
from tests.contexts import render_context
from tests.factories import FAMILY_KNEE, family_mse, write_family
from tests.figures import artists_with_gid

WIDTHS = [128, 256, 512, 1024, 2048]  # write_family's defaults: knee at 1,000, layer 2 falling


def _member_values(runs: Path, column: str, layer: int) -> list[float]:
    """``column`` of ``layer`` at each member's final checkpoint, read from its own table."""
    values = []
    for width in WIDTHS:
        final = load_trial_tables(runs / f"W-F{width}").final
        values.append(float(final.loc[final["layer"] == layer, column].iloc[0]))
    return values


def test_context_finds_the_members_narrowest_first(family_runs: Path) -> None:
    ctx = render_context(family_runs, trial="W-F1024")
    assert [t.trial for t in ctx.family] == [f"W-F{w}" for w in WIDTHS]
    assert render_context(family_runs, trial="A").family == ()


def test_drawn_values_are_the_members_tables(family_runs: Path) -> None:
    ctx = render_context(family_runs, trial="W-F512")
    with theme_style(ctx.theme):
        fig = width_sweep.draw(ctx)
    for gid, column in (("mse-mean", "mse"), ("l0-line", "l0"), ("d-star", "d_star")):
        lines = artists_with_gid(fig, gid)
        assert len(lines) == 3
        for layer, line in enumerate(lines):
            np.testing.assert_array_equal(line.get_xdata(), WIDTHS)  # type: ignore[attr-defined]
            expected = _member_values(family_runs, column, layer)
            np.testing.assert_allclose(line.get_ydata(), expected)  # type: ignore[attr-defined]
    assert artists_with_gid(fig, "seed-range") == []  # one seed a width: no range to draw
    # Planted (tests/factories.py): layers 0 and 1 follow s·(F^-1 + 0.02), whose excess is 5% of
    # the floor at F = 1,000; layer 2 falls as F^-0.3 and never flattens: a hollow star at 2,048.
    knees = artists_with_gid(fig, "knee")
    xs = [k.get_xdata()[0] for k in knees]  # type: ignore[attr-defined]
    assert xs == pytest.approx([FAMILY_KNEE, FAMILY_KNEE, 2048], rel=1e-2)
    assert knees[0].get_ydata()[0] == pytest.approx(1.05 * 0.02, rel=1e-2)  # type: ignore[attr-defined]
    assert knees[2].get_markerfacecolor() == "none"  # type: ignore[attr-defined]
    assert knees[0].get_markerfacecolor() != "none"  # type: ignore[attr-defined]
    fits = artists_with_gid(fig, "fit-line")
    x, y = fits[1].get_xdata(), fits[1].get_ydata()  # type: ignore[attr-defined]
    np.testing.assert_allclose(y, [family_mse(1, w, False) for w in x], rtol=1e-3)
    assert [v.get_xdata()[0] for v in artists_with_gid(fig, "this-width")] == [512, 512]  # type: ignore[attr-defined]
    # No prediction declared (a family from before the protocol): the drawn trial's d*_S.
    stars = [m.get_xdata()[0] for m in artists_with_gid(fig, "declared-d-star")]  # type: ignore[attr-defined]
    assert stars == pytest.approx([_member_values(family_runs, "d_star", k)[2] for k in range(3)])
    (note,) = artists_with_gid(fig, "knee-note")
    found = [1000 / _member_values(family_runs, "d_star", k)[2] for k in (0, 1)]
    assert f"median {np.median(found):.1f}×" in note.get_text()  # type: ignore[attr-defined]


def test_seed_ranges_and_the_declared_prediction(tmp_path: Path) -> None:
    config = 'architecture = "topk"\nk = 16\npredict_width = 512'
    write_family(tmp_path, seeds=(0, 1, 2), noise=0.02, config=config)
    ctx = render_context(tmp_path, trial="W-F256-s1")
    with theme_style(ctx.theme):
        fig = width_sweep.draw(ctx)
    ranges = artists_with_gid(fig, "seed-range")
    assert len(ranges) == 3
    segments = ranges[0].get_segments()  # type: ignore[attr-defined]
    by_hand = [family_mse(0, 128, False, seed, 0.02) for seed in (0, 1, 2)]
    assert segments[0][:, 1] == pytest.approx([min(by_hand), max(by_hand)])
    stars = [m.get_xdata()[0] for m in artists_with_gid(fig, "declared-d-star")]  # type: ignore[attr-defined]
    assert stars == pytest.approx([16 * np.log(512 / 16)] * 3)
    assert len(artists_with_gid(fig, "knee-interval")) == 2  # layer 2 has no knee to bound
    assert "declared d*_S = L0·ln(F/L0) = 55" in width_sweep.finding(ctx)


def test_finding_states_the_fitted_knee_against_d_star(family_runs: Path) -> None:
    ctx = render_context(family_runs, trial="W-F1024")
    d_star = [_member_values(family_runs, "d_star", k)[3] for k in range(3)]
    finding = width_sweep.finding(ctx)
    assert "no prediction declared" in finding
    assert f"layer 0 F ≈ 1,000 (no interval: one seed), {1000 / d_star[0]:.1f}× d*_S" in finding
    assert f"layer 2 beyond F = 2,048 (a lower bound), ≥ {2048 / d_star[2]:.1f}× d*_S" in finding


def test_interactive_traces_hold_the_members_values(family_runs: Path) -> None:
    fig = width_sweep.interactive(render_context(family_runs, trial="W-F256", theme="dark"))
    for layer in range(3):
        (trace,) = [t for t in fig.data if t.name == f"layer {layer}"]
        assert list(trace.x) == WIDTHS
        np.testing.assert_allclose(trace.y, _member_values(family_runs, "mse", layer))
    knees = [t for t in fig.data if "knee" in (t.hovertemplate or "")]
    assert [t.x[0] for t in knees] == pytest.approx([FAMILY_KNEE, FAMILY_KNEE, 2048], rel=1e-2)


def test_only_family_members_get_it(family_runs: Path, tmp_path: Path) -> None:
    request = GalleryRequest(
        runs=family_runs,
        out=tmp_path,
        trials=("all",),
        themes=("paper",),
        renderings=("width-sweep",),
        formats=("png",),
    )
    plan = plan_gallery(request)
    assert sorted(job.trial for job in plan.jobs) == sorted(f"W-F{w}" for w in WIDTHS)
    (skipped,) = [s for s in plan.skipped if s.trial == "A"]
    assert "width family" in skipped.reason


def test_render_command_draws_both_family_figures(family_runs: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    args = ["render", "--runs", str(family_runs), "--out", str(out), "--trial", "W-F512", "-q"]
    args += ["-r", "width-sweep", "-r", "predicted-loss-floor", "--format", "png,html"]
    assert main(args) == 0
    files = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    drawn = {(f["rendering"], f["format"]) for f in files}
    assert drawn == {
        (r, fmt) for r in ("width-sweep", "predicted-loss-floor") for fmt in ("png", "html")
    }
    for entry in files:  # the finding travels with every file of both figures
        assert "layer 2" in entry["finding"] and "F = 2,048" in entry["finding"]
