"""toy-floor-vs-dstar's plotly half: the same points, y = x, δ(k, F) and fitted power laws as its
``draw``.

Censored cells are open markers in their own trace ("(censored: lower bound)"), and their hover
text reads "> value".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.toy_readouts import (
    deltas,
    fits,
    grid_axis,
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
    cells = table.drop_duplicates(["alpha", "features"])
    column, symbol = grid_axis(table)
    fig.add_scatter(
        x=cells["d_star"],
        y=deltas(cells),
        mode="markers",
        name="δ(k, F)",
        marker={"color": ctx.theme.colors.reference, "symbol": "x-thin-open", "size": 9},
        customdata=np.stack([cells[column], cells["features"]], axis=1),
        hovertemplate=f"{symbol} %{{customdata[0]}}, F %{{customdata[1]}}<br>"
        "d*_S %{x:.4g}, δ(k, F) %{y:.4g}<extra></extra>",
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
                customdata=np.stack([group[column], group["features"], group["ratio"]], axis=1),
                hovertemplate=f"{fit.decoder}, {symbol} %{{customdata[0]}}, "
                "F %{customdata[1]}<br>predicted d*_S %{x:.4g}<br>transition "
                + ("> " if censored else "")
                + "%{y:.4g}<br>ratio "
                + ("> " if censored else "")
                + "%{customdata[2]:.3f}<extra></extra>",
            )
        if fit.has_law:
            fig.add_scatter(
                x=[low, high],
                y=list(fit.law(np.array([low, high]))),
                mode="lines",
                name=f"{fit.decoder}: y = e^{fit.a:.2f} x^{fit.b:.2f}",
                line={"color": colours[fit.decoder], "dash": "dot"},
            )
    fig.update_xaxes(type="log", title_text="predicted d*_S = k ln(F/k)")
    fig.update_yaxes(type="log", title_text="measured transition width")
    fig.update_layout(title="Toy model: transition width vs predicted d*_S")
    return fig
