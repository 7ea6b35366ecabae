"""architecture-frontier: SAE architectures at one width, compared at the sparsity they reached.

SAEBench-style: reconstruction (FVU) and downstream fidelity against L0, one colour per
architecture (``relu``, ``topk``, ``batchtopk``, ``jumprelu``), each layer a small point and each
trial's mean over layers a large outlined marker; the legend states each architecture's mean
predicted width d*_S. The trials compared are those of the run folder at the drawn trial's
width, so that width is not what differs. Downstream fidelity is ``ce_loss_score`` for a causal
LM and ``embedding_recovered`` for an encoder; a run folder with neither draws FVU alone.

gids: ``arch-layers`` (PathCollection per trial and panel; offsets = its layers' (L0, value)),
``arch-mean`` (a Line2D per trial and panel at (mean L0, mean value)).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.ticks import log_ticks
from galleryforge.renderings.parts.trial_points import (
    layer_points,
    mean_marker,
    plotly_layer_points,
    plotly_mean_marker,
)
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    from galleryforge.tables import TrialTables

ARCHITECTURES = ("relu", "topk", "batchtopk", "jumprelu")
LABELS = {"relu": "ReLU + L1", "topk": "TopK", "batchtopk": "BatchTopK", "jumprelu": "JumpReLU"}
FIDELITY = {
    "ce_loss_score": "CE loss score",
    "embedding_recovered": "embedding recovered",
}
_SAELENS = {"standard": "relu", "topk": "topk", "jumprelu": "jumprelu"}


def architecture(t: TrialTables) -> str:
    """A trial's architecture: as trained (``trial.toml``), else as an evaluation read it from
    the checkpoints (``provenance.json``), else the study's ReLU."""
    trained = t.config.get("architecture")
    if isinstance(trained, str):
        return trained
    read = t.provenance.get("architectures")
    if isinstance(read, list) and read and isinstance(read[0], str):
        return _SAELENS.get(read[0], read[0])
    return "relu"


def compared(ctx: RenderContext) -> dict[str, list[TrialTables]]:
    """The run folder's trials at the drawn trial's width, by architecture (``by_architecture``)."""
    return by_architecture(ctx.trial, dict(ctx.trials) or {ctx.trial.trial: ctx.trial})


def by_architecture(
    trial: TrialTables, trials: Mapping[str, TrialTables]
) -> dict[str, list[TrialTables]]:
    """``trials`` at ``trial``'s width, by architecture (in ``ARCHITECTURES`` order, unknown ones
    after), each list in trial-name order."""
    width = int(trial.final["width"].iloc[0])
    groups: dict[str, list[TrialTables]] = {}
    for name in sorted(trials):
        t = trials[name]
        if int(t.final["width"].iloc[0]) == width:
            groups.setdefault(architecture(t), []).append(t)
    order = [a for a in ARCHITECTURES if a in groups] + sorted(set(groups) - set(ARCHITECTURES))
    return {a: groups[a] for a in order}


def fidelity_column(groups: dict[str, list[TrialTables]]) -> str | None:
    """The downstream-fidelity column every compared trial measured, or None."""
    for column in FIDELITY:
        if all(
            column in t.final.columns and t.final[column].notna().all()
            for trials in groups.values()
            for t in trials
        ):
            return column
    return None


def panel_values(groups: dict[str, list[TrialTables]]) -> list[str]:
    """The columns drawn, one panel each: FVU, then the fidelity column when there is one."""
    column = fidelity_column(groups)
    return ["fvu", *([column] if column else [])]


def mean_d_star(trials: list[TrialTables]) -> float:
    """The mean over an architecture's trials of each trial's mean d*_S over layers."""
    return float(np.mean([t.kd.d_star for t in trials]))


