"""A trial on a scatter of layers: a small point per layer and a large outlined marker at the
trial's mean, the look the frontier figures share (matplotlib and plotly).

The mean marker's outline is the theme's text colour, so it reads as "the trial" on any fill and
stands apart from the layer points of the same colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.collections import PathCollection

    from galleryforge.renderings.context import RenderContext
    from galleryforge.tables import TrialTables


def layer_points(
    ctx: RenderContext, ax: Any, x: Any, y: Any, colour: Any, *, gid: str, **style: Any
) -> PathCollection:
    """One small point per layer at (``x``, ``y``); ``style`` adds to the scatter's settings
    (label, alpha). Returns the scatter (a legend handle)."""
    size = ctx.theme.lines.marker_size
    return ax.scatter(
        np.asarray(x, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        s=(size * 1.2) ** 2,
        color=colour,
        linewidths=0,
        gid=gid,
        **{"alpha": 0.7, **style},
    )


def mean_marker(ctx: RenderContext, ax: Any, x: float, y: float, colour: Any, *, gid: str) -> None:
    """The trial's mean, a large marker outlined in the text colour, above the layer points."""
    ax.plot(
        [x],
        [y],
        "o",
        markersize=ctx.theme.lines.marker_size * 2.4,
        color=colour,
        markeredgecolor=ctx.theme.colors.text,
        markeredgewidth=1.2,
        zorder=4,
        gid=gid,
    )


def plotly_mean_marker(
    ctx: RenderContext, fig: go.Figure, trial: TrialTables, value: str, colour: str, **trace: Any
) -> None:
    """The same on a plotly figure at (mean L0, mean ``value``) over the trial's layers, hover
    naming the trial and its mean d*_S; no legend entry of its own; ``trace`` adds the legend
    group, text and subplot (row, col)."""
    mean = float(trial.final[value].mean())
    fig.add_scatter(
        x=[trial.kd.l0],
        y=[mean],
        showlegend=False,
        marker={
            "color": colour,
            "size": 16,
            "line": {"color": ctx.theme.colors.text, "width": 1.5},
        },
        hovertemplate=f"trial {trial.trial} mean<br>L0 {trial.kd.l0:,.1f}<br>{value} {mean:.4g}"
        f"<br>d*_S {trial.kd.d_star:,.0f}<extra></extra>",
        **{"mode": "markers", **trace},
    )


def plotly_layer_points(
    fig: go.Figure, final: Any, trial: str, value: str, colour: str, **trace: Any
) -> None:
    """A trial's layers on a plotly figure at (L0, ``value``) from its final-checkpoint rows,
    hover naming the trial, layer and d*_S; ``trace`` adds the legend entry, mode and subplot."""
    fig.add_scatter(
        x=final["l0"],
        y=final[value],
        customdata=np.stack([final["layer"], final["d_star"]], axis=1),
        hovertemplate=f"trial {trial}, layer %{{customdata[0]}}<br>L0 %{{x:,.1f}}<br>{value} "
        "%{y:.4g}<br>d*_S %{customdata[1]:,.0f}<extra></extra>",
        **{"mode": "markers", "marker": {"color": colour, "size": 8}, **trace},
    )
