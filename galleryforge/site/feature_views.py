"""What a feature page's template gets: one latent's numbers, shaded contexts (top, random, and by
activation bin), histogram bars, logit effects and decoder neighbours, as plain strings and
numbers (the template escapes every one of them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from galleryforge.decoders import Neighbours
from galleryforge.latents import display_tokens, shade
from galleryforge.numbers import format_share

HISTOGRAM_BINS = 10
HISTOGRAM_HEIGHT = 100  # px of the tallest bar in the page's SVG


def features_root(trial: str) -> str:
    return f"features/{trial}/index.html"


def layer_index(trial: str, layer: int) -> str:
    return f"features/{trial}/L{layer}/index.html"


def feature_page(trial: str, layer: int, latent: int) -> str:
    return f"features/{trial}/L{layer}/{latent}.html"


@dataclass(frozen=True)
class Token:
    text: str
    shade: str
    """Opacity of the background, activation / the latent's max activation, as written in CSS."""
    activation: str
    focus: bool


@dataclass(frozen=True)
class Context:
    kind: str
    rank: int
    activation: str
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class BinGroup:
    """The examples drawn from one activation bin (``low``, ``high``], top bin first."""

    low: str
    high: str
    contexts: tuple[Context, ...]


@dataclass(frozen=True)
class LogitToken:
    text: str
    effect: str


@dataclass(frozen=True)
class LogitEffects:
    positive: tuple[LogitToken, ...]
    negative: tuple[LogitToken, ...]


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    height: float
    count: int
    label: str


@dataclass(frozen=True)
class Neighbour:
    latent: int
    cosine: str
    page: str | None
    """Its feature page, relative to this one, when it has one."""


@dataclass(frozen=True)
class FeatureView:
    trial: str
    layer: int
    latent: int
    frequency: str
    fired_tokens: str
    latent_tokens: str
    """Tokens the frequency was counted on."""
    mean_activation: str
    max_activation: str
    decoder_norm: str
    contexts: tuple[Context, ...]
    """Every example: the top ones, the random ones, then the bin ones."""
    bins: tuple[BinGroup, ...]
    bars: tuple[Bar, ...]
    histogram_max: str
    logits: LogitEffects | None
    """Its strongest logit effects each way, when the run has them (causal LMs)."""
    neighbours: tuple[Neighbour, ...]
    neighbours_source: str
    """The checkpoint file the neighbours came from, or why there are none."""


def contexts(examples: pd.DataFrame, max_activation: float) -> tuple[Context, ...]:
    found = []
    columns = ("kind", "rank", "activation", "focus", "tokens", "token_activations")
    for kind, rank, activation, focus, words, values in zip(
        *(examples[c].tolist() for c in columns), strict=True
    ):
        shown = display_tokens([str(token) for token in words])
        tokens = tuple(
            Token(
                text=text,
                shade=f"{shade(float(value), max_activation):.3f}",
                activation=f"{float(value):.3g}",
                focus=index == focus,
            )
            for index, (text, value) in enumerate(zip(shown, values, strict=True))
        )
        found.append(Context(str(kind), int(rank), f"{float(activation):.3g}", tokens))
    return tuple(found)


def bin_groups(examples: pd.DataFrame, max_activation: float) -> tuple[BinGroup, ...]:
    """The ``bin`` examples grouped by bin, top bin first, each by rank."""
    if "bin_low" not in examples.columns:
        return ()  # a table from before the bins
    rows = examples[examples["kind"] == "bin"]
    groups = []
    for (low, high), members in rows.groupby(["bin_low", "bin_high"], sort=True):
        ranked = members.sort_values("rank")
        groups.append(BinGroup(f"{low:.3g}", f"{high:.3g}", contexts(ranked, max_activation)))
    return tuple(reversed(groups))


def logit_effects(rows: pd.DataFrame | None) -> LogitEffects | None:
    """One latent's rows of ``logits.parquet`` as two ranked lists of tokens, or None."""
    if rows is None or rows.empty:
        return None

    def side(sign: str) -> tuple[LogitToken, ...]:
        ranked = rows[rows["sign"] == sign].sort_values("rank")
        # One token at a time: these are not a context, so no spacing between them applies.
        return tuple(
            LogitToken(display_tokens([str(token)])[0], f"{float(effect):+.3g}")
            for token, effect in zip(ranked["token"], ranked["effect"], strict=True)
        )

    return LogitEffects(side("positive"), side("negative"))


def histogram(activations: np.ndarray, max_activation: float) -> tuple[Bar, ...]:
    """The examples' activations in ``HISTOGRAM_BINS`` equal bins from 0 to the max activation
    (the bins of the feature card), as SVG bars 0–100 wide and up to ``HISTOGRAM_HEIGHT`` tall."""
    edges = np.linspace(0, max(max_activation, 1e-9), HISTOGRAM_BINS + 1)
    counts, _ = np.histogram(activations, bins=edges)
    tallest = max(int(counts.max()), 1) if counts.size else 1
    width = 100 / HISTOGRAM_BINS
    return tuple(
        Bar(
            x=round(i * width, 3),
            width=round(width * 0.9, 3),
            height=round(HISTOGRAM_HEIGHT * int(c) / tallest, 2),
            count=int(c),
            label=f"{edges[i]:.3g}–{edges[i + 1]:.3g}: {int(c)} examples",
        )
        for i, c in enumerate(counts)
    )


def feature_view(
    trial: str,
    row: pd.Series,
    examples: pd.DataFrame,
    neighbours: Neighbours | str,
    pages: frozenset[int],
    logits: pd.DataFrame | None = None,
) -> FeatureView:
    """``row``: the latent's features row; ``examples``: its examples, top ones first;
    ``logits``: its rows of ``logits.parquet``, when the run has one."""
    layer, latent, max_act = int(row["layer"]), int(row["latent"]), float(row["max_activation"])
    if isinstance(neighbours, str):
        near: tuple[Neighbour, ...] = ()
        source = neighbours
    else:
        near = tuple(
            Neighbour(j, f"{c:.3f}", f"{j}.html" if j in pages else None)
            for j, c in neighbours.of.get(latent, [])
        )
        source = neighbours.source
    return FeatureView(
        trial=trial,
        layer=layer,
        latent=latent,
        frequency=format_share(row["frequency"]),
        fired_tokens=f"{int(row['fired_tokens']):,}",
        latent_tokens=f"{int(row['latent_tokens']):,}",
        mean_activation=f"{row['mean_activation']:.3g}",
        max_activation=f"{max_act:.3g}",
        decoder_norm=f"{row['decoder_norm']:.3g}",
        contexts=contexts(examples, max_act),
        bins=bin_groups(examples, max_act),
        bars=histogram(examples["activation"].to_numpy(), max_act),
        histogram_max=f"{max_act:.3g}",
        logits=logit_effects(logits),
        neighbours=near,
        neighbours_source=source,
    )
