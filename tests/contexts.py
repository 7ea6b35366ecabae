"""Render contexts for tests: what a gallery job hands a rendering, built on generated runs.

Tests ask for the ``build_render_context`` fixture (tests/conftest.py) and call it with the
fields they change: ``build_render_context(trial="C", theme="social")``; the toy run's context is
``build_render_context(trial="toy")``. ``draw_rendering(premium_heatmap, trial="C")`` gives the
context and the figure the rendering draws in it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from galleryforge.gallery.inputs import RenderInputs
from galleryforge.renderings.context import RenderContext

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BuildRenderContext = Callable[..., RenderContext]
DrawRendering = Callable[..., "tuple[RenderContext, Figure]"]


def render_context(runs: Path, *, trial: str = "B", theme: str = "paper") -> RenderContext:
    """The context for ``trial`` of the run folder ``runs`` under ``theme``, as a job builds it for
    a rendering that reads other runs (every trial of the folder in ``trials``)."""
    inputs = RenderInputs(runs)
    return inputs.context(trial, inputs.theme(theme), other_runs=True)


def drawn(ctx: RenderContext, rendering: ModuleType) -> Figure:
    """``rendering.draw(ctx)`` under the context's theme, as a gallery job draws it."""
    from galleryforge.themes.mpl import theme_style

    with theme_style(ctx.theme):
        return rendering.draw(ctx)  # type: ignore[no-any-return]


def context_and_drawing(
    runs: Path, rendering: ModuleType, **fields: str
) -> tuple[RenderContext, Figure]:
    """``render_context(runs, **fields)`` and what ``rendering`` draws in it (``drawn``)."""
    ctx = render_context(runs, **fields)
    return ctx, drawn(ctx, rendering)
