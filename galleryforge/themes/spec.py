"""What a theme is: sizes, fonts, colours, palettes, lines and output settings, as frozen data.

Loading and layering live in ``theme.py``, the checks of each value in ``values.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FigureSpec:
    width_in: float
    """Canvas width in inches."""
    aspect: float
    """Height / width for an ordinary figure; renderings may ask for taller canvases."""
    dpi: float
    """Raster resolution (pixels per inch) for PNG output."""
    formats: tuple[str, ...]
    """Formats written when the caller names none."""
    height_in: float | None = None
    """A fixed height: every rendering gets exactly width_in × height_in (social cards)."""


@dataclass(frozen=True)
class FontSpec:
    family: tuple[str, ...]
    size: float
    title_size: float
    label_size: float
    tick_size: float
    annotation_size: float
    weight_title: str = "bold"


@dataclass(frozen=True)
class ColorSpec:
    background: str
    panel: str
    text: str
    muted: str
    axes: str
    grid: str
    accent: str
    highlight: str
    reference: str
    annotation_light: str
    """Text drawn on dark cells."""
    annotation_dark: str
    """Text drawn on light cells."""


@dataclass(frozen=True)
class PaletteSpec:
    sequential: str | tuple[str, ...]
    """A matplotlib colormap name or a list of colours from low to high."""
    diverging: str | tuple[str, ...]
    categorical: tuple[str, ...]


@dataclass(frozen=True)
class LineSpec:
    width: float
    marker_size: float
    grid: bool = True
    grid_width: float = 0.6
    spine_width: float = 0.8


@dataclass(frozen=True)
class OutputSpec:
    embed_fonts: bool = True


@dataclass(frozen=True)
class Theme:
    name: str
    description: str
    figure: FigureSpec
    font: FontSpec
    colors: ColorSpec
    palette: PaletteSpec
    lines: LineSpec
    output: OutputSpec = field(default_factory=OutputSpec)
    source: str = ""
    """The file the theme came from (for messages and the manifest)."""

    @property
    def is_dark(self) -> bool:
        return luminance(self.colors.background) < 0.4

    def figsize(self, aspect: float | None = None) -> tuple[float, float]:
        """(width, height) in inches: the fixed card size, else width × the requested aspect."""
        if self.figure.height_in is not None:
            return (self.figure.width_in, self.figure.height_in)
        return (self.figure.width_in, self.figure.width_in * (aspect or self.figure.aspect))

    def categorical(self, n: int) -> list[str]:
        """n colours from the categorical palette, cycling when n exceeds it."""
        palette = self.palette.categorical
        return [palette[i % len(palette)] for i in range(n)]


SECTIONS: dict[str, type] = {
    "figure": FigureSpec,
    "font": FontSpec,
    "colors": ColorSpec,
    "palette": PaletteSpec,
    "lines": LineSpec,
    "output": OutputSpec,
}


def luminance(colour: str) -> float:
    """Relative luminance (Rec. 709 weights) of a ``#rrggbb`` colour, 0 (black) to 1 (white)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
