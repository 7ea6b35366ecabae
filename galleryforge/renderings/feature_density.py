"""feature-density: per layer, the histogram of log₁₀ firing frequency over the layer's latents.

The standard SAE diagnostic (new here; the study shows no per-latent view). One small panel per
layer, tiled to the layer count, sharing both axes; in each, bars count the alive latents per
quarter decade of firing frequency, a separate bar at the far left counts the latents not seen
firing in the tokens counted (*unseen*: frequency 0, which has no logarithm; not "dead", which is
training's word), a dotted line marks the floor 1 / tokens (unseen latents fire less often than
that, if at all: a bound, not a value), and a dashed line the dense threshold (10%). The title
says how many tokens the frequencies were counted on (``latent_tokens``). Each panel names its
layer and unseen count, its layer alone where the panel is too narrow for both.

gids: ``layer-panel`` (each layer's axes, in layer order), ``density-bar`` (the bars of latents
seen firing in each panel, in bin order, layer by layer), ``unseen-bar`` (one per panel),
``frequency-floor`` (one per panel), ``dense-threshold``.
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
from galleryforge.renderings.parts.layer_metrics import layer_label
from galleryforge.renderings.parts.panel_notes import corner_note
from galleryforge.renderings.parts.panels import small_multiples, used_panels
from galleryforge.renderings.parts.text_fit import text_width_pt, wrap_to_width
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from galleryforge.latents import Density

PANEL_ASPECT = 0.6  # height / width of one panel
UNSEEN_GAP = 0.75  # decades between the unseen bar and the first bin


def describe(ctx: RenderContext) -> str:
    trial = ctx.trial
    features = trial.features
    assert features is not None
    frequency = features["frequency"].to_numpy()
    alive = frequency[frequency > 0]
    median = f"{np.median(alive):.2%}" if alive.size else "none (no latent was seen firing)"
    dense = int((frequency > DENSE_FREQUENCY).sum())
    return (
        f"Histogram of log10 firing frequency for trial {trial.trial}, one panel per layer "
        f"({features['layer'].nunique()} layers, {len(features):,} latents), counted on "
        f"{tokens_counted(features)}. Latents unseen in those tokens (frequency below "
        f"1/{latent_tokens(features):,}, the dotted line): {int((frequency == 0).sum()):,}, "
        f"counted in the bar at the left of each panel. Dense latents (above "
        f"{DENSE_FREQUENCY:.0%} of tokens, the dashed line): {dense:,} "
        f"({dense / len(features):.1%}). Median frequency of latents seen firing: {median}."
    )


def unseen_position(edges: np.ndarray) -> tuple[float, float]:
    """(centre, width) of the unseen bar: one bin wide, ``UNSEEN_GAP`` left of the first edge."""
    width = float(edges[1] - edges[0])
    return float(edges[0]) - UNSEEN_GAP - width / 2, width


def draw_density(ax: Axes, ctx: RenderContext, hist: Density, colour: str) -> None:
    widths = np.diff(hist.edges)
    bars = ax.bar(hist.edges[:-1], hist.counts, width=widths, align="edge", color=colour, lw=0)
    for bar in bars:
        bar.set_gid("density-bar")
    centre, width = unseen_position(hist.edges)
    (unseen,) = ax.bar([centre], [hist.unseen], width=width, color=ctx.theme.colors.muted, lw=0)
    unseen.set_gid("unseen-bar")
    floor = ax.axvline(
        hist.floor,
        color=ctx.theme.colors.reference,
        linestyle=":",
        linewidth=ctx.theme.lines.width * 0.6,
    )
    floor.set_gid("frequency-floor")
    line = ax.axvline(
        math.log10(DENSE_FREQUENCY),
        color=ctx.theme.colors.reference,
        linestyle="--",
        linewidth=ctx.theme.lines.width * 0.6,
    )
    line.set_gid("dense-threshold")


@register(
    "feature-density",
    title="Firing frequency of every latent, per layer",
    describe=describe,
    needs=("features",),
)
def draw(ctx: RenderContext) -> Figure:
    from matplotlib.ticker import MaxNLocator

    trial = ctx.trial
    features = trial.features
    assert features is not None
    layers = sorted(int(x) for x in features["layer"].unique())
    tokens = latent_tokens(features)
    edges = density_edges(features["frequency"].to_numpy(), tokens)
    fig, axes = small_multiples(ctx, len(layers), PANEL_ASPECT, spacing=0.03)
    cols = axes.shape[1]
    by_layer = {
        layer: features.loc[features["layer"] == layer, "frequency"].to_numpy() for layer in layers
    }
    decades = list(range(int(edges[0]), 1))
    # As many decade labels as fit a panel: a label ("−4") is about 2 ems, with an em of space.
    panel_pt = fig.get_size_inches()[0] * 72 / cols
    fit = max(1, int(panel_pt * 0.8 // (3 * ctx.theme.font.tick_size)))
    step = math.ceil(len(decades) / fit)
    font = ctx.theme.font
    for index, ax in enumerate(used_panels(axes, len(layers))):
        layer = layers[index]
        hist = density(by_layer[layer], edges, tokens)
        ax.set_gid("layer-panel")
        draw_density(ax, ctx, hist, ctx.theme.colors.accent)
        # The layer and its unseen count where they fit the panel, else the layer alone (the
        # unseen bar still shows the count).
        note = f"{layer_label(layer)} · {hist.unseen:,} unseen"
        if text_width_pt(note, font.tick_size) > panel_pt * 0.85:
            note = layer_label(layer)
        corner_note(ctx, ax, note)
        ax.set_xticks(decades[::-step][::-1])
        ax.grid(axis="x", visible=False)
        ax.tick_params(labelleft=index % cols == 0, labelbottom=index + cols >= len(layers))
        ax.margins(y=0.25)  # headroom for the label
        if len(layers) > 12:
            ax.yaxis.set_major_locator(MaxNLocator(nbins=2, integer=True))
    label = (
        f"log₁₀ firing frequency in {tokens_counted(features)} (bar at left: unseen; "
        "dotted: floor 1/tokens; dashed: 10% dense)"
    )
    width = fig.get_size_inches()[0] * 72 * 0.94
    fig.supxlabel(wrap_to_width(label, width, font.label_size), fontsize=font.label_size)
    fig.supylabel("latents", fontsize=ctx.theme.font.label_size)
    ctx.title(fig, f"Trial {trial.trial}: how often each latent fires")
    return fig
