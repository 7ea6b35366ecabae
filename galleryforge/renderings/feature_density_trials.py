"""feature-density-trials: the trials' firing-frequency distributions overlaid (A vs B vs C).

The overlay mode of ``feature-density`` (new here). One axes; for each trial that has a
per-latent table, a step outline of the share of its latents (all layers pooled) per quarter
decade of log₁₀ firing frequency, and at the left one bar per trial, side by side, for its share
of latents unseen in the tokens counted (frequency 0; not "dead", training's word). Shares rather
than counts, so dictionaries of different sizes compare. The dotted line is the floor 1 / tokens
(of the trial counted on the fewest tokens), the dashed line the dense threshold (10%); the
x-axis label says how many tokens each trial was counted on.

gids: ``trial-density`` (one step line per trial, in trial order), ``unseen-bar`` (one per
trial), ``frequency-floor``, ``dense-threshold``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from galleryforge.latents import (
    DENSE_FREQUENCY,
    density,
    density_edges,
    latent_tokens,
    tokens_counted,
)
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.feature_density import unseen_position
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
        median = f"median {np.median(alive):.2%}" if alive.size else "none seen firing"
        parts.append(
            f"{trial.trial}: {(frequency == 0).mean():.1%} unseen in "
            f"{tokens_counted(trial.features)}, {median}"
        )
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
    tokens = min(latent_tokens(t.features) for t in trials)  # type: ignore[arg-type]
    edges = density_edges(pooled, tokens)
    fig, ax = ctx.figure()
    colours = ctx.theme.categorical(len(trials))
    centre, width = unseen_position(edges)
    bar_width = width / len(trials)
    for index, (trial, colour) in enumerate(zip(trials, colours, strict=True)):
        assert trial.features is not None
        hist = density(trial.features["frequency"].to_numpy(), edges, latent_tokens(trial.features))
        share = hist.counts / hist.total * 100
        emphasis = 1.6 if trial.trial == ctx.trial.trial else 1.0
        step = ax.stairs(share, edges, color=colour, linewidth=ctx.theme.lines.width * emphasis)
        step.set_gid("trial-density")
        step.set_label(f"{trial.trial} ({hist.unseen / hist.total:.1%} unseen)")
        x = centre - width / 2 + bar_width * (index + 0.5)
        share_unseen = hist.unseen / hist.total * 100
        (unseen,) = ax.bar([x], [share_unseen], width=bar_width, color=colour, lw=0)
        unseen.set_gid("unseen-bar")
    floor = ax.axvline(-math.log10(tokens), color=ctx.theme.colors.reference, linestyle=":")
    floor.set_gid("frequency-floor")
    line = ax.axvline(math.log10(DENSE_FREQUENCY), color=ctx.theme.colors.reference, linestyle="--")
    line.set_gid("dense-threshold")
    ax.set_xticks(
        [*range(int(edges[0]), 1), centre], [*map(str, range(int(edges[0]), 1)), "unseen"]
    )
    counted = ", ".join(f"{t.trial} {tokens_counted(t.features)}" for t in trials)  # type: ignore[arg-type]
    ax.set_xlabel(
        f"log₁₀ firing frequency (counted on: {counted}; dotted: floor; dashed: 10% dense)"
    )
    ax.set_ylabel("share of the trial's latents (%)")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper right", title="trial")
    ctx.title(ax, "Firing frequency of the latents, trials compared")
    return fig
