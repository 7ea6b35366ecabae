"""Every rendering, under every theme, on 6-, 24- and 32-layer trials, a width family and the toy
run.

Trial renderings are drawn for the 32-layer trial C, the most crowded, under every theme, and for
A (6 layers) and B (24 layers, an extra metric) under one theme each, a different one from one
rendering to the next: every rendering meets every theme and every trial, and every theme meets
every trial, in a third of the draws of the full product (each draw is laid out, which is most of
this file's time). Each drawing passes the layout check (galleryforge/gallery/layout.py): no text
overlaps another or leaves the canvas, no legend covers data; test_layout_stress.py does the same
on crowded runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from galleryforge.gallery.layout import check_layout
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.registry import all_renderings, get_rendering
from galleryforge.themes.mpl import theme_style
from galleryforge.themes.theme import available_themes
from tests.contexts import BuildRenderContext, render_context
from tests.figures import values_spilling_out_of_cells

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
        findings = check_layout(fig, rendering=rendering, theme=ctx.theme.name)
        assert [str(finding) for finding in findings] == []
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # laid out by the check
        assert list(values_spilling_out_of_cells(fig, renderer)) == []
    return fig, spec.describe(ctx)


def _assert_theme_size(ctx: RenderContext, fig: Figure) -> None:
    """The canvas is as wide as the theme says (a paper column, a slide), cards exactly sized."""
    width, height = fig.get_size_inches()
    assert width == pytest.approx(ctx.theme.figure.width_in)
    if ctx.theme.figure.height_in is not None:
        assert height == pytest.approx(ctx.theme.figure.height_in)


def _trial_cases() -> list[tuple[str, str, str]]:
    """(rendering, trial, theme): C under every theme; A and B under themes that rotate."""
    cases = []
    for index, rendering in enumerate(TRIAL_RENDERINGS):
        cases += [(rendering, "C", theme) for theme in THEMES]
        cases.append((rendering, "A", THEMES[index % len(THEMES)]))
        cases.append((rendering, "B", THEMES[(index + 2) % len(THEMES)]))
    return cases


TRIAL_CASES = _trial_cases()


@pytest.mark.parametrize(("rendering", "trial", "theme"), TRIAL_CASES)
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


def test_trial_cases_pair_every_rendering_theme_and_trial() -> None:
    pairs = {(r, t) for r, t, _ in TRIAL_CASES} | {(r, th) for r, _, th in TRIAL_CASES}
    assert pairs >= {(r, t) for r in TRIAL_RENDERINGS for t in ("A", "B", "C")}
    assert pairs >= {(r, th) for r in TRIAL_RENDERINGS for th in THEMES}
    assert {(t, th) for _, t, th in TRIAL_CASES} == {(t, th) for t in "ABC" for th in THEMES}


def test_catalogue_is_complete() -> None:
    ids = {r.id for r in all_renderings()}
    assert len(ids) == 25 and {"architecture-frontier", "trained-vs-random"} <= ids
    assert FAMILY_RENDERINGS == ["width-sweep"]
    assert {"toy-loss-floor", "toy-summary-heatmap", "toy-floor-vs-dstar"} == set(TOY_RENDERINGS)
