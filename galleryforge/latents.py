"""Per-latent data for the feature views: density bins, latent choice, example windows, tokens.

Shared by the ``feature-density`` and ``feature-card`` renderings and the site's feature browser,
so the figure and the pages count and pick the same way. No plotting here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from galleryforge.errors import GalleryforgeError
from galleryforge.tables.schema import EXAMPLE_KINDS

if TYPE_CHECKING:
    from galleryforge.tables import TrialTables

DENSE_FREQUENCY = 0.1
"""A latent firing on more than this share of tokens is dense: the threshold of the layer table's
``dense`` column (galleryforge/train/evaluation/reconstruction.py)."""
BINS_PER_DECADE = 4
DEFAULT_CHOICE = "the latent with the largest max activation among those with examples"
"""How the feature card picks its latent when none is given (said in its title and alt text)."""


def density_edges(frequencies: np.ndarray, tokens: int) -> np.ndarray:
    """Bin edges in log₁₀ frequency, whole decades from the rarest alive latent's, or the floor
    1 / ``tokens`` when that is lower (so the floor is on the axis), up to 0."""
    alive = frequencies[frequencies > 0]
    rarest = min(float(alive.min()), 1 / tokens) if alive.size else 1 / tokens
    low = math.floor(math.log10(rarest))
    return np.linspace(low, 0, -low * BINS_PER_DECADE + 1)


def latent_tokens(features: pd.DataFrame) -> int:
    """The fewest tokens any layer's per-latent statistics were counted on (``latent_tokens``):
    the floor 1 / tokens a figure marks is the highest of its layers'."""
    return int(features["latent_tokens"].min())


def tokens_counted(features: pd.DataFrame) -> str:
    """How many tokens the statistics were counted on, for a caption: "100,000 tokens", or the
    range when layers differ."""
    low, high = int(features["latent_tokens"].min()), int(features["latent_tokens"].max())
    return f"{low:,} tokens" if low == high else f"{low:,}–{high:,} tokens"


@dataclass(frozen=True)
class Density:
    """One layer's (or trial's) histogram of log₁₀ firing frequency over its latents."""

    counts: np.ndarray
    """Latents seen firing, per bin of ``edges`` (a frequency of exactly 1 falls in the last
    bin)."""
    edges: np.ndarray
    unseen: int
    """Latents not seen firing in the ``tokens`` counted (frequency 0, no logarithm), counted
    apart: their frequency is below the floor 1 / tokens, not known to be 0. Not "dead", which
    is training's word (no firing in its last ``dead_window_tokens``)."""
    dense: int
    """Latents above ``DENSE_FREQUENCY``."""
    total: int
    tokens: int
    """Tokens the frequencies were counted on."""

    @property
    def floor(self) -> float:
        """log₁₀ of 1 / tokens: the lowest frequency the count can show."""
        return -math.log10(self.tokens)


def density(frequencies: np.ndarray, edges: np.ndarray, tokens: int) -> Density:
    alive = frequencies[frequencies > 0]
    counts, _ = np.histogram(np.log10(alive), bins=edges)
    return Density(
        counts=counts,
        edges=edges,
        unseen=int((frequencies == 0).sum()),
        dense=int((frequencies > DENSE_FREQUENCY).sum()),
        total=int(frequencies.size),
        tokens=tokens,
    )


def parse_latent(text: str) -> tuple[int, int]:
    """``LAYER:INDEX`` (``3:1742``) as a pair of ints; a one-line error otherwise."""
    layer, sep, index = text.partition(":")
    if not sep or not layer.strip().isdigit() or not index.strip().isdigit():
        raise GalleryforgeError(f"--latent {text!r}: expected LAYER:INDEX, e.g. 3:1742")
    return int(layer), int(index)


