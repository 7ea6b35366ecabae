"""feature-density-trials: the trials' firing-frequency distributions overlaid (A vs B vs C).

The overlay mode of ``feature-density`` (new here). One axes; for each trial that has a
per-latent table, a step outline of the share of its latents (all layers pooled) per quarter
decade of log₁₀ firing frequency, and at the left one bar per trial, side by side, for its share
of dead latents. Shares rather than counts, so dictionaries of different sizes compare. The dense
threshold (10%) is the dashed line.

gids: ``trial-density`` (one step line per trial, in trial order), ``dead-bar`` (one per trial),
``dense-threshold``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from galleryforge.latents import DENSE_FREQUENCY, density, density_edges
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.feature_density import dead_position
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from galleryforge.tables import TrialTables


def compared(ctx: RenderContext) -> list[TrialTables]:
    """The run's trials that have a per-latent table, in name order."""
    return [t for _, t in sorted(ctx.trials.items()) if t.features is not None]


def describe(ctx: RenderContext) -> str:
    parts = []
    for trial in compared(ctx):
        assert trial.features is not None
        frequency = trial.features["frequency"].to_numpy()
        alive = frequency[frequency > 0]
        median = f"median {np.median(alive):.2%}" if alive.size else "none alive"
        parts.append(f"{trial.trial}: {(frequency == 0).mean():.1%} dead, {median}")
    return (
        f"Firing-frequency distributions of trials {', '.join(t.trial for t in compared(ctx))} "
        f"overlaid (share of latents per quarter decade, all layers pooled; highlighted trial "
        f"{ctx.trial.trial}). " + "; ".join(parts) + "."
    )


@register(
    "feature-density-trials",
    title="Firing frequency of the latents, trials overlaid",
    describe=describe,
    needs=("features", "trials"),
)
def draw(ctx: RenderContext) -> Figure:
    trials = compared(ctx)
    pooled = np.concatenate([t.features["frequency"].to_numpy() for t in trials])  # type: ignore[index]
    edges = density_edges(pooled)
    fig, ax = ctx.figure()
    colours = ctx.theme.categorical(len(trials))
    centre, width = dead_position(edges)
    bar_width = width / len(trials)
    for index, (trial, colour) in enumerate(zip(trials, colours, strict=True)):
        assert trial.features is not None
        hist = density(trial.features["frequency"].to_numpy(), edges)
        share = hist.counts / hist.total * 100
        emphasis = 1.6 if trial.trial == ctx.trial.trial else 1.0
        step = ax.stairs(share, edges, color=colour, linewidth=ctx.theme.lines.width * emphasis)
        step.set_gid("trial-density")
        step.set_label(f"{trial.trial} ({hist.dead / hist.total:.1%} dead)")
        x = centre - width / 2 + bar_width * (index + 0.5)
        (dead,) = ax.bar([x], [hist.dead / hist.total * 100], width=bar_width, color=colour, lw=0)
        dead.set_gid("dead-bar")
    line = ax.axvline(math.log10(DENSE_FREQUENCY), color=ctx.theme.colors.reference, linestyle="--")
    line.set_gid("dense-threshold")
    ax.set_xticks([*range(int(edges[0]), 1), centre], [*map(str, range(int(edges[0]), 1)), "dead"])
    ax.set_xlabel("log₁₀ firing frequency (dashed: 10% dense threshold)")
    ax.set_ylabel("share of the trial's latents (%)")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper right", title="trial")
    ctx.title(ax, "Firing frequency of the latents, trials compared")
    return fig
