"""all-layers-small-multiples: every layer's metric vector as its own small bar panel.

One panel per layer, tiled in a grid sized to the layer count; in each, one bar per metric, its
height the layer's value relative to the other layers (0 = lowest layer, 1 = highest). Metrics that
do not change across layers are left out (they have no relative value). One shared legend names
the metric colours. Not picked: it repeats the premium heatmap in less detail; made for
show-everything talks.

gids: ``layer-panel`` (each layer's axes, in layer order), ``metric-bar`` (the bars, row-major:
layer by layer, metrics in legend order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from galleryforge.labels import metric_label
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.alt_text import metric_list, metric_names, trial_means
from galleryforge.renderings.parts.layer_metrics import (
    headline_metrics,
    layer_label,
    metric_matrix,
    relative_within_columns,
    split_constant,
)
from galleryforge.renderings.parts.panel_notes import corner_note
from galleryforge.renderings.parts.panels import small_multiples, used_panels
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PANEL_ASPECT = 0.7  # height / width of one panel


def describe(ctx: RenderContext) -> str:
    trial = ctx.trial
    varying, constant = split_constant(trial, headline_metrics(trial))
    left_out = f" Left out as constant across layers: {metric_names(constant)}." if constant else ""
    return (
        f"Small multiples for trial {trial.trial}: {trial.n_layers} panels, one per layer, each "
        f"with bars for {metric_list(varying)} scaled from the lowest layer (0) to the highest "
        f"(1) at the final checkpoint. {trial_means(trial, ('l0', 'alpha'))}{left_out}"
    )


@register(
    "all-layers-small-multiples",
    title="Every layer's metrics, tiled",
    aliases=("SAE_All_Layers_Small_Multiples",),
    describe=describe,
)
def draw(ctx: RenderContext) -> Figure:
    from matplotlib.patches import Patch

    trial = ctx.trial
    varying, _ = split_constant(trial, headline_metrics(trial))
    values, metrics = metric_matrix(trial, varying)
    shade = relative_within_columns(values)
    fig, axes = small_multiples(ctx, trial.n_layers, PANEL_ASPECT, spacing=0.04)
    cols = axes.shape[1]
    colours = ctx.theme.categorical(len(metrics))
    for index, ax in enumerate(used_panels(axes, trial.n_layers)):
        ax.set_gid("layer-panel")
        bars = ax.bar(range(len(metrics)), shade[index], width=0.8, color=colours, linewidth=0)
        for bar in bars:
            bar.set_gid("metric-bar")
        corner_note(ctx, ax, layer_label(trial.layer_ids[index]))
        ax.set_ylim(0, 1.3)  # headroom for the layer label
        ax.set_yticks([0, 1])
        ax.set_xticks([])
        ax.grid(axis="x", visible=False)
        ax.tick_params(axis="y", length=0, labelleft=index % cols == 0)
        ax.spines["left"].set_visible(False)
    handles = [
        Patch(color=c, label=metric_label(m, math=True))
        for m, c in zip(metrics, colours, strict=True)
    ]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(metrics), 8),
        handlelength=1.0,
        columnspacing=1.2,
    )
    fig.supylabel("relative to other layers", fontsize=ctx.theme.font.label_size)
    ctx.title(fig, f"Trial {trial.trial}: every layer's metrics")
    return fig
