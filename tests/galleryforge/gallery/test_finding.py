"""A rendering's finding: computed from the tables when the figure is drawn, kept in the manifest
beside the alt text, and handed to the site's figure views."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from galleryforge.gallery.inputs import RenderInputs
from galleryforge.gallery.jobs import run_job
from galleryforge.gallery.manifest import read_manifest, write_manifest
from galleryforge.gallery.request import Job
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.registry import REGISTRY, get_rendering
from galleryforge.site.figures import GalleryIndex, _fill
from galleryforge.site.notes import FigureNote
from galleryforge.site.views import figure_view
from galleryforge.tables import load_trial_tables


def _sentence(ctx: RenderContext) -> str:
    return f"{ctx.trial.trial}: mean L0 {ctx.trial.kd.l0:.1f} over {ctx.trial.n_layers} layers"


def test_finding_reaches_manifest_and_figure_view(
    runs_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendering = get_rendering("kpi-summary")
    monkeypatch.setitem(REGISTRY, rendering.id, dataclasses.replace(rendering, finding=_sentence))
    job = Job(runs_dir, tmp_path, "B", "paper", rendering.id, ("png",))
    entries = run_job(job, RenderInputs(runs_dir)).entries
    trial = load_trial_tables(runs_dir / "B")
    expected = (
        f"B: mean L0 {trial.final['l0'].mean():.1f} over {trial.final['layer'].nunique()} layers"
    )
    assert [e.finding for e in entries] == [expected]

    write_manifest(tmp_path, entries)
    assert read_manifest(tmp_path)[0]["finding"] == expected
    index = GalleryIndex(root=tmp_path)
    _fill(index, entries)
    note = FigureNote(
        rendering=rendering.id,
        section="s",
        caption="c",
        alt="a",
        used_in=(),
        picked=True,
        rationale="r",
    )
    assert figure_view(index.figures[("B", rendering.id)], note).finding == expected


def test_rendering_without_finding_states_none(runs_dir: Path, tmp_path: Path) -> None:
    job = Job(runs_dir, tmp_path, "B", "paper", "premium-heatmap", ("png",))
    assert get_rendering("premium-heatmap").finding is None
    assert [e.finding for e in run_job(job, RenderInputs(runs_dir)).entries] == [None]
