"""dashboard: α, g(α), reconstruction MSE and dead latents per layer, as aligned panels.

A composite of four small panels sharing the layer axis (final checkpoint): lines for the
sparsity coefficient α, the capacity g(α) and the reconstruction MSE, bars for the dead-latent
count, each with the trial mean as a dashed reference. The study picked it for the paper's
comparison panel: the same four panels, side by side for each trial, compare the regimes.

gids: ``dashboard-alpha``, ``dashboard-g-alpha``, ``dashboard-mse`` (the Line2D per panel, x =
layers), ``dashboard-dead`` (one bar per layer), ``trial-mean`` (the dashed mean lines).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.labels import metric_label
from galleryforge.numbers import format_metric
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.panel_notes import all_zero_panel
from galleryforge.renderings.parts.panels import panel_grid, used_panels
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PANELS = {
    "alpha": r"Sparsity $\alpha$",
    "g_alpha": r"Capacity $g(\alpha)$",
    "mse": "Reconstruction MSE",
    "dead": "Dead latents",
}


def describe(ctx: RenderContext) -> str:
    trial = ctx.trial
    final = trial.final
    parts = [
        f"{metric_label(m)} from {format_metric(m, final[m].min())} to "
        f"{format_metric(m, final[m].max())} (mean {format_metric(m, final[m].mean())})"
        for m in PANELS
        if m in trial.metrics
    ]
    return (
        f"Dashboard of trial {trial.trial}'s final checkpoint: {len(parts)} panels sharing the "
        f"layer axis ({trial.n_layers} layers), each with the trial mean dashed. "
        f"{'; '.join(parts)}."
    )


def _panel(
    ctx: RenderContext, ax: Axes, layers: list[int], values: list[float], metric: str, colour: str
) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator, ScalarFormatter

    gid = f"dashboard-{metric.replace('_', '-')}"
    if metric == "dead":
        for bar in ax.bar(layers, values, width=0.75, color=colour, linewidth=0):
            bar.set_gid(gid)
        ax.grid(axis="x", visible=False)
    else:
        ax.plot(
            layers,
            values,
            marker="o",
            color=colour,
            gid=gid,
            markersize=ctx.theme.lines.marker_size * (1 if len(layers) <= 12 else 0.6),
        )
    ax.set_title(PANELS[metric], loc="left", fontsize=ctx.theme.font.label_size)
    mean = sum(values) / len(values)
    if mean > 0:
        ax.axhline(
            mean,
            color=ctx.theme.colors.reference,
            linestyle="--",
            linewidth=ctx.theme.lines.grid_width * 1.5,
            gid="trial-mean",
            zorder=1,
        )
        ax.set_title(
            f"mean {format_metric(metric, mean)}",
            loc="right",
            color=ctx.theme.colors.muted,
            fontsize=ctx.theme.font.tick_size,
            fontweight="normal",
        )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=metric == "dead"))
    if metric == "dead":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_metric(metric, v)))
    else:  # as many decimals as the ticks need (α near 1 differs in the fourth)
        ax.yaxis.set_major_formatter(ScalarFormatter(useOffset=False))
    if max(values) <= 0:
        all_zero_panel(ctx, ax, "none at any layer")


@register(
    "dashboard",
    title="Per-layer dashboard: α, g(α), MSE, dead latents (paper)",
    aliases=("SAE_Dashboard",),
    describe=describe,
)
def draw(ctx: RenderContext) -> Figure:
    trial = ctx.trial
    metrics = [m for m in PANELS if m in trial.metrics]
    aspect = max(ctx.theme.figure.aspect, 0.7)
    rows, cols = panel_grid(len(metrics), ctx.theme.figsize(aspect), panel_aspect=0.55)
    fig, axes = ctx.figure(rows, cols, aspect=aspect, sharex=True, squeeze=False)
    layers = list(trial.layer_ids)
    colours = ctx.theme.categorical(len(metrics))
    for index, ax in enumerate(used_panels(axes, len(metrics))):
        metric = metrics[index]
        _panel(ctx, ax, layers, trial.final[metric].astype(float).tolist(), metric, colours[index])
        if index // cols == rows - 1 or index + cols >= len(metrics):
            ax.set_xlabel("Layer")
            ax.tick_params(axis="x", labelbottom=True)
    ctx.title(fig, f"Trial {trial.trial}: sparsity, capacity, loss and dead latents by layer")
    return fig
