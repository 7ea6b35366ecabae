"""One line per layer against tokens seen, coloured by depth: a panel's worth, or plotly traces.

Training curves and checkpoint trajectories both draw a table with ``layer`` and ``tokens``
columns this way, one metric per panel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from galleryforge.renderings.parts.layer_colors import layer_colors, layer_hex, layer_line_width

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from galleryforge.renderings.context import RenderContext


def layer_token_lines(
    ctx: RenderContext, ax: Any, table: pd.DataFrame, metric: str, gid: str, **style: Any
) -> None:
    """On ``ax``, one line per layer of the trial: x = ``table``'s tokens, y = its ``metric``.

    Colour by depth (``layer_colors``), width by how many lines share the panel; ``style`` adds
    to the line's settings (markers).
    """
    layers = list(ctx.trial.layer_ids)
    cmap, norm = layer_colors(ctx, layers)
    width = layer_line_width(ctx, len(layers))
    for layer in layers:
        rows = table[table["layer"] == layer]
        ax.plot(
            rows["tokens"].to_numpy(np.float64),
            rows[metric].to_numpy(np.float64),
            color=cmap(norm(layer)),
            linewidth=width,
            gid=gid,
            **style,
        )


def plotly_layer_token_lines(
    ctx: RenderContext,
    fig: go.Figure,
    table: pd.DataFrame,
    panels: Sequence[tuple[str, str, int, int]],
    mode: str = "lines",
) -> None:
    """Traces on ``fig``'s subplots, layer by layer: for each panel (metric, label, row, col),
    the layer's ``table`` rows, x = tokens, y = metric. Each layer is one legend entry (its first
    panel's trace) grouped with its traces in the other panels."""
    layers = list(ctx.trial.layer_ids)
    for layer, colour in zip(layers, layer_hex(ctx, layers), strict=True):
        rows = table[table["layer"] == layer]
        for index, (metric, label, row, col) in enumerate(panels):
            fig.add_scatter(
                x=rows["tokens"],
                y=rows[metric],
                mode=mode,
                name=f"layer {layer}",
                legendgroup=str(layer),
                showlegend=index == 0,
                line={"color": colour},
                hovertemplate=f"layer {layer}<br>tokens %{{x:,}}<br>{label} "
                "%{y:.4g}<extra></extra>",
                row=row,
                col=col,
            )
