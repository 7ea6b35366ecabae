"""toy-floor-vs-dstar's plotly half: the same points, y = x and fitted lines as its ``draw``.

Censored cells are open markers in their own trace ("(censored: lower bound)"), and their hover
text reads "> value".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.toy_readouts import (
    fits,
    plotly_marker,
    readout_colours,
    readouts,
    span,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from galleryforge.renderings.context import RenderContext


def interactive(ctx: RenderContext) -> go.Figure:
    table = ctx.toy_tables.summary
    colours = readout_colours(ctx, readouts(table))
    low, high = span(table)
    fig = ctx.plotly_figure(aspect=0.8)
    fig.add_scatter(
        x=[low, high],
        y=[low, high],
        mode="lines",
        name="y = x",
        line={"color": ctx.theme.colors.reference, "dash": "dash"},
    )
    for fit in fits(table):
        rows = table[table["decoder"] == fit.decoder]
        for censored, group in rows.groupby("censored"):
            label = fit.decoder + (" (censored: lower bound)" if censored else "")
            fig.add_scatter(
                x=group["d_star"],
                y=group["transition_width"],
                mode="markers",
                name=label,
                marker={
                    "color": colours[fit.decoder],
                    "symbol": plotly_marker(fit.decoder) + ("-open" if censored else ""),
                    "size": 11,
                },
                customdata=np.stack([group["alpha"], group["features"], group["ratio"]], axis=1),
                hovertemplate=f"{fit.decoder}, α %{{customdata[0]}}, F %{{customdata[1]}}<br>"
                "predicted d*_S %{x:.4g}<br>transition "
                + ("> " if censored else "")
                + "%{y:.4g}<br>ratio "
                + ("> " if censored else "")
                + "%{customdata[2]:.3f}<extra></extra>",
            )
        if fit.fitted:
            fig.add_scatter(
                x=[low, high],
                y=[fit.c * low, fit.c * high],
                mode="lines",
                name=f"{fit.decoder}: y = {fit.c:.2f} x",
                line={"color": colours[fit.decoder], "dash": "dot"},
            )
    fig.update_xaxes(type="log", title_text="predicted d*_S = k ln(F/k)")
    fig.update_yaxes(type="log", title_text="measured transition width")
    fig.update_layout(title="Toy model: transition width vs predicted d*_S")
    return fig
