"""What a social card says about the run: its model by a name a reader can look up, its scale."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from galleryforge.gallery.inputs import RenderInputs
from galleryforge.gallery.request import Job
from galleryforge.renderings import kpi_summary
from galleryforge.renderings.registry import get_rendering
from galleryforge.social import SIZES, CardRequest, card_style, draw_card
from galleryforge.themes.mpl import theme_style
from tests.factories import write_trial
from tests.study_runs import write_preset_trial


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    runs = tmp_path_factory.mktemp("runs")
    write_preset_trial(runs, "B-small", n_layers=6, d_model=384)
    write_trial(runs, "B", 4)  # tables made elsewhere: no model recorded
    return runs


def _texts(fig: Figure, gid: str) -> list[str]:
    return [t.get_text() for t in fig.texts if t.get_gid() == gid]


def _framed(runs: Path, trial: str, size: str) -> Figure:
    request = CardRequest(runs=runs, trial=trial, rendering="premium-heatmap", size=size)
    inputs = RenderInputs(runs)
    with card_style(inputs.theme("social"), SIZES[size]):
        return draw_card(request, get_rendering("premium-heatmap"), inputs, SIZES[size])


def test_framed_card_names_the_pip_model_by_its_hub_name(runs: Path) -> None:
    square = _framed(runs, "B-small", "square")
    assert _texts(square, "card-headline") == ["Trial B-small · all-MiniLM-L6-v2"]
    # B-small: 6 layers of width 1,024 trained on 184,320 tokens (presets/A-small.toml).
    assert _texts(square, "card-subtitle") == ["6 layers · F = 1,024 · 184k tokens"]
    wide = _framed(runs, "B-small", "og")
    assert _texts(wide, "card-subtitle") == ["all-MiniLM-L6-v2\n6 layers · F = 1,024\n184k tokens"]


def test_card_of_a_run_without_a_model_names_none(runs: Path) -> None:
    square = _framed(runs, "B", "square")
    assert _texts(square, "card-headline") == ["Trial B"]
    assert "pip" not in " ".join(t.get_text() for t in square.texts)


def test_kpi_card_subtitle_names_the_model(runs: Path) -> None:
    job = Job(runs, runs, "B-small", "social", "kpi-summary", formats=())
    ctx = RenderInputs(runs).job_context(job)
    with theme_style(ctx.theme):
        fig = kpi_summary.draw(ctx)
    texts = [t.get_text() for t in fig.texts]
    assert "Sparse autoencoders on all-MiniLM-L6-v2 · final checkpoint, 184k tokens" in " ".join(
        texts
    )
    assert not any("every layer" in text for text in texts)
