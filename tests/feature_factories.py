"""Synthetic per-latent tables (features, examples, logits) for tests and benchmarks. Made up here.

Shaped like galleryforge/train/evaluation/table_rows.py's output: a log-normal firing frequency
per regime, a share of dead latents (frequency 0, no examples), a few dense ones, and for each
latent that fired its top examples and 3 random ones, each a window of tokens with one activation
per token; on request (``bins=True``) 2 examples from each of three activation bins, and
(``build_logits``) 10 logit effects each way for the latents with examples.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from galleryforge.tables import EXAMPLES, FEATURES, LOGITS, ordered, write_table

HOSTILE_TOKEN = "<script>alert('token')</script>"
"""Put in the first example's window by ``write_feature_tables(hostile=True)``: pages must show it
as text."""
REGIMES = {  # trial -> (median log10 frequency, dead share)
    "A": (-1.6, 0.02),
    "B": (-2.4, 0.05),
    "C": (-3.6, 0.2),
}
TOKENS = 100_000  # counted tokens: frequencies are multiples of 1 / TOKENS
WORDS = np.array(
    ["Ġthe", "Ġcat", "Ġsat", ",", "Ġon", "Ġa", "Ġmat", ".", "Ċ", "def", "Ġreturn", "Ġ$x$", "Ġ&"]
)


def build_features(
    trial: str = "B", n_layers: int = 4, width: int = 256, seed: int = 0
) -> pd.DataFrame:
    """One row per (layer, latent); vectorised, so 24 × 32,768 rows take a second."""
    rng = np.random.default_rng(seed)
    median, dead_share = REGIMES.get(trial, REGIMES["B"])
    layer = np.repeat(np.arange(n_layers), width)
    latent = np.tile(np.arange(width), n_layers)
    log_freq = np.clip(rng.normal(median, 0.8, layer.size), -5, -0.05)
    fired = np.round(10.0**log_freq * TOKENS).astype(np.int64)
    fired[rng.random(layer.size) < dead_share] = 0
    max_act = np.where(fired > 0, rng.gamma(4.0, 2.0, layer.size) + 0.5, 0.0)
    frame = pd.DataFrame(
        {
            "trial": trial,
            "layer": layer,
            "latent": latent,
            "latent_tokens": TOKENS,
            "frequency": fired / TOKENS,
            "fired_tokens": fired,
            "mean_activation": max_act * 0.4,
            "max_activation": max_act,
            "decoder_norm": rng.uniform(0.8, 1.2, layer.size),
        }
    )
    return ordered(frame, FEATURES)


BINNED = (0, 3, -1)
"""The bins ``build_examples(bins=True)`` fills, 2 examples each: the first, the fourth and the
top one (j·w, (j + 1)·w], w = 2^⌈log₂ max⌉ / 8, the top bin ending at the max."""


def bin_rows(alive: pd.DataFrame) -> pd.DataFrame:
    """Two made-up ``bin`` examples in each of ``BINNED`` for every latent of ``alive``, with
    their bins' edges; the top bin's examples at the max and just under it."""
    rows = []
    for trial, layer, latent, top in alive[
        ["trial", "layer", "latent", "max_activation"]
    ].itertuples(index=False):
        width = 2.0 ** math.ceil(math.log2(top)) / 8
        n_bins = math.ceil(top / width)
        picked = sorted({j % n_bins for j in BINNED}, reverse=True)
        rank = 0
        for j in picked:
            low, high = j * width, min((j + 1) * width, top)
            for share in (1.0, 0.5):
                rows.append(
                    (trial, layer, latent, "bin", rank, low + share * (high - low), low, high)
                )
                rank += 1
    return pd.DataFrame(
        rows,
        columns=["trial", "layer", "latent", "kind", "rank", "activation", "bin_low", "bin_high"],
    )


def build_examples(
    features: pd.DataFrame,
    top: int = 5,
    window: int = 8,
    max_latents: int | None = None,
    seed: int = 0,
    bins: bool = False,
) -> pd.DataFrame:
    """Top ``top`` and 3 random examples for each latent that fired (the first ``max_latents``
    of each layer when given), and with ``bins`` the rows of ``bin_rows``; the top activation of
    each latent is its ``max_activation``."""
    rng = np.random.default_rng(seed)
    alive = features[features["fired_tokens"] > 0]
    if max_latents is not None:
        alive = alive.groupby("layer").head(max_latents)
    binned = bin_rows(alive) if bins else None
    kinds = ["top"] * top + ["random"] * 3
    ranks = list(range(top)) + list(range(3))
    max_act = np.repeat(alive["max_activation"].to_numpy(), len(kinds))
    step = np.tile(
        [0.9**r if k == "top" else 0.2 * 0.8**r for k, r in zip(kinds, ranks, strict=True)],
        len(alive),
    )
    keys = pd.DataFrame(
        {
            "trial": np.repeat(alive["trial"].to_numpy(), len(kinds)),
            "layer": np.repeat(alive["layer"].to_numpy(), len(kinds)),
            "latent": np.repeat(alive["latent"].to_numpy(), len(kinds)),
            "kind": np.tile(kinds, len(alive)),
            "rank": np.tile(ranks, len(alive)),
            "activation": max_act * step,
        }
    )
    if binned is not None:
        keys = pd.concat([keys, binned], ignore_index=True)
        keys = keys.sort_values(["layer", "latent"], kind="stable").reset_index(drop=True)
    n = len(keys)
    activation = keys["activation"].to_numpy()
    max_act = (
        keys.merge(features, on=["trial", "layer", "latent"], how="left")["max_activation"]
    ).to_numpy()
    focus = rng.integers(0, window, n)
    acts = rng.uniform(0, 0.3, (n, window)) * max_act[:, None]
    acts[acts < 0.15 * max_act[:, None]] = 0.0
    acts[np.arange(n), focus] = activation
    words = WORDS[rng.integers(0, len(WORDS), (n, window))]
    frame = keys.assign(
        **{
            "context": rng.integers(0, 1000, n),
            "position": focus + 20,
            "focus": focus,
            "tokens": list(words),
            "token_activations": list(acts),
        }
    )
    return ordered(frame, EXAMPLES)


LOGIT_WORDS = np.array(["Ġfoo", "Ġbar", "Ġbaz", "ing", "Ġ(", ")", "Ġ1", "Ġ2", "Ġyes", "Ġno", "."])


def build_logits(examples: pd.DataFrame, hostile: bool = False, seed: int = 0) -> pd.DataFrame:
    """10 positive and 10 negative logit effects, strongest first, for every latent with
    examples; ``hostile``: the first latent's top promoted token is ``HOSTILE_TOKEN``."""
    rng = np.random.default_rng(seed)
    latents = examples[["trial", "layer", "latent"]].drop_duplicates().reset_index(drop=True)
    rows = []
    for trial, layer, latent in latents.itertuples(index=False):
        for sign, direction in (("positive", 1.0), ("negative", -1.0)):
            effects = np.sort(rng.uniform(0.05, 2.0, 10))[::-1] * direction
            ids = rng.choice(len(LOGIT_WORDS), 10, replace=len(LOGIT_WORDS) < 10)
            for rank in range(10):
                token = str(LOGIT_WORDS[ids[rank]])
                rows.append(
                    (trial, layer, latent, sign, rank, int(ids[rank]), token, effects[rank])
                )
    frame = pd.DataFrame(rows, columns=list(LOGITS.names))
    if hostile:
        frame.at[0, "token"] = HOSTILE_TOKEN
    return ordered(frame, LOGITS)


def write_feature_tables(
    run_dir: Path,
    n_layers: int = 4,
    width: int = 256,
    examples: bool = True,
    hostile: bool = False,
    logits: bool = False,
    **kw: object,
) -> pd.DataFrame:
    """Write ``tables/features.parquet`` (and ``examples.parquet``, and with ``logits``
    ``logits.parquet``) into a run; return features.

    ``hostile``: the first example's token (the one it fired on) becomes ``HOSTILE_TOKEN``, as
    does the first latent's top promoted token."""
    trial = run_dir.name
    features = build_features(trial, n_layers, width)
    write_table(features, run_dir / "tables" / "features.parquet")
    if examples:
        table = build_examples(features, **kw)  # type: ignore[arg-type]
        if hostile:
            first, focus = list(table.at[0, "tokens"]), int(table.at[0, "focus"])
            table.at[0, "tokens"] = [*first[:focus], HOSTILE_TOKEN, *first[focus + 1 :]]
        write_table(table, run_dir / "tables" / "examples.parquet")
        if logits:
            write_table(build_logits(table, hostile), run_dir / "tables" / "logits.parquet")
    return features
