"""toy-loss-floor's plotly half: the same panels, curves and marks as ``toy_loss_floor.draw``.

A line per curve (seed mean; the exact loss on hover), and per curve two markers: an open circle
at the predicted d*_S and a diamond at the transition (open when censored: a lower bound).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.parts.panels import plotly_subplots
from galleryforge.renderings.parts.toy_curves import curve_grid, loss_at

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from galleryforge.renderings.context import RenderContext


def interactive(ctx: RenderContext) -> go.Figure:
    grid = curve_grid(ctx)
    eps, floor = grid.epsilon, grid.floor
    titles = [grid.title(d, v) for d in grid.readouts for v in grid.columns]
    fig = plotly_subplots(
        ctx, len(grid.readouts), len(grid.columns), aspect=0.8, subplot_titles=titles
    )
    for i, j, decoder, value, cells in grid.panels():
        place = {"row": i + 1, "col": j + 1}
        for row in cells:
            widths, stats = grid.curve(row)
            mean = stats["mean"].to_numpy(float)
            name, colour = f"F = {row.features}", grid.colours[row.features]
            fig.add_scatter(
                x=widths,
                y=np.maximum(mean, floor),
                mode="lines",
                name=name,
                legendgroup=name,
                showlegend=i == 0 and j == 0,
                line={"color": colour},
                customdata=mean,
                hovertemplate=f"{grid.title(decoder, value)}, {name}<br>d_S %{{x}}: "
                "normalised loss %{customdata:.3g}<extra></extra>",
                **place,
            )
            censored = bool(row.censored)
            transition = float(row.transition_width)
            fig.add_scatter(
                x=[row.d_star, transition],
                y=[
                    loss_at(widths, mean, float(row.d_star), floor),
                    loss_at(widths, mean, transition, floor) if censored else eps,
                ],
                mode="markers",
                showlegend=False,
                legendgroup=name,
                marker={
                    "symbol": ["circle-open", "diamond-open" if censored else "diamond"],
                    "size": 10,
                    "color": colour,
                },
                text=[
                    "predicted d*_S",
                    "censored: transition > widest width" if censored else "transition",
                ],
                hovertemplate="%{text}: %{x:.4g}<extra></extra>",
                **place,
            )
        fig.add_hline(y=eps, line={"dash": "dash", "color": ctx.theme.colors.reference}, **place)
    fig.update_xaxes(type="log", title_text="width d_S")
    fig.update_yaxes(type="log", range=[math.log10(floor), 0.2], title_text="normalised loss")
    fig.update_layout(title="Toy model: normalised loss vs width, d*_S and transition marked")
    return fig
