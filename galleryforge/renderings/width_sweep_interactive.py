"""width-sweep's plotly half: the same two panels, lines, knees and marks as its ``draw``.

The drawn trial's d*_S per layer is a short tick at the foot of the MSE panel (the triangles of
the static figure).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.renderings.parts.family import family_sweep, knee_mse
from galleryforge.renderings.parts.layer_colors import layer_hex
from galleryforge.renderings.parts.panels import plotly_subplots
from galleryforge.width_family import by_layer, knee_note, member_width

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from galleryforge.renderings.context import RenderContext


def interactive(ctx: RenderContext) -> go.Figure:
    table, knees = family_sweep(ctx)
    fig = plotly_subplots(
        ctx, 1, 2, subplot_titles=("Final held-out MSE", "L0 (solid) and predicted d*_S (dashed)")
    )
    colours = layer_hex(ctx, ctx.trial.layer_ids)
    for (layer, rows), colour in zip(by_layer(table), colours, strict=True):
        group = str(layer)
        fig.add_scatter(
            x=rows["width"],
            y=rows["mse"],
            mode="lines+markers",
            name=f"layer {layer}",
            legendgroup=group,
            line={"color": colour},
            hovertemplate=f"layer {layer}, F %{{x:,}}: MSE %{{y:.4g}}<extra></extra>",
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
                hovertemplate=f"layer {layer}, F %{{x:,}}: {label} %{{y:,.0f}}<extra></extra>",
                row=1,
                col=2,
            )
    for knee, colour in zip(knees, colours, strict=True):
        fig.add_scatter(
            x=[knee.width],
            y=[knee_mse(table, knee)],
            mode="markers",
            showlegend=False,
            legendgroup=str(knee.layer),
            marker={
                "symbol": "star-open" if knee.censored else "star",
                "size": 14,
                "color": colour,
            },
            hovertemplate=f"layer {knee.layer}: knee "
            f"{'beyond ' if knee.censored else 'at '}F = {knee.width:,}<extra></extra>",
            row=1,
            col=1,
        )
    final = ctx.trial.final
    for star, colour in zip(final["d_star"], colours, strict=True):
        # A short tick at the foot of the MSE panel: the drawn trial's d*_S for this layer.
        fig.add_shape(
            type="line",
            x0=float(star),
            x1=float(star),
            y0=0,
            y1=0.06,
            yref="y domain",
            line={"color": colour, "width": 3},
            row=1,
            col=1,
        )
    widths = sorted(int(w) for w in table["width"].unique())
    fig.add_scatter(
        x=widths,
        y=widths,
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
    note = knee_note(ctx.trial, knees)
    fig.update_layout(title=f"Trial {ctx.trial.trial}: width family, MSE and L0 against F ({note})")
    return fig
