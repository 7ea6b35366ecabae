"""feature-density-trials: the trials' firing-frequency distributions overlaid (A vs B vs C).

The overlay mode of ``feature-density`` (new here). One axes; for each trial that has a
per-latent table, a step outline of the share of its latents (all layers pooled) per quarter
decade of log₁₀ firing frequency, and at the left one bar per trial, side by side, for its share
of latents unseen in the tokens counted (frequency 0; not "dead", training's word). Shares rather
than counts, so dictionaries of different sizes compare. The dotted line is the floor 1 / tokens
(of the trial counted on the fewest tokens), the dashed line the dense threshold (10%); the
x-axis label says how many tokens the trials were counted on, or each legend entry where they
differ. The legend, outside the axes (``parts/trial_key``), also keys the two lines.

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
from galleryforge.renderings.parts.text_fit import text_width_pt, wrap_to_width
from galleryforge.renderings.parts.trial_key import legend_placement, trial_colours
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from galleryforge.tables import TrialTables


def compared(ctx: RenderContext) -> list[TrialTables]:
    """The run's trials that have a per-latent table, in name order."""
    return [t for _, t in sorted(ctx.trials.items()) if t.features is not None]


def decade_ticks(ax: Axes, edges: np.ndarray, axes_pt: float, font_pt: float) -> None:
    """Decade labels and "unseen" under its bar, as many decades as fit ``axes_pt`` (a label of
    about 2 ems with an em of space), none so close to "unseen" that they would touch it; the
    axis starts far enough left for "unseen" to sit inside it."""
    centre, width = unseen_position(edges)
    unseen_half = text_width_pt("unseen", font_pt) / 2 + font_pt / 2
    per_decade = axes_pt / (float(edges[-1]) - centre + width)
    left = min(centre - width, centre - unseen_half / per_decade)
    per_decade = axes_pt / (float(edges[-1]) - left)
    step = math.ceil(3 * font_pt / per_decade)
    decades = list(range(int(edges[0]), 1))[::-step][::-1]
    clear = (unseen_half + 1.5 * font_pt) / per_decade
    decades = [d for d in decades if d - centre >= clear]
    ax.set_xticks([*decades, centre], [*map(str, decades), "unseen"])
    ax.set_xlim(left, float(edges[-1]))


def share_unseen(trial: TrialTables) -> float:
    """The share of the trial's latents not seen firing in the tokens counted."""
    assert trial.features is not None
    return float((trial.features["frequency"] == 0).mean())


def describe(ctx: RenderContext) -> str:
    parts = []
    for trial in compared(ctx):
        assert trial.features is not None
        frequency = trial.features["frequency"].to_numpy()
        alive = frequency[frequency > 0]
        median = f"median {np.median(alive):.2%}" if alive.size else "none seen firing"
        parts.append(
            f"{trial.trial}: {share_unseen(trial):.1%} unseen in "
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
    counts = {tokens_counted(t.features) for t in trials}  # type: ignore[arg-type]
    labels = [
        f"{t.trial} ({share_unseen(t):.1%} unseen"
        + ("" if len(counts) == 1 else f" in {tokens_counted(t.features)}")  # type: ignore[arg-type]
        + ")"
        for t in trials
    ]
    references = ["floor: 1 / tokens counted", f"dense: over {DENSE_FREQUENCY:.0%} of tokens"]
    placement = legend_placement(ctx, [*labels, *references], title="trial")
    fig, ax = ctx.figure(aspect=placement.aspect)
    colours = trial_colours(ctx, trials)
    centre, width = unseen_position(edges)
    bar_width = width / len(trials)
    steps = []
    for index, (trial, colour) in enumerate(zip(trials, colours, strict=True)):
        assert trial.features is not None
        hist = density(trial.features["frequency"].to_numpy(), edges, latent_tokens(trial.features))
        share = hist.counts / hist.total * 100
        emphasis = 1.6 if trial.trial == ctx.trial.trial else 1.0
        step = ax.stairs(share, edges, color=colour, linewidth=ctx.theme.lines.width * emphasis)
        step.set_gid("trial-density")
        step.set_label(labels[index])
        steps.append(step)
        x = centre - width / 2 + bar_width * (index + 0.5)
        unseen_percent = hist.unseen / hist.total * 100
        (unseen,) = ax.bar([x], [unseen_percent], width=bar_width, color=colour, lw=0)
        unseen.set_gid("unseen-bar")
    floor = ax.axvline(-math.log10(tokens), color=ctx.theme.colors.reference, linestyle=":")
    floor.set_gid("frequency-floor")
    line = ax.axvline(math.log10(DENSE_FREQUENCY), color=ctx.theme.colors.reference, linestyle="--")
    line.set_gid("dense-threshold")
    font = ctx.theme.font
    # The axes' width: the canvas less the legend beside it and the y axis's labels.
    axes_pt = fig.get_size_inches()[0] * 72 - placement.beside_pt - 5 * font.label_size
    decade_ticks(ax, edges, axes_pt, font.tick_size)
    # One token count for every trial reads in the axis label; several, in the legend.
    counted = f" in {counts.pop()}" if len(counts) == 1 else ""
    ax.set_xlabel(wrap_to_width(f"log₁₀ firing frequency{counted}", axes_pt, font.label_size))
    ax.set_ylabel("share of the trial's latents (%)")
    ax.grid(axis="x", visible=False)
    # Outside the axes: inside, it covered the distributions and the dashed threshold.
    placement.draw(fig, [*steps, floor, line], [*labels, *references], title="trial")
    ctx.title(ax, "Firing frequency of the latents, trials compared")
    return fig
