"""width-sweep: every member's final MSE, L0 and d*_S drawn at its width; knees where computed."""

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
from tests.factories import family_mse
from tests.figures import artists_with_gid

WIDTHS = [128, 256, 512, 1024, 2048]  # write_family's defaults: knee at 512, layer 2 still falling


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
    for gid, column in (("mse-line", "mse"), ("l0-line", "l0"), ("d-star", "d_star")):
        lines = artists_with_gid(fig, gid)
        assert len(lines) == 3
        for layer, line in enumerate(lines):
            np.testing.assert_array_equal(line.get_xdata(), WIDTHS)  # type: ignore[attr-defined]
            expected = _member_values(family_runs, column, layer)
            np.testing.assert_allclose(line.get_ydata(), expected)  # type: ignore[attr-defined]
    # By construction (tests/factories.py): layers 0 and 1 are flat from 512 on; layer 2 loses 20%
    # per doubling up to the widest width, so its knee lies beyond 2,048 (a hollow marker).
    knees = artists_with_gid(fig, "knee")
    assert [k.get_xdata()[0] for k in knees] == [512, 512, 2048]  # type: ignore[attr-defined]
    assert [k.get_ydata()[0] for k in knees] == pytest.approx(  # type: ignore[attr-defined]
        [
            family_mse(0, 512, 512, False),
            family_mse(1, 512, 512, False),
            family_mse(2, 2048, 0, True),
        ]
    )
    assert knees[2].get_markerfacecolor() == "none"  # type: ignore[attr-defined]
    assert knees[0].get_markerfacecolor() != "none"  # type: ignore[attr-defined]
    assert [v.get_xdata()[0] for v in artists_with_gid(fig, "this-width")] == [512, 512]  # type: ignore[attr-defined]
    stars = [m.get_xdata()[0] for m in artists_with_gid(fig, "trial-d-star")]  # type: ignore[attr-defined]
    assert stars == pytest.approx([_member_values(family_runs, "d_star", k)[2] for k in range(3)])
    # The title's median is over the layers whose knee was found (0 and 1), as in the alt text.
    (note,) = artists_with_gid(fig, "knee-note")
    found = [512 / _member_values(family_runs, "d_star", k)[2] for k in (0, 1)]
    assert f"median {np.median(found):.1f}×" in note.get_text()  # type: ignore[attr-defined]


def test_finding_states_the_knee_against_this_trials_d_star(family_runs: Path) -> None:
    ctx = render_context(family_runs, trial="W-F1024")
    d_star = (
        _member_values(family_runs, "d_star", 0)[3],
        _member_values(family_runs, "d_star", 1)[3],
    )
    low, high = sorted(512 / d for d in d_star)
    bound = 2048 / _member_values(family_runs, "d_star", 2)[3]
    finding = width_sweep.finding(ctx)
    assert f"in 2 of 3 layers at F = 512, {low:.1f}–{high:.1f}× trial W-F1024's d*_S" in finding
    assert "in 1 of 3 layers beyond the widest width F = 2,048" in finding
    assert f"at least {bound:.1f}× trial W-F1024's d*_S (a lower bound)" in finding
    assert "less than 5% per doubling" in finding


def test_interactive_traces_hold_the_members_values(family_runs: Path) -> None:
    fig = width_sweep.interactive(render_context(family_runs, trial="W-F256", theme="dark"))
    for layer in range(3):
        (trace,) = [t for t in fig.data if t.name == f"layer {layer}"]
        assert list(trace.x) == WIDTHS
        np.testing.assert_allclose(trace.y, _member_values(family_runs, "mse", layer))


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
        assert "in 1 of 3 layers beyond the widest width F = 2,048" in entry["finding"]
