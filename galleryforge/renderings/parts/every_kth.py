"""A tick locator for labelled rows or columns: every k-th of them, k chosen as the figure is drawn.

Before layout an axes' length is only a guess (a long title or slanted labels take some of it
later), so a step chosen then can leave labels overlapping. matplotlib asks a locator for its
ticks again after constrained layout has placed the axes; this one measures the axes then. Its
own module, so that ``ticks`` does not import matplotlib when the renderings are listed.
"""

from __future__ import annotations

from matplotlib.ticker import Locator

from galleryforge.renderings.parts.text_fit import label_step


class EveryKth(Locator):
    """Positions 0 … count − 1, every k-th, as many as fit the axes' length as drawn."""

    def __init__(self, count: int, font_pt: float, spacing: float, axis: str) -> None:
        self.count, self.font_pt, self.spacing, self.along = count, font_pt, spacing, axis

    def __call__(self) -> list[float]:
        axes, figure = self.axis.axes, self.axis.get_figure(root=True)  # type: ignore[union-attr]
        box = axes.bbox
        length_px = box.height if self.along == "y" else box.width
        length_in = length_px / figure.dpi  # type: ignore[union-attr]
        step = label_step(self.count, length_in, self.font_pt, self.spacing)
        return [float(i) for i in range(0, self.count, step)]

    def tick_values(self, vmin: float, vmax: float) -> list[float]:
        return self()
