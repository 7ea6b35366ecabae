"""training-curves: MSE, L1 penalty and combined loss against tokens seen, a line per layer.

Three panels sharing the token axis; every layer's SAE is one line, coloured by depth on the
theme's sequential map with a layer colourbar (so 6 or 32 layers read the same way). Panels whose
values span more than a decade use a log scale. Shows whether every layer converged and how the
sparsity penalty traded against reconstruction while training.

gids: ``layer-line`` (one Line2D per layer per panel, x = tokens, y = the logged values).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.numbers import format_tokens
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.layer_colors import layer_colorbar
from galleryforge.renderings.parts.layer_lines import layer_token_lines, plotly_layer_token_lines
from galleryforge.renderings.parts.panels import plotly_subplots
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

PANELS = (("mse", "MSE"), ("l1", "L1 penalty"), ("loss", "Loss (MSE + λ·L1)"))


def curves(ctx: RenderContext) -> pd.DataFrame:
    table = ctx.trial.curves
    if table is None:
        raise ValueError(f"trial {ctx.trial.trial} has no training curves (tables/curves.*)")
    return table


def _wide_range(values: pd.Series) -> bool:
    return bool(values.min() > 0 and values.max() / values.min() > 10)


def describe(ctx: RenderContext) -> str:
    table = curves(ctx)
    last = table.sort_values("step").groupby("layer").tail(1)
    return (
        f"Training curves of trial {ctx.trial.trial}: MSE, L1 penalty and combined loss against "
        f"tokens seen (up to {format_tokens(float(table['tokens'].max()))}), one line per layer "
        f"for {table['layer'].nunique()} layers, coloured by depth. At the last logged step the "
        f"MSE ranges from {last['mse'].min():.3g} to {last['mse'].max():.3g} across layers and "
        f"the loss from {last['loss'].min():.3g} to {last['loss'].max():.3g}."
    )


def interactive(ctx: RenderContext) -> go.Figure:
    table = curves(ctx)
    fig = plotly_subplots(ctx, 1, len(PANELS), subplot_titles=[t for _, t in PANELS])
    panels = [(metric, title, 1, col) for col, (metric, title) in enumerate(PANELS, start=1)]
    plotly_layer_token_lines(ctx, fig, table, panels)
    for metric, _, _, col in panels:
        if _wide_range(table[metric]):
            fig.update_yaxes(type="log", row=1, col=col)
    fig.update_xaxes(title_text="tokens")
    fig.update_layout(title=f"Trial {ctx.trial.trial}: training curves")
    return fig


@register(
    "training-curves",
    title="Training curves per layer",
    needs=("curves",),
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    table, layers = curves(ctx), list(ctx.trial.layer_ids)
    fig, axes = ctx.figure(1, len(PANELS), sharex=True)
    for ax, (metric, title) in zip(axes, PANELS, strict=True):
        layer_token_lines(ctx, ax, table, metric, gid="layer-line")
        if _wide_range(table[metric]):
            ax.set_yscale("log")
            log_ticks(ax, "y", max_labels=5)
        else:
            ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.set_title(title, loc="left", fontsize=ctx.theme.font.label_size)
        ax.set_xlabel("Tokens")
    axes[0].xaxis.set_major_locator(MaxNLocator(3))
    axes[0].xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_tokens(value)))
    layer_colorbar(ctx, fig, axes, layers)
    ctx.title(fig, f"Trial {ctx.trial.trial}: training curves")
    return fig
