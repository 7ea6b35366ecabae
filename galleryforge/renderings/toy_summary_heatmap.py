"""toy-summary-heatmap (fig5): how well the KD model predicts the toy loss floor, at a glance.

A grid of sparsity α (rows) by feature count F (columns). Colour is log2(measured floor width /
predicted d*_S) on the theme's diverging map centred at 0, so agreement is neutral, a floor
later than predicted leans one way and an earlier floor the other; each cell is annotated with the
ratio itself. The study used it as the overview slide of the toy experiment.

gids: ``heatmap`` (the AxesImage; its array is log2 ratios, rows = α ascending, columns = F
ascending; a missing (α, F) pair is masked), ``cell-value`` (ratio texts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.registry import register
from galleryforge.renderings.shared import toy_comparison

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


def ratio_grid(ctx: RenderContext) -> tuple[np.ndarray, list[float], list[int]]:
    """measured / predicted floor width, rows = α ascending, columns = F ascending (NaN: no run)."""
    table = toy_comparison(ctx.toy_tables.summary)
    grid = table.pivot(index="alpha", columns="features", values="ratio").sort_index()
    grid = grid.reindex(sorted(grid.columns), axis=1)
    return (
        grid.to_numpy(dtype=np.float64),
        [float(a) for a in grid.index],
        [int(f) for f in grid.columns],
    )


def _limit(log_ratio: np.ndarray) -> float:
    """Symmetric colour limit, at least a factor of 2 either way: near-agreement looks neutral."""
    finite = np.abs(log_ratio[np.isfinite(log_ratio)])
    return max(1.0, float(finite.max()) if finite.size else 1.0)


def describe(ctx: RenderContext) -> str:
    ratios, alphas, features = ratio_grid(ctx)
    found = ratios[np.isfinite(ratios)]
    within = int(np.sum((found >= 0.5) & (found <= 2)))
    row, col = np.unravel_index(np.nanargmax(np.abs(np.log2(ratios))), ratios.shape)
    return (
        f"Heatmap of the toy experiment: sparsity alpha ({', '.join(f'{a:g}' for a in alphas)}) "
        f"as rows and feature count F ({', '.join(str(f) for f in features)}) as columns; colour "
        f"and label give the measured floor width divided by the predicted d*_S. {within} of "
        f"{found.size} settings agree within a factor of 2 (median ratio {np.median(found):.2f}); "
        f"the largest disagreement is {ratios[row, col]:.2f} at alpha {alphas[row]:g}, "
        f"F {features[col]}."
    )


def interactive(ctx: RenderContext) -> go.Figure:
    import plotly.graph_objects as go

    ratios, alphas, features = ratio_grid(ctx)
    log_ratio = np.log2(ratios)
    limit = _limit(log_ratio)
    ticks = np.linspace(-limit, limit, 5)
    fig = ctx.plotly_figure()
    fig.add_trace(
        go.Heatmap(
            z=log_ratio,
            x=[str(f) for f in features],
            y=[f"{a:g}" for a in alphas],
            customdata=ratios,
            colorscale=ctx.plotly_colorscale("diverging"),
            zmid=0,
            zmin=-limit,
            zmax=limit,
            text=[[f"{r:.2f}×" for r in row] for row in ratios],
            texttemplate="%{text}",
            hovertemplate="α %{y}, F %{x}: measured / predicted = %{customdata:.3f}<extra></extra>",
            colorbar={
                "title": {"text": "measured / predicted"},
                "tickvals": list(ticks),
                "ticktext": [f"{2**t:.2g}×" for t in ticks],
            },
        )
    )
    fig.update_yaxes(autorange="reversed", title_text="sparsity α", type="category")
    fig.update_xaxes(title_text="features F", type="category")
    fig.update_layout(title="Toy model: measured floor width / predicted d*_S")
    return fig


@register(
    "toy-summary-heatmap",
    title="Toy model: measured vs predicted floor, every setting",
    aliases=("fig5",),
    scope="toy",
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    ratios, alphas, features = ratio_grid(ctx)
    log_ratio = np.log2(ratios)
    limit = _limit(log_ratio)
    cmap = ctx.cmap("diverging")
    fig, ax = ctx.figure()
    image = ax.imshow(
        np.ma.masked_invalid(log_ratio),
        cmap=cmap,
        vmin=-limit,
        vmax=limit,
        aspect="auto",
        interpolation="nearest",
    )
    image.set_gid("heatmap")
    for (row, col), ratio in np.ndenumerate(ratios):
        if np.isfinite(ratio):
            shade = cmap(float(image.norm(log_ratio[row, col])))
            ax.text(
                col,
                row,
                f"{ratio:.2f}×",
                ha="center",
                va="center",
                color=ctx.ink_on(shade),
                fontsize=ctx.theme.font.annotation_size,
                gid="cell-value",
            )
    ax.set_xticks(range(len(features)), [f"{f:,}" for f in features])
    ax.set_yticks(range(len(alphas)), [f"{a:g}" for a in alphas])
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("Features F")
    ax.set_ylabel("Sparsity α")
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
    ticks = np.linspace(-limit, limit, 5)
    bar.set_ticks(list(ticks), labels=[f"{2**t:.2g}×" for t in ticks])
    bar.set_label(r"measured / predicted $d^*_S$ (log scale)")
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=ctx.theme.font.tick_size)
    ctx.title(ax, r"Toy model: measured floor width / predicted $d^*_S$")
    return fig
