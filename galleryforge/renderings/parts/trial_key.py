"""How figures that compare trials tell them apart: a colour per trial and a legend that keeps off
the data.

Colours: each width family, and each trial outside one, takes the next colour of the theme's
categorical palette; a family's members are shades of that one hue, from the narrowest (furthest
from the hue: darker on a light canvas, lighter on a dark one) to the widest (the hue itself), by
seaborn's palette functions from the theme's colour. With more groups than the palette holds,
the groups' hues are blended along the theme's palette rather than repeated, so no two trials
share a colour.

Legend: outside the axes, beside them when it takes at most a third of the canvas's width, else
below them in as many columns as fit, on a canvas made taller by the legend's height. A
fixed-size canvas (a social card) cannot grow: there the legend goes where the plot keeps more
of the card.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from galleryforge.renderings.parts.text_fit import text_width_pt
from galleryforge.width_family import family_name

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend

    from galleryforge.renderings.context import RenderContext
    from galleryforge.tables import TrialTables

# A legend entry's room beyond its text, in ems: the handle (2), the gap after it (0.8) and the
# space between columns (2), as matplotlib's defaults draw them.
_ENTRY_EMS = 4.8
# A row's height in ems: the line (1.2) and the space between rows (0.5).
_ROW_EMS = 1.7


def trial_colours(ctx: RenderContext, trials: Sequence[TrialTables]) -> list[str]:
    """One colour per trial, in the order given; a width family's members share a hue."""
    import seaborn as sns

    groups: dict[str, list[int]] = {}
    for index, trial in enumerate(trials):
        groups.setdefault(family_name(trial) or f"\0{trial.trial}", []).append(index)
    palette = list(ctx.theme.palette.categorical)
    if len(groups) > len(palette):
        palette = sns.blend_palette(palette, len(groups)).as_hex()
    colours: list[str] = [""] * len(trials)
    for hue, members in zip(palette, groups.values(), strict=False):
        if len(members) == 1:
            colours[members[0]] = hue
            continue
        # From the hue towards the canvas's far end (darker on light canvases), so every shade
        # stands out from the panel.
        far = sns.light_palette(hue, 3)[1] if ctx.theme.is_dark else sns.dark_palette(hue, 3)[1]
        shades = sns.blend_palette([far, hue], len(members)).as_hex()
        ordered = sorted(members, key=lambda i: trials[i].final["width"].max())
        for index, shade in zip(ordered, shades, strict=True):
            colours[index] = shade
    return colours


@dataclass(frozen=True)
class LegendPlacement:
    where: Literal["beside", "below"]
    columns: int
    aspect: float | None
    """The canvas's height / width with room for the legend (None: the rendering's own)."""
    beside_pt: float
    """The width the legend takes beside the axes, in points (0 below them)."""

    def draw(self, fig: Figure, handles: Sequence[Any], labels: Sequence[str], **kw: Any) -> Legend:
        """The legend on ``fig``, outside its axes (constrained layout makes the room)."""
        if self.where == "beside":
            return fig.legend(handles, labels, loc="outside right center", **kw)
        return fig.legend(handles, labels, loc="outside lower center", ncols=self.columns, **kw)


def legend_placement(
    ctx: RenderContext, labels: Sequence[str], title: str | None = None, aspect: float | None = None
) -> LegendPlacement:
    """Where a legend of ``labels`` goes on a canvas of ``aspect`` (None: the theme's)."""
    font = ctx.theme.font
    widest = max(text_width_pt(label, font.tick_size) for label in labels)
    entry = (widest + _ENTRY_EMS * font.tick_size) / 72
    width, height = ctx.theme.figsize(aspect)
    columns = max(1, min(len(labels), int(width * 0.95 // entry)))
    rows = math.ceil(len(labels) / columns) + (title is not None)
    below = rows * _ROW_EMS * font.tick_size / 72
    if ctx.theme.figure.height_in is None:
        if entry <= width / 3:
            return LegendPlacement("beside", 1, aspect, entry * 72)
        return LegendPlacement("below", columns, (height + below) / width, 0.0)
    # A fixed-size canvas: wherever the plot keeps more of it.
    if (width - entry) * height >= width * (height - below):
        return LegendPlacement("beside", 1, aspect, entry * 72)
    return LegendPlacement("below", columns, aspect, 0.0)
