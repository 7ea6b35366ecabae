"""Every rendering passes the layout check on the crowded runs of tests/stress_runs.py: twelve
trials of 48 layers with 40-character names, a six-member width family, 20 extra metrics and a
28-cell toy grid. Nothing overlaps, nothing leaves the canvas, no legend covers data.

Drawn for one trial (with a random-weights control, so every trial rendering applies), a member
of the width family (``width-sweep``) and the toy run. ``paper`` (the narrowest canvas) and
``social`` (the fixed-size card) run always; the other themes, whose canvases are larger, are the
``layout_matrix`` cases, left out unless ``--layout-matrix`` is given (they take as long again
as the suite's other layout tests together). ``test_every_rendering.py`` runs the same check under
every theme on the ordinary runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from galleryforge.gallery.layout import check_layout
from galleryforge.renderings.registry import all_renderings
from galleryforge.themes.mpl import theme_style
from galleryforge.themes.theme import available_themes
from tests.contexts import render_context
from tests.stress_runs import DRAWN, DRAWN_MEMBER

ALWAYS = ("paper", "social")
THEMES = sorted(available_themes())


def _cases() -> list[object]:
    cases: list[object] = []
    for rendering in all_renderings():
        for theme in THEMES:
            marks = () if theme in ALWAYS else (pytest.mark.layout_matrix,)
            cases.append(
                pytest.param(rendering.id, theme, marks=marks, id=f"{rendering.id}-{theme}")
            )
    return cases


@pytest.mark.parametrize(("rendering", "theme"), _cases())
def test_every_rendering_stays_legible_on_crowded_runs(
    stress_runs: Path, rendering: str, theme: str
) -> None:
    spec = {r.id: r for r in all_renderings()}[rendering]
    trial = "toy" if spec.scope == "toy" else DRAWN_MEMBER if "family" in spec.needs else DRAWN
    ctx = render_context(stress_runs, trial=trial, theme=theme)
    with theme_style(ctx.theme):
        fig = spec.draw(ctx)
        findings = check_layout(fig, rendering=rendering, theme=theme)
    assert [str(finding) for finding in findings] == []


def test_the_always_run_themes_are_the_tightest() -> None:
    """paper has the narrowest canvas, social the only fixed one: the others give more room."""
    from galleryforge.themes.theme import load_theme

    themes = {name: load_theme(name) for name in THEMES}
    assert min(themes, key=lambda name: themes[name].figure.width_in) == "paper"
    assert [n for n, t in themes.items() if t.figure.height_in is not None] == ["social"]
