"""parts.panel_notes: notes in a panel's title slot and corner, muted; notes on empty panels."""

from __future__ import annotations

from galleryforge.renderings.parts.panel_notes import all_zero_panel, corner_note, title_note
from tests.contexts import BuildRenderContext
from tests.figures import artists_with_gid


def test_title_note_is_the_muted_left_title(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context()
    fig, ax = ctx.figure()
    title_note(ctx, ax, "knee at 2.1 × d*_S", gid="knee-note")
    (note,) = artists_with_gid(fig, "knee-note")
    assert note.get_text() == ax.get_title(loc="left") == "knee at 2.1 × d*_S"  # type: ignore[attr-defined]
    assert note.get_color() == ctx.theme.colors.muted  # type: ignore[attr-defined]
    assert note.get_fontsize() == ctx.theme.font.label_size  # type: ignore[attr-defined]


def test_corner_note_sits_top_left_in_axes_fraction(
    build_render_context: BuildRenderContext,
) -> None:
    ctx = build_render_context()
    _fig, ax = ctx.figure()
    corner_note(ctx, ax, "L3")
    (text,) = ax.texts
    assert text.get_text() == "L3" and text.get_position() == (0.03, 0.97)
    assert text.get_transform() == ax.transAxes
    assert (text.get_ha(), text.get_va()) == ("left", "top")
    assert text.get_fontsize() == ctx.theme.font.tick_size


def test_all_zero_panel_keeps_one_tick_at_zero(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context()
    _fig, ax = ctx.figure()
    all_zero_panel(ctx, ax, "none at any layer")
    assert list(ax.get_yticks()) == [0] and ax.texts[0].get_text() == "none at any layer"
