"""toy-summary-heatmap (fig5): how far each read-out's transition sits from d*_S, at a glance.

One panel per read-out (two a row, or one a row when there are more than four F); in each, a
grid of k (rows; α on an (α, F) grid) by feature count F
(columns): along a row, k is fixed and F grows, so a row that darkens to the right is a transition
that grows faster than k ln(F/k).
Colour is log2(transition width / predicted d*_S), the summary's own ``ratio``, on the theme's
diverging map centred at ratio 1 with the same limits in every panel, so agreement is neutral and
a later or earlier transition leans one way or the other. Each cell is annotated with the ratio;
a censored cell (the loss never fell to ε) is hatched and reads "> r×": a lower bound.

gids: ``heatmap`` (one AxesImage per read-out, in read-out order; its array is log2 ratios, rows
= k (or α) ascending, columns = F ascending, a missing cell masked), ``cell-value`` (ratio texts),
``censored-cell`` (one hatched Rectangle per censored cell).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.panels import plotly_subplots
from galleryforge.renderings.registry import register
from galleryforge.renderings.toy_readouts import finding, grid_axis, readouts

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    from matplotlib.figure import Figure


def ratio_grids(
    summary: pd.DataFrame,
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], list[float], list[int]]:
    """Per read-out: (ratio, censored) grids, rows = k (or α, ``grid_axis``) ascending, columns
    = F ascending (NaN: no cell); and the k (or α) and F values of the rows and columns."""
    axis = grid_axis(summary)[0]
    rows_of = sorted(float(a) for a in summary[axis].unique())
    features = sorted(int(f) for f in summary["features"].unique())
    grids = {}
    for decoder in readouts(summary):
        rows = summary[summary["decoder"] == decoder]
        pivots = [
            rows.pivot(index=axis, columns="features", values=column)
            .reindex(index=rows_of, columns=features)
            .to_numpy(dtype=np.float64)
            for column in ("ratio", "censored")
        ]
        grids[decoder] = (pivots[0], pivots[1] == 1)
    return grids, rows_of, features


def _limit(log_ratios: list[np.ndarray]) -> float:
    """Symmetric colour limit, at least a factor of 2 either way: near-agreement looks neutral."""
    values = np.concatenate([np.abs(a[np.isfinite(a)]) for a in log_ratios])
    return max(1.0, float(values.max()) if values.size else 1.0)


def ratio_text(ratio: float, censored: bool) -> str:
    return f"> {ratio:.2f}×" if censored else f"{ratio:.2f}×"


def describe(ctx: RenderContext) -> str:
    summary = ctx.toy_tables.summary
    grids, rows_of, features = ratio_grids(summary)
    censored = int(summary["censored"].sum())
    name = "active features k" if grid_axis(summary)[0] == "k" else "sparsity alpha"
    return (
        f"Heatmaps of the toy experiment, one per read-out ({', '.join(grids)}): {name} "
        f"({', '.join(f'{a:g}' for a in rows_of)}) as rows and feature count F "
        f"({', '.join(str(f) for f in features)}) as columns; colour and label give the "
        f"measured transition width divided by the predicted d*_S, neutral at 1. {censored} "
        f"cells are hatched and labelled with '>': censored, their ratio a lower bound."
    )


def interactive(ctx: RenderContext) -> go.Figure:
    import plotly.graph_objects as go

    grids, rows_of, features = ratio_grids(ctx.toy_tables.summary)
    symbol = grid_axis(ctx.toy_tables.summary)[1]
    limit = _limit([np.log2(r) for r, _ in grids.values()])
    ticks = np.linspace(-limit, limit, 5)
    fig = plotly_subplots(ctx, 1, len(grids), subplot_titles=list(grids), shared_yaxes=True)
    for col, (decoder, (ratios, censored)) in enumerate(grids.items(), start=1):
        text = [
            [
                ratio_text(r, bool(c)) if np.isfinite(r) else ""
                for r, c in zip(row, crow, strict=True)
            ]
            for row, crow in zip(ratios, censored, strict=True)
        ]
        fig.add_trace(
            go.Heatmap(
                z=np.log2(ratios),
                x=[str(f) for f in features],
                y=[f"{a:g}" for a in rows_of],
                text=text,
                texttemplate="%{text}",
                colorscale=ctx.plotly_colorscale("diverging"),
                zmid=0,
                zmin=-limit,
                zmax=limit,
                showscale=col == len(grids),
                hovertemplate=f"{decoder}, {symbol} %{{y}}, F %{{x}}: transition / d*_S "
                "%{text}<extra></extra>",
                colorbar={
                    "title": {"text": "transition / d*_S"},
                    "tickvals": list(ticks),
                    "ticktext": [f"{2**t:.2g}×" for t in ticks],
                },
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text="features F", type="category", row=1, col=col)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_yaxes(
        title_text="active features k" if symbol == "k" else "sparsity α", row=1, col=1
    )
    fig.update_layout(title="Toy model: transition width / predicted d*_S, per read-out")
    return fig


@register(
    "toy-summary-heatmap",
    title="Toy model: transition vs predicted width, every setting",
    aliases=("fig5",),
    scope="toy",
    describe=describe,
    interactive=interactive,
    finding=finding,
)
def draw(ctx: RenderContext) -> Figure:
    from matplotlib.patches import Rectangle

    grids, rows_of, features = ratio_grids(ctx.toy_tables.summary)
    symbol = grid_axis(ctx.toy_tables.summary)[1]
    limit = _limit([np.log2(r) for r, _ in grids.values()])
    cmap = ctx.cmap("diverging")
    # Two panels a row while the cells stay wide enough for their labels, else one a row.
    ncols = min(len(grids), 2 if len(features) <= 4 else 1)
    nrows = math.ceil(len(grids) / ncols)
    aspect = nrows * (0.12 * len(rows_of) + 0.12) / ncols + 0.1
    fig, axes = ctx.figure(nrows, ncols, aspect=aspect, squeeze=False, sharey=True, sharex=True)
    for ax in axes.flat[len(grids) :]:
        ax.set_visible(False)
    image = None
    for ax, (decoder, (ratios, censored)) in zip(axes.flat, grids.items(), strict=False):
        log_ratio = np.log2(ratios)
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
            if not np.isfinite(ratio):
                continue
            shade = cmap(float(image.norm(log_ratio[row, col])))
            if censored[row, col]:
                ax.add_patch(
                    Rectangle(
                        (col - 0.5, row - 0.5),
                        1,
                        1,
                        fill=False,
                        hatch="///",
                        edgecolor=ctx.ink_on(shade),
                        linewidth=0,
                        alpha=0.5,
                        gid="censored-cell",
                    )
                )
            ax.text(
                col,
                row,
                ratio_text(ratio, bool(censored[row, col])),
                ha="center",
                va="center",
                color=ctx.ink_on(shade),
                fontsize=ctx.theme.font.annotation_size,
                gid="cell-value",
            )
        ax.set_xticks(range(len(features)), [f"{f:,}" for f in features])
        ax.set_yticks(range(len(rows_of)), [f"{a:g}" for a in rows_of])
        ax.tick_params(length=0)
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ctx.title(ax, decoder)
    for ax in axes[-1, :]:
        ax.set_xlabel("Features F")
    # One label for the rows of panels: a label per row overlapped its neighbours on short rows.
    fig.supylabel(
        "Active features k" if symbol == "k" else "Sparsity α", fontsize=ctx.theme.font.label_size
    )
    assert image is not None  # one panel per read-out, and the summary is never empty
    bar = fig.colorbar(image, ax=axes, fraction=0.05, pad=0.02)
    ticks = np.linspace(-limit, limit, 5)
    bar.set_ticks(list(ticks), labels=[f"{2**t:.2g}×" for t in ticks])
    bar.set_label(r"transition / predicted $d^*_S$ (log scale)")
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=ctx.theme.font.tick_size)
    ctx.title(fig, r"Toy model: transition width / predicted $d^*_S$")
    return fig