def describe(ctx: RenderContext) -> str:
    groups = compared(ctx)
    column = fidelity_column(groups)
    panels = f"FVU and {FIDELITY[column]}" if column else "FVU (no downstream fidelity measured)"
    width = int(ctx.trial.final["width"].iloc[0])
    return (
        f"{panels} against L0 at the final checkpoint for the SAE architectures trained at width "
        f"F = {width:,}, one colour per architecture, a small point per layer and a large one "
        f"per trial's mean (drawn for trial {ctx.trial.trial}). {'; '.join(trial_means(groups))}."
    )


def trial_means(groups: dict[str, list[TrialTables]]) -> list[str]:
    """Each compared trial's means over layers, in words."""
    column = fidelity_column(groups)
    parts = []
    for arch, trials in groups.items():
        for t in trials:
            final = t.final
            fidelity = f", mean {FIDELITY[column]} {final[column].mean():.3f}" if column else ""
            parts.append(
                f"{LABELS.get(arch, arch)} trial {t.trial}: mean L0 {t.kd.l0:,.1f}, mean FVU "
                f"{final['fvu'].mean():.3f}{fidelity}, mean d*_S {t.kd.d_star:,.0f}"
            )
    return parts


def interactive(ctx: RenderContext) -> go.Figure:
    from plotly.subplots import make_subplots

    groups = compared(ctx)
    values = panel_values(groups)
    fig = make_subplots(rows=1, cols=len(values), figure=ctx.plotly_figure())
    colours = ctx.theme.categorical(len(groups))
    for (arch, trials), colour in zip(groups.items(), colours, strict=True):
        name = f"{LABELS.get(arch, arch)} (mean d*_S {mean_d_star(trials):,.0f})"
        for index, t in enumerate(trials):
            final = t.final
            for col, value in enumerate(values, start=1):
                plotly_layer_points(
                    fig,
                    final,
                    t.trial,
                    value,
                    colour,
                    name=name,
                    legendgroup=arch,
                    showlegend=index == 0 and col == 1,
                    row=1,
                    col=col,
                )
                plotly_mean_marker(ctx, fig, t, value, colour, legendgroup=arch, row=1, col=col)
    for col, value in enumerate(values, start=1):
        fig.update_xaxes(type="log", title_text="L0 (active latents per token)", row=1, col=col)
        fig.update_yaxes(title_text=FIDELITY.get(value, "FVU"), row=1, col=col)
    fig.update_layout(title="SAE architectures: reconstruction and fidelity against sparsity")
    return fig


@register(
    "architecture-frontier",
    title="SAE architectures compared at the sparsity they reached",
    needs=("trials",),
    describe=describe,
    interactive=interactive,
)
def draw(ctx: RenderContext) -> Figure:
    groups = compared(ctx)
    values = panel_values(groups)
    fig, axes = ctx.figure(1, len(values), squeeze=False, aspect=0.5 if len(values) > 1 else None)
    colours = ctx.theme.categorical(len(groups))
    for ax, value in zip(axes[0], values, strict=True):
        for (arch, trials), colour in zip(groups.items(), colours, strict=True):
            for index, t in enumerate(trials):
                final = t.final
                layer_points(
                    ctx,
                    ax,
                    final["l0"],
                    final[value],
                    colour,
                    gid="arch-layers",
                    label=f"{LABELS.get(arch, arch)}: mean $d^*_S$ {mean_d_star(trials):,.0f}"
                    if index == 0
                    else None,
                )
                mean_marker(ctx, ax, t.kd.l0, float(final[value].mean()), colour, gid="arch-mean")
        ax.set_xscale("log")
        ax.margins(0.12)
        log_ticks(ax, "x")
        ax.set_xlabel("L0 (active latents per token)")
        ax.set_ylabel(FIDELITY.get(value, "FVU (lower is better)"))
    fig.legend(
        *axes[0][0].get_legend_handles_labels(),
        loc="outside lower center",
        ncols=min(len(groups), 2),
    )
    width = int(ctx.trial.final["width"].iloc[0])
    ctx.title(fig, f"SAE architectures at F = {width:,}: reconstruction and fidelity against L0")
    return fig