def with_examples(features: pd.DataFrame, examples: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``features`` whose latent has at least one example."""
    keys = examples[["layer", "latent"]].drop_duplicates()
    return features.merge(keys, on=["layer", "latent"], how="inner")


def choose_latent(
    features: pd.DataFrame, examples: pd.DataFrame, wanted: tuple[int, int] | None, where: str
) -> tuple[int, int]:
    """``wanted`` when the tables hold it (with examples); else ``DEFAULT_CHOICE``."""
    if wanted is not None:
        layer, latent = wanted
        row = features[(features["layer"] == layer) & (features["latent"] == latent)]
        if row.empty:
            raise GalleryforgeError(f"{where}: no latent {layer}:{latent} in features.parquet")
        has = (examples["layer"] == layer) & (examples["latent"] == latent)
        if not has.any():
            raise GalleryforgeError(
                f"{where}: latent {layer}:{latent} has no examples in examples.parquet (a latent "
                "that never fired has none)"
            )
        return wanted
    candidates = with_examples(features, examples)
    if candidates.empty:
        raise GalleryforgeError(f"{where}: the examples table holds no latent")
    best = candidates.sort_values(
        ["max_activation", "layer", "latent"], ascending=[False, True, True]
    )
    return int(best["layer"].iloc[0]), int(best["latent"].iloc[0])


def latent_examples(examples: pd.DataFrame, layer: int, latent: int) -> pd.DataFrame:
    """One latent's examples: its top ones by rank, then its random ones, then its bin ones
    (top bin first), each by rank."""
    rows = examples[(examples["layer"] == layer) & (examples["latent"] == latent)]
    return _in_page_order(rows, []).reset_index(drop=True)


class ExamplesByLatent:
    """Every latent's examples in ``latent_examples``'s order, looked up by (layer, latent): one
    sort of the whole table instead of a filter and a sort for each latent (a site builds
    thousands of pages: 600 of them 0.47 s against 1.7 s)."""

    def __init__(self, examples: pd.DataFrame) -> None:
        ordered = _in_page_order(examples, ["layer", "latent"])
        self._groups = ordered.groupby(["layer", "latent"], sort=False)

    def __getitem__(self, key: tuple[int, int]) -> pd.DataFrame:
        return self._groups.get_group(key).reset_index(drop=True)


_KIND_ORDER = {kind: index for index, kind in enumerate(EXAMPLE_KINDS)}


def _in_page_order(rows: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """Sorted by ``first``, then by kind in ``EXAMPLE_KINDS`` order, each kind by rank."""
    keyed = rows.assign(_kind=rows["kind"].map(_KIND_ORDER))
    return keyed.sort_values([*first, "_kind", "rank"], kind="stable").drop(columns="_kind")


_MARKED = ("Ġ", "Ċ", "ĉ", "▁")
"""Marks of tokenizers that spell spaces into their tokens: byte-level BPE (GPT-2, GPT-NeoX) and
SentencePiece (▁)."""
_NO_SPACE_BEFORE = frozenset(".,;:!?)]}%'")
_NO_SPACE_AFTER = frozenset("([{$#@'")
_QUOTES = frozenset('"`')
"""Quote marks that open and close in turn: a space before an opening one, none after it."""


def display_token(token: str) -> str:
    """A token as a reader should see it: the byte-level BPE marks for a space (Ġ), a line break
    (Ċ) and a tab (ĉ), and SentencePiece's space (▁), shown as a space, ↵ and ⇥; everything else
    exactly as spelled."""
    return token.replace("Ġ", " ").replace("Ċ", "↵").replace("ĉ", "⇥").replace("▁", " ")


def display_tokens(tokens: Sequence[str]) -> list[str]:
    """A context's tokens as a reader should see them, each with the space that precedes it.

    Tokenizers that mark spaces in their tokens (``_MARKED``) are shown as spelled
    (``display_token``). Otherwise the context is read as WordPiece (BERT, MiniLM), which drops the
    spaces: a token starting with ``##`` continues the word before it and loses the mark; any
    other token starts a new word and gets a space, except before closing punctuation and after
    an opening bracket, an apostrophe or an opening quote (\" and ` open and close in turn). So
    ``app ##end ( cm`` reads "append (cm" rather than "app##end(cm", and ``a ` file ##no ( ) `
    method`` reads "a `fileno ()` method". A window that starts inside a word shows its first
    piece without the mark.
    """
    if any(mark in token for token in tokens for mark in _MARKED):
        return [display_token(token) for token in tokens]
    shown: list[str] = []
    open_quotes: set[str] = set()
    glue_next = True  # no space before the first token
    for token in tokens:
        if token.startswith("##") and len(token) > 2:
            shown.append(token[2:])
            glue_next = False
            continue
        closing = token in _QUOTES and token in open_quotes
        glue = glue_next or token in _NO_SPACE_BEFORE or closing
        shown.append(token if glue else " " + token)
        if token in _QUOTES:
            open_quotes ^= {token}
        glue_next = token in _NO_SPACE_AFTER or (token in _QUOTES and not closing)
    return shown


def shade(activation: float, max_activation: float) -> float:
    """The opacity of a token's background: its activation as a share of the latent's max."""
    if max_activation <= 0 or activation <= 0:
        return 0.0
    return float(min(activation / max_activation, 1.0))


def check_latent(trial: TrialTables, wanted: tuple[int, int] | None) -> tuple[int, int]:
    """Read and validate the trial's examples now (before anything is drawn) and pick the
    latent a one-latent rendering will draw; the errors name the trial."""
    assert trial.features is not None and trial.examples is not None
    return choose_latent(trial.features, trial.examples, wanted, str(trial.root / "tables"))
