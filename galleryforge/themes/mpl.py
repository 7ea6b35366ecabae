"""Turn a theme into matplotlib rcParams and colormaps (seaborn follows rcParams too)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from galleryforge.themes.theme import Theme

if TYPE_CHECKING:
    from matplotlib.colors import Colormap


def rc_params(theme: Theme) -> dict[str, Any]:
    """rcParams that give every matplotlib figure the theme's look and deterministic output."""
    c, f, lines = theme.colors, theme.font, theme.lines
    from cycler import cycler

    return {
        "figure.facecolor": c.background,
        "figure.edgecolor": c.background,
        "savefig.facecolor": c.background,
        "savefig.edgecolor": c.background,
        "savefig.transparent": False,
        "figure.dpi": 100,
        "savefig.dpi": theme.figure.dpi,
        "axes.facecolor": c.panel,
        "axes.edgecolor": c.axes,
        "axes.labelcolor": c.text,
        "axes.titlecolor": c.text,
        "axes.titlesize": f.title_size,
        "axes.titleweight": f.weight_title,
        "axes.labelsize": f.label_size,
        "axes.linewidth": lines.spine_width,
        "axes.grid": lines.grid,
        "axes.axisbelow": True,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=list(theme.palette.categorical)),
        "grid.color": c.grid,
        "grid.linewidth": lines.grid_width,
        "text.color": c.text,
        "xtick.color": c.axes,
        "ytick.color": c.axes,
        "xtick.labelcolor": c.text,
        "ytick.labelcolor": c.text,
        "xtick.labelsize": f.tick_size,
        "ytick.labelsize": f.tick_size,
        "legend.fontsize": f.tick_size,
        "legend.title_fontsize": f.label_size,
        "legend.frameon": False,
        "legend.labelcolor": c.text,
        "figure.titlesize": f.title_size,
        "figure.titleweight": f.weight_title,
        "font.family": "sans-serif",
        "font.sans-serif": [*f.family, "DejaVu Sans"],
        "font.size": f.size,
        "lines.linewidth": lines.width,
        "lines.markersize": lines.marker_size,
        "patch.edgecolor": c.background,
        "image.cmap": "viridis",
        # Type 42 embeds TrueType outlines in PDF/PS; SVG text becomes paths so it renders the
        # same without the font installed.
        "pdf.fonttype": 42 if theme.output.embed_fonts else 3,
        "ps.fonttype": 42 if theme.output.embed_fonts else 3,
        "svg.fonttype": "path" if theme.output.embed_fonts else "none",
        # Same inputs, same bytes: fixed ids in SVG, no timestamps (set again at save time).
        "svg.hashsalt": "galleryforge",
        "path.simplify": True,
    }


@contextmanager
def theme_style(theme: Theme) -> Iterator[None]:
    """Apply the theme's rcParams for the duration of the block."""
    import matplotlib as mpl

    with mpl.rc_context(rc_params(theme)):  # type: ignore[arg-type]
        yield


def colormap(theme: Theme, kind: str = "sequential") -> Colormap:
    """The theme's sequential or diverging colormap as a matplotlib Colormap."""
    import matplotlib as mpl
    from matplotlib.colors import LinearSegmentedColormap

    spec = theme.palette.sequential if kind == "sequential" else theme.palette.diverging
    if isinstance(spec, str):
        return mpl.colormaps[spec]
    return LinearSegmentedColormap.from_list(f"{theme.name}-{kind}", list(spec))


def ink_on(theme: Theme, rgba: tuple[float, float, float, float]) -> str:
    """A readable annotation colour on a cell of colour ``rgba``."""
    r, g, b = rgba[:3]
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return theme.colors.annotation_dark if luminance > 0.5 else theme.colors.annotation_light
