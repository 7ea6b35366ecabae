"""predicted-loss-floor's plotly half: the same predicted lines, d*_S points and measured family.

Hover gives each line's predicted loss by width, each layer's (d*_S, MSE) and, with a width
family, each member's measured MSE.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge import kd
from galleryforge.renderings.parts.family import family_rows
from galleryforge.renderings.parts.layer_colors import layer_hex
from galleryforge.renderings.parts.predicted_floor import (
    layer_points,
    note,
    shape_exponent,
    widths,
)
from galleryforge.width_family import by_layer

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from galleryforge.renderings.context import RenderContext


def interactive(ctx: RenderContext) -> go.Figure:
    xs, shape = widths(ctx), kd.power_law_shape(shape_exponent(ctx)[0])
    fig = ctx.plotly_figure()
    colours = layer_hex(ctx, ctx.trial.layer_ids)
    for (layer, star, mse), colour in zip(layer_points(ctx), colours, strict=True):
        ys = kd.predicted_loss_floor(xs, star, mse, shape)
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            name=f"layer {layer}",
            line={"color": colour},
            legendgroup=str(layer),
            hovertemplate=f"layer {layer}<br>d_S "
            "%{x:,.0f}: predicted loss %{y:.4g}<extra></extra>",
        )
        fig.add_scatter(
            x=[star],
            y=[mse],
            mode="markers",
            showlegend=False,
            legendgroup=str(layer),
            marker={"color": colour, "size": 9},
            hovertemplate=f"layer {layer}: d*_S {star:,.0f}, MSE {mse:.4g}<extra></extra>",
        )
    family = family_rows(ctx)
    if family is not None:
        for (layer, rows), colour in zip(by_layer(family), colours, strict=True):
            fig.add_scatter(
                x=rows["width"],
                y=rows["mse"],
                mode="lines+markers",
                showlegend=False,
                legendgroup=str(layer),
                line={"color": colour, "width": 1},
                marker={"color": colour, "symbol": "diamond-open", "size": 9},
                hovertemplate=f"layer {layer}: measured at F %{{x:,}}, MSE %{{y:.4g}}"
                "<extra></extra>",
            )
    fig.update_xaxes(type="log", title_text="dictionary width d_S")
    fig.update_yaxes(type="log", title_text="loss (lines: predicted; diamonds: measured)")
    title = note(ctx, plain=True).replace("\n", "; ")
    fig.update_layout(title=f"Trial {ctx.trial.trial}: predicted loss floor vs width ({title})")
    return fig
