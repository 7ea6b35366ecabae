"""checkpoint-trajectory: how each metric moves across the token checkpoints, layer by layer.

A small panel per metric (L0, α, d*_S, MSE, dead latents, FVU: those the table holds), each with
one line per layer against tokens seen, markers at the checkpoints, coloured by depth with a
layer colourbar. Shows whether the sparsity regime had settled by the last checkpoint and
whether layers converge together. New in the study (it reported the final checkpoint only).

gids: ``checkpoint-line`` (Line2D per layer per panel; x = the checkpoints' tokens).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.labels import metric_label
from galleryforge.numbers import format_metric, format_tokens
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.layer_colors import layer_colorbar
from galleryforge.renderings.parts.layer_lines import layer_token_lines, plotly_layer_token_lines
from galleryforge.renderings.parts.panels import panel_grid, plotly_subplots, used_panels
from galleryforge.renderings.parts.text_fit import label_step
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

PREFERRED = ("l0", "alpha", "d_star", "mse", "dead", "fvu")


def trajectory_metrics(ctx: RenderContext) -> list[str]:
    return [m for m in PREFERRED if m in ctx.trial.metrics]


def describe(ctx: RenderContext) -> str:
    trial, layers = ctx.trial, ctx.trial.layers
    first, last = trial.checkpoints[0], trial.checkpoints[-1]
    changes = []
    for metric in trajectory_metrics(ctx):
        start = layers.loc[layers["tokens"] == first, metric].mean()
        end = layers.loc[layers["tokens"] == last, metric].mean()
        changes.append(
            f"{metric_label(metric)} {format_metric(metric, start)} → {format_metric(metric, end)}"
        )
    return (
        f"Small multiples of trial {trial.trial}'s metrics across {len(trial.checkpoints)} "
        f"checkpoints ({format_tokens(first)} to {format_tokens(last)} tokens), one line per "
        f"layer for {trial.n_layers} layers, coloured by depth. Layer means from the first to the "
        f"last checkpoint: {'; '.join(changes)}."
    )


def interactive(ctx: RenderContext) -> go.Figure:
    trial, metrics = ctx.trial, trajectory_metrics(ctx)
    rows, cols = panel_grid(len(metrics), ctx.theme.figsize(0.7))
    fig = plotly_subplots(
        ctx, rows, cols, aspect=0.7, subplot_titles=[metric_label(m) for m in metrics]
    )
    panels = [(m, metric_label(m), i // cols + 1, i % cols + 1) for i, m in enumerate(metrics)]
    plotly_layer_token_lines(ctx, fig, trial.layers, panels, mode="lines+markers")
    fig.update_layout(title=f"Trial {trial.trial}: metrics across checkpoints")
    return fig


@register(
    "checkpoint-trajectory",
    title="Metrics across checkpoints, per layer",
    needs=("checkpoints",),
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    from matplotlib.ticker import MaxNLocator, ScalarFormatter, StrMethodFormatter

    trial, metrics, layers = ctx.trial, trajectory_metrics(ctx), list(ctx.trial.layer_ids)
    aspect = 0.75 if ctx.theme.figure.width_in < 7 else None
    width, height = ctx.theme.figsize(aspect)
    rows, cols = panel_grid(len(metrics), (width * 0.85, height * 0.85), 0.7)
    fig, axes = ctx.figure(rows, cols, aspect=aspect, sharex=True, squeeze=False)
    marker = "o" if len(trial.checkpoints) <= 8 else None
    for ax, metric in zip(used_panels(axes, len(metrics)), metrics, strict=True):
        layer_token_lines(
            ctx,
            ax,
            trial.layers,
            metric,
            gid="checkpoint-line",
            marker=marker,
            markersize=ctx.theme.lines.marker_size * 0.6,
        )
        ax.set_title(
            metric_label(metric, math=True), loc="left", fontsize=ctx.theme.font.label_size
        )
        ax.yaxis.set_major_locator(MaxNLocator(4))
        if metric in ("l0", "d_star", "dead"):
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        else:
            ax.yaxis.set_major_formatter(ScalarFormatter(useMathText=True))
    for ax in axes[-1, :]:
        ax.set_xlabel("Tokens")
    for i in range(len(metrics), rows * cols):  # panels above an empty slot show the token axis
        axes.flat[i - cols].tick_params(labelbottom=True)
    # Ticks at the checkpoints themselves, thinned so the token labels fit a panel's width.
    chars = max(len(format_tokens(t)) for t in trial.checkpoints) * 0.65 + 1.5
    step = label_step(len(trial.checkpoints), width * 0.8 / cols, ctx.theme.font.tick_size, chars)
    ticks = list(trial.checkpoints)[::-1][::step][::-1]  # always label the last checkpoint
    axes.flat[0].set_xticks(ticks, [format_tokens(t) for t in ticks])
    layer_colorbar(ctx, fig, axes, layers)
    ctx.title(fig, f"Trial {trial.trial}: metrics across checkpoints")
    return fig
