"""width-sweep's plotly half: the same two panels, seed means and ranges, fitted curves, knees and
marks as its ``draw``.

The declared d*_S per layer is a short tick at the foot of the MSE panel (the triangles of the
static figure).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from galleryforge.renderings.parts.family import family_view
from galleryforge.renderings.parts.layer_colors import layer_hex
from galleryforge.renderings.parts.panels import plotly_subplots
from galleryforge.width_family import by_layer, knee_note, knee_text, member_width

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from galleryforge.renderings.context import RenderContext


def interactive(ctx: RenderContext) -> go.Figure:
    view = family_view(ctx)
    fig = plotly_subplots(
        ctx, 1, 2, subplot_titles=("Final held-out MSE", "L0 (solid) and predicted d*_S (dashed)")
    )
    colours = layer_hex(ctx, ctx.trial.layer_ids)
    curve_x = view.curve_widths()
    for (layer, rows), colour in zip(by_layer(view.means), colours, strict=True):
        group, fit = str(layer), view.fits[layer]
        fig.add_scatter(
            x=rows["width"],
            y=rows["mse"],
            mode="markers",
            name=f"layer {layer}",
            legendgroup=group,
            marker={"color": colour},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": rows["mse_high"] - rows["mse"],
                "arrayminus": rows["mse"] - rows["mse_low"],
            },
            hovertemplate=f"layer {layer}, F %{{x:,}}: mean MSE %{{y:.4g}}<extra></extra>",
            row=1,
            col=1,
        )
        fig.add_scatter(
            x=curve_x,
            y=fit.curve(curve_x),
            mode="lines",
            showlegend=False,
            legendgroup=group,
            line={"color": colour, "width": 1},
            hovertemplate=f"layer {layer} fit: a {fit.curve.a:.3g}, b {fit.curve.b:.3g}, "
            f"L∞ {fit.curve.floor:.3g}<extra></extra>",
            row=1,
            col=1,
        )
        high = curve_x[-1] if math.isinf(fit.knee_high) else fit.knee_high
        fig.add_scatter(
            x=[fit.knee],
            y=[float(fit.curve(fit.knee))],
            mode="markers",
            showlegend=False,
            legendgroup=group,
            marker={"symbol": "star-open" if fit.censored else "star", "size": 14, "color": colour},
            error_x=None
            if math.isnan(fit.knee_low) or fit.censored
            else {
                "type": "data",
                "symmetric": False,
                "array": [high - fit.knee],
                "arrayminus": [fit.knee - fit.knee_low],
            },
            hovertemplate=f"layer {layer}: knee {knee_text(fit)}<extra></extra>",
            row=1,
            col=1,
        )
        fig.add_shape(  # the declared d*_S: a short tick at the foot of the MSE panel
            type="line",
            x0=view.prediction.d_star[layer],
            x1=view.prediction.d_star[layer],
            y0=0,
            y1=0.06,
            yref="y domain",
            line={"color": colour, "width": 3},
            row=1,
            col=1,
        )
        for column, dash, symbol in (("l0", "solid", "circle"), ("d_star", "dash", "square")):
            label = "L0" if column == "l0" else "d*_S"
            fig.add_scatter(
                x=rows["width"],
                y=rows[column],
                mode="lines+markers",
                showlegend=False,
                legendgroup=group,
                line={"color": colour, "dash": dash},
                marker={"symbol": symbol},
                hovertemplate=f"layer {layer}, F %{{x:,}}: {label} %{{y:,.1f}}<extra></extra>",
                row=1,
                col=2,
            )
    fig.add_scatter(
        x=view.widths,
        y=view.widths,
        mode="lines",
        name="y = F",
        line={"color": ctx.theme.colors.reference, "dash": "dot"},
        hoverinfo="skip",
        row=1,
        col=2,
    )
    for col in (1, 2):
        fig.add_vline(
            x=member_width(ctx.trial),
            line_dash="dot",
            line_color=ctx.theme.colors.muted,
            row=1,
            col=col,
        )
    fig.update_xaxes(type="log", title_text="dictionary width F")
    fig.update_yaxes(type="log")
    note = knee_note(ctx.trial, ctx.family)
    fig.update_layout(title=f"Trial {ctx.trial.trial}: width family, MSE and L0 against F ({note})")
    return fig
