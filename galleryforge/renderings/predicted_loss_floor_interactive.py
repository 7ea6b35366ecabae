"""predicted-loss-floor's plotly half: the same floors, d*_S points and, with a width family, the
measured seed means and fitted curves.

Hover gives each floor's level and d*_S and, with a family, each width's mean MSE and the fit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.renderings.parts.layer_colors import layer_hex
from galleryforge.renderings.parts.predicted_floor import (
    curve_widths,
    family_or_none,
    floor_points,
    note,
    right_end,
)
from galleryforge.width_family import by_layer

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from galleryforge.renderings.context import RenderContext


def interactive(ctx: RenderContext) -> go.Figure:
    view = family_or_none(ctx)
    fig = ctx.plotly_figure()
    colours = layer_hex(ctx, ctx.trial.layer_ids)
    right = right_end(ctx, view)
    for (layer, star, level), colour in zip(floor_points(ctx, view), colours, strict=True):
        fig.add_scatter(
            x=[star, right],
            y=[level, level],
            mode="lines+markers",
            name=f"layer {layer}",
            line={"color": colour},
            marker={"size": [9, 0]},
            legendgroup=str(layer),
            hovertemplate=f"layer {layer}: predicted floor {level:.4g} from d*_S {star:,.0f}"
            "<extra></extra>",
        )
    if view is not None:
        xs = curve_widths(ctx, view)
        for (layer, rows), colour in zip(by_layer(view.means), colours, strict=True):
            fig.add_scatter(
                x=rows["width"],
                y=rows["mse"],
                mode="markers",
                showlegend=False,
                legendgroup=str(layer),
                marker={"color": colour, "symbol": "diamond-open", "size": 9},
                hovertemplate=f"layer {layer}: measured at F %{{x:,}}, mean MSE %{{y:.4g}}"
                "<extra></extra>",
            )
            fit = view.fits[layer].curve
            fig.add_scatter(
                x=xs,
                y=fit(xs),
                mode="lines",
                showlegend=False,
                legendgroup=str(layer),
                line={"color": colour, "width": 1, "dash": "dash"},
                hovertemplate=f"layer {layer} fit: a {fit.a:.3g}, b {fit.b:.3g}, "
                f"L∞ {fit.floor:.3g}<extra></extra>",
            )
    fig.update_xaxes(type="log", title_text="dictionary width F")
    fig.update_yaxes(type="log", title_text="loss (solid: predicted floor; dashed: fitted)")
    title = note(ctx, view, plain=True).replace("\n", "; ")
    fig.update_layout(title=f"Trial {ctx.trial.trial}: predicted loss floor vs width ({title})")
    return fig
