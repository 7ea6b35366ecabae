"""sparsity-vs-reconstruction: L0 against MSE, a point per layer at the final checkpoint.

Where each layer's SAE sits on the sparsity–reconstruction trade-off: fewer active latents (left)
usually cost reconstruction error (up). Points are coloured by depth with a layer colourbar and
joined in layer order by a faint path; layer ids are written beside the points where they fit
without colliding. Axes switch to log scale when the values span more than a decade.

gids: ``layer-point`` (the PathCollection; offsets = (L0, MSE) per layer, in layer order),
``depth-path`` (the faint line through the layers), ``layer-label`` (Text per labelled layer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.layer_colors import layer_colorbar, layer_colors, layer_hex
from galleryforge.renderings.parts.layer_metrics import layer_label
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _wide(values: np.ndarray) -> bool:
    return bool(values.min() > 0 and values.max() / values.min() > 10)


def describe(ctx: RenderContext) -> str:
    final = ctx.trial.final
    sparsest = final.iloc[int(np.argmin(final["l0"].to_numpy()))]
    return (
        f"Scatter of trial {ctx.trial.trial}'s final checkpoint: mean L0 (active latents per "
        f"token) against reconstruction MSE, one point per layer for {ctx.trial.n_layers} layers, "
        f"coloured by depth. L0 ranges from {final['l0'].min():,.0f} to {final['l0'].max():,.0f} "
        f"and MSE from {final['mse'].min():.3g} to {final['mse'].max():.3g}; the sparsest layer "
        f"is layer {int(sparsest['layer'])} (L0 {sparsest['l0']:,.0f}, MSE {sparsest['mse']:.3g}); "
        f"{_correlation(final['l0'].to_numpy(float), final['mse'].to_numpy(float))}."
    )


def _correlation(l0: np.ndarray, mse: np.ndarray) -> str:
    """The sentence's last clause: Pearson's r across layers, or why there is none (a TopK
    trial's L0 is k in every layer: r is undefined, not 0)."""
    if len(l0) <= 2:
        return f"{len(l0)} layers are too few for a correlation"
    constant = [name for name, values in (("L0", l0), ("MSE", mse)) if np.ptp(values) == 0]
    if constant:
        return f"{constant[0]} is the same in every layer, so it has no correlation across layers"
    return f"correlation of L0 with MSE across layers {float(np.corrcoef(l0, mse)[0, 1]):.2f}"


def interactive(ctx: RenderContext) -> go.Figure:
    final = ctx.trial.final
    fig = ctx.plotly_figure()
    fig.add_scatter(
        x=final["l0"],
        y=final["mse"],
        mode="markers+lines",
        text=[f"L{x}" for x in final["layer"]],
        marker={"color": layer_hex(ctx, ctx.trial.layer_ids), "size": 10},
        line={"color": ctx.theme.colors.grid},
        name="layers",
        customdata=np.stack([final["alpha"], final["d_star"]], axis=1),
        hovertemplate="%{text}<br>L0 %{x:,.1f}<br>MSE %{y:.4g}<br>α %{customdata[0]:.4f}<br>"
        "d*_S %{customdata[1]:,.0f}<extra></extra>",
    )
    fig.update_xaxes(
        title_text="L0 (active latents per token)",
        type="log" if _wide(final["l0"].to_numpy()) else "linear",
    )
    fig.update_yaxes(title_text="MSE", type="log" if _wide(final["mse"].to_numpy()) else "linear")
    fig.update_layout(title=f"Trial {ctx.trial.trial}: sparsity vs reconstruction")
    return fig


@register(
    "sparsity-vs-reconstruction",
    title="Sparsity vs reconstruction per layer",
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    final, layers = ctx.trial.final, list(ctx.trial.layer_ids)
    l0, mse = final["l0"].to_numpy(np.float64), final["mse"].to_numpy(np.float64)
    cmap, norm = layer_colors(ctx, layers)
    fig, ax = ctx.figure()
    ax.plot(l0, mse, color=ctx.theme.colors.muted, alpha=0.35, zorder=1, gid="depth-path")
    ax.scatter(
        l0,
        mse,
        c=final["layer"],
        cmap=cmap,
        norm=norm,
        zorder=2,
        s=(ctx.theme.lines.marker_size * 1.7) ** 2,
        edgecolors=ctx.theme.colors.panel,
        linewidths=0.5,
        gid="layer-point",
    )
    if _wide(l0):
        ax.set_xscale("log")
    if _wide(mse):
        ax.set_yscale("log")
    ax.margins(0.08)
    ax.set_xlabel("L0 (active latents per token)")
    ax.set_ylabel("MSE")
    layer_colorbar(ctx, fig, ax, layers)
    ctx.title(fig, f"Trial {ctx.trial.trial}: sparsity vs reconstruction per layer")
    _label_layers(ctx, fig, ax, layers, l0, mse)
    return fig


def _label_layers(
    ctx: RenderContext, fig: Figure, ax: Axes, layers: list[int], x: np.ndarray, y: np.ndarray
) -> None:
    """Write layer ids beside their points, skipping any label that would collide."""
    from matplotlib.transforms import Bbox

    fig.draw_without_rendering()  # settles the layout, so text extents are final
    radius = ctx.theme.lines.marker_size * 0.9  # points, as the markers are drawn
    pixels = radius * fig.dpi / 72
    centres = ax.transData.transform(np.column_stack([x, y]))
    points = [
        Bbox.from_extents(cx - pixels, cy - pixels, cx + pixels, cy + pixels) for cx, cy in centres
    ]
    placed: list[Bbox] = []
    for i, (layer, px, py) in enumerate(zip(layers, x, y, strict=True)):
        text = ax.annotate(
            layer_label(layer),
            (px, py),
            xytext=(radius * 1.2, radius * 0.3),
            textcoords="offset points",
            fontsize=ctx.theme.font.annotation_size,
            color=ctx.theme.colors.muted,
            gid="layer-label",
        )
        box = text.get_window_extent()
        others = [*placed, *points[:i], *points[i + 1 :]]
        if any(box.overlaps(other) for other in others) or not ax.bbox.contains(box.x1, box.y1):
            text.remove()
        else:
            placed.append(box)
