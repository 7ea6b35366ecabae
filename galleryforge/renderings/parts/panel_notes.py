"""What a panel says besides its data: a note in its title slot or corner, or why it is empty."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from galleryforge.renderings.context import RenderContext


def panel_note(ctx: RenderContext, ax: Axes, note: str, rotation: float = 0) -> None:
    """``note`` in the middle of ``ax``, in the theme's muted colour."""
    ax.text(
        0.5,
        0.5,
        note,
        transform=ax.transAxes,
        ha="center",
        va="center",
        rotation=rotation,
        color=ctx.theme.colors.muted,
    )


def corner_note(ctx: RenderContext, ax: Axes, note: str) -> None:
    """``note`` in the top left corner of a small panel (which layer it is), small and muted."""
    ax.text(
        0.03,
        0.97,
        note,
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=ctx.theme.font.tick_size,
        color=ctx.theme.colors.muted,
    )


def empty_panel(ctx: RenderContext, ax: Axes, note: str) -> None:
    """Nothing can be drawn at all: no frame or ticks, only ``note`` saying why."""
    ax.set_axis_off()
    panel_note(ctx, ax, note)


def all_zero_panel(
    ctx: RenderContext, ax: Axes, note: str, axis: str = "y", rotation: float = 0
) -> None:
    """Every value is zero: the value ``axis`` keeps a single tick at 0, ``note`` says so."""
    if axis == "y":
        ax.set_ylim(0, 1)
        ax.set_yticks([0])
    else:
        ax.set_xlim(0, 1)
        ax.set_xticks([0])
    panel_note(ctx, ax, note, rotation)


def title_note(ctx: RenderContext, ax: Axes, note: str, gid: str) -> None:
    """``note`` as the axes' left title, in the theme's muted colour at label size (not bold):
    what the panel's data says (a fitted shape, a measured knee), read before the data."""
    title = ax.set_title(
        note,
        loc="left",
        color=ctx.theme.colors.muted,
        fontsize=ctx.theme.font.label_size,
        fontweight="normal",
        wrap=True,  # a long measured sentence breaks at the canvas, not past it
    )
    title.set_gid(gid)
