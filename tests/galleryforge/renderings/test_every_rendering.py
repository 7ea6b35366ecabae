"""Every rendering, under every theme, on 6-, 24- and 32-layer trials, a width family and the toy
run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.registry import all_renderings, get_rendering
from galleryforge.themes.mpl import theme_style
from galleryforge.themes.theme import available_themes
from tests.contexts import BuildRenderContext, render_context
from tests.figures import overlapping_labels, values_spilling_out_of_cells

THEMES = sorted(available_themes())
TRIAL_RENDERINGS = [r.id for r in all_renderings("trial") if "family" not in r.needs]
FAMILY_RENDERINGS = [r.id for r in all_renderings("trial") if "family" in r.needs]
TOY_RENDERINGS = [r.id for r in all_renderings("toy")]


def _draw(ctx: RenderContext, rendering: str) -> tuple[Figure, str]:
    spec = get_rendering(rendering)
    with theme_style(ctx.theme):
        fig = spec.draw(ctx)
        if spec.interactive is not None:
            interactive = spec.interactive(ctx)
            assert interactive.data, f"{rendering}: interactive figure has no traces"
        assert list(overlapping_labels(fig)) == []
        assert list(values_spilling_out_of_cells(fig)) == []
    return fig, spec.describe(ctx)


def _assert_theme_size(ctx: RenderContext, fig: Figure) -> None:
    """The canvas is as wide as the theme says (a paper column, a slide), cards exactly sized."""
    width, height = fig.get_size_inches()
    assert width == pytest.approx(ctx.theme.figure.width_in)
    if ctx.theme.figure.height_in is not None:
        assert height == pytest.approx(ctx.theme.figure.height_in)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("trial", ["A", "B", "C"])
@pytest.mark.parametrize("rendering", TRIAL_RENDERINGS)
def test_trial_rendering_draws_legibly(
    build_render_context: BuildRenderContext, rendering: str, trial: str, theme: str
) -> None:
    ctx = build_render_context(trial=trial, theme=theme)
    fig, alt = _draw(ctx, rendering)
    _assert_theme_size(ctx, fig)
    assert re.search(rf"\b[Tt]rial {trial}\b", alt), alt  # the alt text says which trial
    assert len(alt) > 40


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("rendering", FAMILY_RENDERINGS)
def test_family_rendering_draws_legibly(family_runs: Path, rendering: str, theme: str) -> None:
    ctx = render_context(family_runs, trial="W-F512", theme=theme)
    fig, alt = _draw(ctx, rendering)
    _assert_theme_size(ctx, fig)
    assert "W-F512" in alt and len(alt) > 40


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("rendering", TOY_RENDERINGS)
def test_toy_rendering_draws_legibly(
    build_render_context: BuildRenderContext, rendering: str, theme: str
) -> None:
    ctx = build_render_context(trial="toy", theme=theme)
    fig, alt = _draw(ctx, rendering)
    _assert_theme_size(ctx, fig)
    assert len(alt) > 40


def test_catalogue_is_complete() -> None:
    ids = {r.id for r in all_renderings()}
    assert len(ids) == 23
    assert FAMILY_RENDERINGS == ["width-sweep"]
    assert {"toy-loss-floor", "toy-summary-heatmap", "toy-floor-vs-dstar"} == set(TOY_RENDERINGS)
