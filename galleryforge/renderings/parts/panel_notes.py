"""What a panel says when it has nothing to draw, instead of an empty frame."""

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
