"""layer-analysis-heatmap: the per-layer metric heatmap with a sidecar of per-layer statistics.

Left, the headline metrics shaded relative within each metric (as in the premium heatmap); right,
two bar panels on the same layer axis: L0 (active latents per token) and the dead-latent count, so
absolute magnitudes sit beside the relative shading. Not picked for the paper: three panels are
too wide for one column. Used in the appendix.

gids: ``heatmap`` (the image; its array is the relative shade, rows = layers, columns =
metrics), ``cell-value`` (annotations, when they fit), ``sidecar-l0`` and ``sidecar-dead`` (one bar
per layer, its width the layer's value).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.labels import metric_label
from galleryforge.numbers import format_metric
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.alt_text import layer_grid
from galleryforge.renderings.parts.heatmap import layer_heatmap
from galleryforge.renderings.parts.interactive_heatmap import interactive_layer_heatmap
from galleryforge.renderings.parts.layer_metrics import headline_metrics
from galleryforge.renderings.parts.panel_notes import all_zero_panel
from galleryforge.renderings.parts.text_fit import rows_aspect
from galleryforge.renderings.parts.ticks import fit_metric_labels
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SIDECAR = ("l0", "dead")
TITLE = "per-layer analysis"


def describe(ctx: RenderContext) -> str:
    trial = ctx.trial
    final = trial.final
    l0, dead = final["l0"], final["dead"]
    return (
        f"Heatmap of {layer_grid(trial, headline_metrics(trial))}, shaded relative to the other "
        f"layers, with a sidecar of bars per layer: L0 from {l0.min():,.0f} to {l0.max():,.0f} "
        f"(mean {trial.kd.l0:,.0f}) and dead latents from {dead.min():,} to {dead.max():,} "
        f"({dead.sum():,} in total)."
    )


def interactive(ctx: RenderContext) -> go.Figure:
    return interactive_layer_heatmap(ctx, TITLE, tall=True)


def _sidecar(ctx: RenderContext, ax: Axes, values: list[float], metric: str, colour: str) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    bars = ax.barh(range(len(values)), values, height=0.72, color=colour, linewidth=0)
    for bar in bars:
        bar.set_gid(f"sidecar-{metric.replace('_', '-')}")
    ctx.title(ax, metric_label(metric, math=True))
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=3, integer=metric in ("l0", "dead")))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_metric(metric, v)))
    if max(values) <= 0:
        note = f"no {metric_label(metric).lower()} latents"
        all_zero_panel(ctx, ax, note, axis="x", rotation=90)


@register(
    "layer-analysis-heatmap",
    title="Per-layer metrics with a statistics sidecar (appendix)",
    aliases=("SAE_Layer_Analysis_Heatmap",),
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    trial = ctx.trial
    metrics = headline_metrics(trial)
    sidecar = [m for m in SIDECAR if m in trial.metrics]
    fig, axes = ctx.figure(
        1,
        1 + len(sidecar),
        aspect=rows_aspect(ctx, trial.n_layers),
        sharey=True,
        squeeze=False,
        width_ratios=[4.0] + [1.0] * len(sidecar),
    )
    heat, *side = axes[0]
    layer_heatmap(ctx, heat, metrics, cmap=ctx.cmap("sequential"))
    fit_metric_labels(heat, metrics)
    heat.set_ylabel("Layer")
    colours = (ctx.theme.colors.accent, ctx.theme.colors.highlight)
    for ax, metric, colour in zip(side, sidecar, colours, strict=False):
        _sidecar(ctx, ax, trial.final[metric].astype(float).tolist(), metric, colour)
    heat.set_ylim(trial.n_layers - 0.5, -0.5)
    ctx.title(fig, f"Trial {trial.trial}: {TITLE}")
    return fig
