"""feature-card: one latent — its top contexts shaded token by token, and its numbers.

New here (the study shows no single latent). Left: the latent's top examples, one context per
row, each token's background shaded by the latent's activation on it (opacity = activation / the
latent's max activation; unshaded where it did not fire), the example token in bold and its
activation at the row's end. Right: the histogram of the activations of the latent's examples
(its top ones and its random ones: a sample, not the full distribution), and its firing
frequency, fired tokens, mean and max activation from the features table.

The latent is ``ctx.latent`` (``--latent LAYER:INDEX``), else ``latents.DEFAULT_CHOICE``. The
shaded rows are ``parts.shaded_contexts``.

gids: ``context-token`` (every token drawn, row by row), ``example-activation`` (one per row),
``example-histogram`` (the histogram's bars), ``latent-stats``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from galleryforge.latents import DEFAULT_CHOICE, choose_latent, latent_examples
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.layer_metrics import layer_label
from galleryforge.renderings.parts.shaded_contexts import draw_contexts
from galleryforge.renderings.registry import register

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CONTEXT_SHARE = 0.66  # of the figure's width


def chosen(ctx: RenderContext) -> tuple[int, int]:
    trial = ctx.trial
    assert trial.features is not None and trial.examples is not None
    return choose_latent(trial.features, trial.examples, ctx.latent, f"trial {trial.trial}")


def stats(ctx: RenderContext, layer: int, latent: int) -> pd.Series:
    features = ctx.trial.features
    assert features is not None
    row = features[(features["layer"] == layer) & (features["latent"] == latent)]
    return row.iloc[0]


def describe(ctx: RenderContext) -> str:
    layer, latent = chosen(ctx)
    row = stats(ctx, layer, latent)
    picked = "" if ctx.latent is not None else f" (picked as {DEFAULT_CHOICE})"
    return (
        f"Feature card for trial {ctx.trial.trial}, layer {layer}, latent {latent}{picked}: "
        f"fires on {row['frequency']:.3%} of {int(row['latent_tokens']):,} tokens "
        f"({int(row['fired_tokens']):,}), max "
        f"activation {row['max_activation']:.3g}, mean activation when firing "
        f"{row['mean_activation']:.3g}. Its top contexts are shown with each token shaded by "
        f"the activation, beside a histogram of its examples' activations."
    )


@register(
    "feature-card",
    title="One latent: top contexts",
    describe=describe,
    needs=("features", "examples"),
    one_latent=True,
)
def draw(ctx: RenderContext) -> Figure:
    layer, latent = chosen(ctx)
    assert ctx.trial.examples is not None
    examples = latent_examples(ctx.trial.examples, layer, latent)
    row = stats(ctx, layer, latent)
    fig, first = ctx.figure()
    fig.delaxes(first)
    axes = fig.subplot_mosaic(
        [["contexts", "stats"], ["contexts", "histogram"]],
        width_ratios=[CONTEXT_SHARE, 1 - CONTEXT_SHARE],
        height_ratios=[1, 2.4],
    )
    top = examples[examples["kind"] == "top"]
    draw_contexts(ctx, fig, axes["contexts"], top, row["max_activation"], CONTEXT_SHARE)
    draw_stats(ctx, axes["stats"], row)
    draw_histogram(ctx, axes["histogram"], examples, row)
    picked = "" if ctx.latent is not None else " (largest max activation)"
    ctx.title(fig, f"Trial {ctx.trial.trial} · {layer_label(layer)} · latent {latent}{picked}")
    return fig


def draw_histogram(ctx: RenderContext, ax: Axes, examples: pd.DataFrame, row: pd.Series) -> None:
    from matplotlib.ticker import MaxNLocator

    colours = ctx.theme.categorical(2)
    groups = [
        examples.loc[examples["kind"] == k, "activation"].to_numpy() for k in ("top", "random")
    ]
    bins = np.linspace(0, max(float(row["max_activation"]), 1e-9), 11).tolist()
    ax.hist(
        groups, bins=bins, stacked=True, color=colours, label=["top examples", "random examples"]
    )
    for patch in ax.patches:  # the top examples' bars, then the random ones'
        patch.set_gid("example-histogram")
    ax.set_xlabel("activation")
    ax.set_ylabel("examples")
    # Under the card, not on the histogram: the top examples' bars reach its upper right.
    fig = ax.get_figure()
    assert fig is not None
    fig.legend(loc="outside lower right", ncols=2, fontsize=ctx.theme.font.tick_size)
    ax.set_title("example activations", loc="left", fontsize=ctx.theme.font.label_size)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    # A fixed number of ticks: the default locator picks them from the axes' length, which the
    # layout then changes, so a last tick the layout never saw could stick out of the card.
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))


def draw_stats(ctx: RenderContext, ax: Axes, row: pd.Series) -> None:
    ax.set_axis_off()
    lines = (
        f"fires on {row['frequency'] * 100:.3g}% of tokens",
        f"{int(row['fired_tokens']):,} of {int(row['latent_tokens']):,} tokens",
        f"max activation {row['max_activation']:.3g}",
        f"mean when firing {row['mean_activation']:.3g}",
    )
    info = ax.text(
        0,
        1,
        "\n".join(lines),
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=ctx.theme.font.size,
        color=ctx.theme.colors.text,
        parse_math=False,
    )
    info.set_gid("latent-stats")
