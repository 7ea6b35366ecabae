"""trained-vs-random: a trial beside its random-weights controls, layer by layer.

Heap et al. (2025) found SAE metrics much the same on randomly initialised transformers as on
trained ones. This figure puts the drawn trial and its controls (``galleryforge.controls``: the
same config on a re-initialised model) side by side: per layer, FVU, L0, dead latents, dense
latents, downstream fidelity (``ce_loss_score`` for a causal LM, ``embedding_recovered`` for an
encoder) and the share of single-token latents, one line per model; the last panel overlays each
model's firing-frequency distribution (all layers pooled, share of latents per quarter decade).
The legend sits under the panels. Drawn for the trained trial; a control draws its trial.

gids: ``control-line`` (a Line2D per model and per-layer panel, in ``models`` order; y = the
panel's column by layer), ``control-density`` (a step outline per model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from galleryforge.controls import (
    MIN_TOP_EXAMPLES,
    SINGLE_TOKEN_SHARE,
    controlled_by,
    controls_of,
    model_weights,
    single_token,
)
from galleryforge.latents import density, density_edges, latent_tokens
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.parts.text_fit import wrap_to_width
from galleryforge.renderings.registry import register
from galleryforge.study import weights_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from galleryforge.tables import TrialTables

FIDELITY = {"ce_loss_score": "CE loss score", "embedding_recovered": "embedding recovered"}
SINGLE_TOKEN = "single_token"
PANELS = {"fvu": "FVU", "l0": "L0", "dead": "dead latents", "dense": "dense latents"}
"""Short panel titles (a panel is a quarter of the figure's width); the alt text and the finding
say what each counts."""
LINESTYLES = ("-", "--", ":", "-.")


def models(ctx: RenderContext) -> list[TrialTables]:
    """The trained trial, then its controls in name order."""
    trials = dict(ctx.trials) or {ctx.trial.trial: ctx.trial}
    trained = controlled_by(ctx.trial, trials) or ctx.trial
    return [trained, *controls_of(trained, trials)]


def label(trial: TrialTables) -> str:
    text = weights_text(*model_weights(trial))
    return f"{trial.trial} ({text or 'trained weights'})"


def columns(group: list[TrialTables]) -> list[str]:
    """The per-layer panels every model can fill: FVU, L0, dead, dense, the fidelity column the
    models share, and the single-token share where every model has examples."""
    shown = [c for c in PANELS if all(c in t.final.columns for t in group)]
    for column in FIDELITY:
        if all(column in t.final and t.final[column].notna().all() for t in group):
            shown.append(column)
            break
    if all(t.examples_path is not None for t in group):
        shown.append(SINGLE_TOKEN)
    return shown


def per_layer(trial: TrialTables, column: str) -> pd.Series:
    """``column`` by layer at the final checkpoint (the single-token share from the examples)."""
    if column == SINGLE_TOKEN:
        assert trial.examples is not None
        shares = single_token(trial.examples)
        return pd.Series(shares["single_token"].to_numpy(), index=shares["layer"].to_numpy())
    final = trial.final
    return pd.Series(final[column].to_numpy(dtype=float), index=final["layer"].to_numpy())


def title_of(column: str) -> str:
    if column == SINGLE_TOKEN:
        return "single-token share"
    return PANELS.get(column) or FIDELITY[column]


def value_text(column: str, value: float) -> str:
    if column == SINGLE_TOKEN:
        return f"{value:.0%}"
    if column in ("dead", "dense", "l0"):
        return f"{value:,.1f}"
    return f"{value:.3f}"


def comparison(ctx: RenderContext) -> list[str]:
    """Per panel, each control against the trial: means over layers, and in how many layers the
    control is above or below (from the same numbers the figure draws)."""
    group = models(ctx)
    trained, controls = group[0], group[1:]
    parts = []
    for column in columns(group):
        base = per_layer(trained, column)
        said = []
        for control in controls:
            other = per_layer(control, column).reindex(base.index)
            higher = int((other > base).sum())
            lower = int((other < base).sum())
            said.append(
                f"{control.trial} {value_text(column, float(other.mean()))} (higher in {higher}, "
                f"lower in {lower} of {len(base)} layers)"
            )
        parts.append(
            f"{title_of(column)}: {trained.trial} {value_text(column, float(base.mean()))}, "
            + ", ".join(said)
        )
    return parts


def describe(ctx: RenderContext) -> str:
    group = models(ctx)
    return (
        f"Trial {group[0].trial} beside its random-weights controls "
        f"{', '.join(t.trial for t in group[1:])}: per layer "
        f"{', '.join(title_of(c) for c in columns(group))}, one line per model, and each "
        "model's firing-frequency distribution. Means over layers: "
        + "; ".join(comparison(ctx))
        + "."
    )


def finding(ctx: RenderContext) -> str | None:
    group = models(ctx)
    if len(group) < 2:
        return None
    return (
        "Mean over layers, trained against random weights (the SAEs trained the same way): "
        + "; ".join(comparison(ctx))
        + ". Dense: firing on more than 10% of the tokens counted; single-token share: of the "
        f"latents with ≥ {MIN_TOP_EXAMPLES} top examples, those with ≥ "
        f"{SINGLE_TOKEN_SHARE:.0%} of them on one token."
    )


def _panels(ctx: RenderContext, n: int) -> tuple[Figure, list[Axes], Axes]:
    """A 2 × 4 grid: ``n`` (≤ 6) per-layer panels, then the density panel; the rest hidden."""
    fig, axes = ctx.figure(2, 4, squeeze=False, aspect=0.62)
    flat: list[Axes] = list(axes.flat)
    for ax in flat[n + 1 :]:
        ax.axis("off")
    return fig, flat[:n], flat[n]


@register(
    "trained-vs-random",
    title="Trained model against its random-weights controls",
    describe=describe,
    finding=finding,
    needs=("controls",),
)
def draw(ctx: RenderContext) -> Figure:
    from matplotlib.ticker import MaxNLocator

    group = models(ctx)
    shown = columns(group)
    fig, layer_axes, density_ax = _panels(ctx, len(shown))
    colours = ctx.theme.categorical(len(group))
    # A panel's title wraps to the panel (a quarter of the canvas, less its tick labels).
    panel_pt = fig.get_size_inches()[0] * 72 / 4 * 0.75
    for ax, column in zip(layer_axes, shown, strict=True):
        for index, (trial, colour) in enumerate(zip(group, colours, strict=True)):
            values = per_layer(trial, column)
            (line,) = ax.plot(
                values.index,
                values.to_numpy(),
                color=colour,
                linestyle=LINESTYLES[index % len(LINESTYLES)],
                marker="o",
                label=label(trial),
            )
            line.set_gid("control-line")
        font = ctx.theme.font
        title = wrap_to_width(title_of(column), panel_pt, font.label_size, font.weight_title)
        ax.set_title(title, fontsize=ctx.theme.font.label_size)
        ax.set_xlabel("layer")
        # Whole layer numbers, as many as fit a quarter-width panel (24 and 32 layers too).
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    _density(ctx, density_ax, group, colours)
    fig.legend(*layer_axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=1)
    ctx.title(fig, f"Trial {group[0].trial} against SAEs on the same model with random weights")
    return fig


def _density(ctx: RenderContext, ax: Axes, group: list[TrialTables], colours: list[str]) -> None:
    with_features = [(t, c) for t, c in zip(group, colours, strict=True) if t.features is not None]
    if not with_features:
        ax.axis("off")
        return
    pooled = np.concatenate([t.features["frequency"].to_numpy() for t, _ in with_features])  # type: ignore[index]
    tokens = min(latent_tokens(t.features) for t, _ in with_features)  # type: ignore[arg-type]
    edges = density_edges(pooled, tokens)
    for trial, colour in with_features:
        assert trial.features is not None
        hist = density(trial.features["frequency"].to_numpy(), edges, latent_tokens(trial.features))
        step = ax.stairs(hist.counts / hist.total * 100, edges, color=colour)
        step.set_gid("control-density")
    ax.set_title("firing frequency", fontsize=ctx.theme.font.label_size)
    ax.set_xlabel(f"log₁₀, {tokens:,} tokens")
    ax.set_ylabel("% of latents")
