"""How a censored value is drawn: a hollow marker, an arrow towards where the value lies beyond.

A toy cell whose loss never fell to ε has its transition beyond the widest width swept: the
figures mark it at that width and point on, so it reads as a lower bound, not a measurement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.lines import Line2D

    from galleryforge.renderings.context import RenderContext


def lower_bound_arrow(ax: Any, x: float, y: float, colour: Any, along: str) -> None:
    """An arrow from just past (x, y) pointing along ``along`` (``x``: right, ``y``: up).

    Its length is a ratio of the value, as a log axis shows it. gid ``lower-bound-arrow``.
    """
    start, end = ((x * 1.1, y), (x * 1.7, y)) if along == "x" else ((x, y * 1.08), (x, y * 1.6))
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.0},
        annotation_clip=False,
        gid="lower-bound-arrow",
    )


def lower_bound_handle(ctx: RenderContext, marker: str, label: str) -> Line2D:
    """The legend entry for censored values: a hollow ``marker`` in the theme's muted colour."""
    from matplotlib.lines import Line2D

    return Line2D(
        [],
        [],
        marker=marker,
        linestyle="",
        color=ctx.theme.colors.muted,
        markerfacecolor="none",
        label=label,
    )
