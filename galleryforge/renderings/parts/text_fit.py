"""How much text fits where: label steps, row heights that stay legible, text inside cells.

Sizes are in points (1/72 in) unless a name says inches; text is measured in the current
rcParams font, so call these inside the theme's style, as the renderings' ``draw`` runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from galleryforge.renderings.context import RenderContext

POINTS_PER_INCH = 72.0
# A line of text needs its font size plus a little leading to sit inside a cell.
_LINE_HEIGHT = 1.25
# Room left free around a cell's text, in ems: an eighth of an em either side.
_CELL_PADDING = 0.25


def figure_inches(ax: Axes) -> tuple[float, float]:
    """(width, height) of the figure ``ax`` is drawn on, in inches."""
    fig = ax.get_figure(root=True)
    assert fig is not None
    width, height = fig.get_size_inches()
    return float(width), float(height)


def text_width_pt(text: str, size: float, weight: str = "normal") -> float:
    """The drawn width of ``text`` at ``size`` points in the current rcParams font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    width, _, _ = text_to_path.get_text_width_height_descent(
        text, FontProperties(size=size, weight=weight), ismath="$" in text
    )
    return float(width)


def wrap_to_width(text: str, width_pt: float, size: float, weight: str = "normal") -> str:
    """``text`` broken at spaces into lines no wider than ``width_pt`` (a word wider than that
    keeps a line of its own; mathtext, ``$…$``, is never broken)."""
    words: list[str] = []
    for word in text.split(" "):
        if words and words[-1].count("$") % 2:
            words[-1] += " " + word
        else:
            words.append(word)
    lines: list[str] = []
    for word in words:
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and text_width_pt(joined, size, weight) > width_pt:
            lines.append(word)
        else:
            lines[-1:] = [joined]
    return "\n".join(lines)


def fit_size(
    text: str, size: float, width_pt: float, weight: str = "normal", smallest: float = 0.0
) -> float:
    """The largest font size up to ``size``, and not below ``smallest``, at which every line of
    ``text`` is at most ``width_pt`` wide (a text's width grows in proportion to its size)."""
    widest = max(text_width_pt(line, size, weight) for line in text.split("\n"))
    if widest <= width_pt:
        return size
    return max(smallest, size * width_pt / widest * 0.98)


def shorten_to_width(text: str, size: float, width_pt: float, weight: str = "normal") -> str:
    """``text``, or where it is wider than ``width_pt`` its start and end joined by "…" (the end
    kept: names that share a long start differ there). Callers keep the full text in the alt
    text."""
    if text_width_pt(text, size, weight) <= width_pt:
        return text
    head, tail = text[: len(text) // 2], text[len(text) // 2 :]
    while head or tail:
        if len(head) >= len(tail):
            head = head[:-1]
        else:
            tail = tail[1:]
        shortened = f"{head.rstrip()}…{tail.lstrip()}"
        if text_width_pt(shortened, size, weight) <= width_pt:
            return shortened
    return "…"


def label_step(count: int, length_in: float, font_pt: float, spacing: float = 1.35) -> int:
    """Show every k-th of ``count`` labels so labels of ``font_pt`` fit in ``length_in``."""
    needed = count * font_pt * spacing / POINTS_PER_INCH
    return max(1, math.ceil(needed / max(length_in, 1e-6)))


def rows_aspect(ctx: RenderContext, rows: int, base: float | None = None) -> float:
    """A height/width ratio tall enough that ``rows`` rows of annotation text stay legible."""
    width, _ = ctx.theme.figsize()
    row_in = ctx.theme.font.annotation_size * 1.9 / POINTS_PER_INCH
    needed = (rows * row_in + 1.2) / width
    return max(base or ctx.theme.figure.aspect, min(needed, 2.2))


def cells_fit_text(ax: Axes, rows: int, cols: int, texts: Iterable[str], font_pt: float) -> bool:
    """Whether every one of ``texts`` fits inside a cell of a ``rows`` × ``cols`` grid on ``ax``.

    The one rule for writing values in heatmap cells: a cell must be a line tall and as wide as
    the widest text plus padding, measured in the font that draws it. The cell size comes from
    the axes' position when this is called (renderings call it before the layout runs).
    """
    width_in, height_in = figure_inches(ax)
    bbox = ax.get_position()
    cell_h = bbox.height * height_in / rows * POINTS_PER_INCH
    cell_w = bbox.width * width_in / cols * POINTS_PER_INCH
    if cell_h < font_pt * _LINE_HEIGHT:
        return False
    widest = max((text_width_pt(text, font_pt) for text in set(texts)), default=0.0)
    return cell_w >= widest + _CELL_PADDING * font_pt
