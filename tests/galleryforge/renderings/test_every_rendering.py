"""Every rendering, under every theme, on 6-, 24- and 32-layer trials and the toy run."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from galleryforge.gallery.jobs import Job, context_for
from galleryforge.renderings.registry import all_renderings
from galleryforge.themes.mpl import theme_style
from galleryforge.themes.theme import available_themes
from tests.figures import overlapping_labels

THEMES = sorted(available_themes())
TRIAL_RENDERINGS = [r.id for r in all_renderings("trial")]
TOY_RENDERINGS = [r.id for r in all_renderings("toy")]


def _draw(runs: Path, trial: str, theme: str, rendering: str) -> tuple[Figure, str]:
    from galleryforge.renderings.registry import get_rendering

    job = Job(runs=runs, out=runs, trial=trial, theme=theme, rendering=rendering, formats=())
    ctx = context_for(job)
    spec = get_rendering(rendering)
    with theme_style(ctx.theme):
        fig = spec.draw(ctx)
        if spec.interactive is not None:
            interactive = spec.interactive(ctx)
            assert interactive.data, f"{rendering}: interactive figure has no traces"
    return fig, spec.describe(ctx)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("trial", ["A", "B", "C"])
@pytest.mark.parametrize("rendering", TRIAL_RENDERINGS)
def test_trial_rendering_draws_legibly(
    runs_dir: Path, rendering: str, trial: str, theme: str
) -> None:
    fig, alt = _draw(runs_dir, trial, theme, rendering)
    assert fig.axes, "nothing was drawn"
    assert f"{trial}" in alt and len(alt) > 40
    assert list(overlapping_labels(fig)) == []


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("rendering", TOY_RENDERINGS)
def test_toy_rendering_draws_legibly(runs_dir: Path, rendering: str, theme: str) -> None:
    fig, alt = _draw(runs_dir, "toy", theme, rendering)
    assert fig.axes
    assert len(alt) > 40
    assert list(overlapping_labels(fig)) == []


def test_catalogue_is_complete() -> None:
    ids = {r.id for r in all_renderings()}
    assert len(ids) == 19
    assert {"toy-loss-floor", "toy-summary-heatmap", "toy-floor-vs-dstar"} == set(TOY_RENDERINGS)
