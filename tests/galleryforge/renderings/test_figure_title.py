"""A figure title wider than a small canvas wraps instead of running off its edges."""

from __future__ import annotations

from galleryforge.themes.mpl import theme_style
from tests.contexts import BuildRenderContext

LONG = "Trial widths-small-F1024: width family, MSE and L0 against dictionary width, every layer"


def test_a_long_figure_title_stays_on_a_social_card(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context(theme="social")
    with theme_style(ctx.theme):
        fig, _ = ctx.figure()
        ctx.title(fig, LONG)
        title = fig._suptitle  # type: ignore[attr-defined]
        fig.canvas.draw()
        box, canvas = title.get_window_extent(), fig.bbox
    assert title.get_text().replace("\n", " ") == LONG  # every word kept, in order
    assert "\n" in title.get_text()
    assert canvas.x0 <= box.x0 and box.x1 <= canvas.x1, (box, canvas)


def test_a_short_figure_title_is_one_line(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(theme="paper")
    with theme_style(ctx.theme):
        fig, _ = ctx.figure()
        ctx.title(fig, r"Toy model: transition width / predicted $d^*_S$")
    assert fig._suptitle.get_text() == r"Toy model: transition width / predicted $d^*_S$"  # type: ignore[attr-defined]
