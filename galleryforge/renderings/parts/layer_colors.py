"""One colour per layer, for lines and points coloured by depth, and the colour bar keying them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from galleryforge.renderings.parts.text_fit import label_step

if TYPE_CHECKING:
    from matplotlib.colors import Colormap, Normalize

    from galleryforge.renderings.context import RenderContext

# Above this many lines in one panel, lines get thinner so the bundle stays readable.
_MANY_LINES = 12


def layer_colors(ctx: RenderContext, layers: Sequence[int]) -> tuple[Colormap, Normalize]:
    """One colour per layer from the theme's sequential map, for lines coloured by depth.

    The map's faintest end is trimmed (the light end on light canvases, the dark end on dark
    ones) so every layer's line stands out from the panel. Map ``layer`` through ``norm`` first.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap

    low, high = (0.25, 1.0) if ctx.theme.is_dark else (0.0, 0.85)
    base = ctx.cmap("sequential")
    steps = np.linspace(low, high, max(len(layers), 2))[: len(layers)]
    cmap = ListedColormap([base(float(s)) for s in steps], name="layers")
    edges = [*(layer - 0.5 for layer in layers), layers[-1] + 0.5]
    return cmap, BoundaryNorm(edges, len(layers))


def layer_hex(ctx: RenderContext, layers: Sequence[int]) -> list[str]:
    """The colours of ``layer_colors`` as hex strings (for plotly)."""
    from matplotlib.colors import to_hex

    cmap, norm = layer_colors(ctx, layers)
    return [to_hex(cmap(norm(layer))) for layer in layers]


def layer_colorbar(ctx: RenderContext, fig: Any, axes: Any, layers: Sequence[int]) -> None:
    """A discrete colourbar keyed to layers, in place of one legend entry per line."""
    from matplotlib.cm import ScalarMappable

    cmap, norm = layer_colors(ctx, layers)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=axes, fraction=0.04, pad=0.02)
    bar.set_label("Layer")
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=ctx.theme.font.tick_size, length=0)
    height_in = fig.get_size_inches()[1] * 0.75
    step = label_step(len(layers), height_in, ctx.theme.font.tick_size, spacing=1.6)
    bar.set_ticks(
        [float(layer) for layer in layers[::step]], labels=[str(x) for x in layers[::step]]
    )
    bar.minorticks_off()


def layer_line_width(ctx: RenderContext, count: int) -> float:
    """The theme's line width, thinner when ``count`` lines (one per layer) share a panel."""
    return ctx.theme.lines.width * (1.0 if count <= _MANY_LINES else 0.6)
