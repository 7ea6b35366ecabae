"""Table rows from measurements: ``layers.parquet`` rows from per-layer metrics (training's
held-out ones and an evaluation's), ``features.parquet`` and ``examples.parquet`` rows from an
evaluation's latent statistics.

Columns are documented in docs/tables.md and docs/evaluate.md; schemas and validation are
``galleryforge.tables``'s ``LAYERS``, ``FEATURES`` and ``EXAMPLES``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch

from galleryforge.kd import with_kd_columns
from galleryforge.tables import EXAMPLES, FEATURES, LAYERS, ordered
from galleryforge.train.evaluation.latent_stats import (
    WINDOW_BEFORE,
    Examples,
    LatentStats,
    bin_edges,
)
from galleryforge.train.evaluation.reconstruction import ReconstructionSums


def layer_rows(
    trial: str,
    layer_ids: list[int],
    tokens: int,
    widths: int | list[int],
    coefs: torch.Tensor,
    measured: dict[str, torch.Tensor],
    dead: torch.Tensor,
) -> pd.DataFrame:
    """One ``layers.parquet`` row per layer, KD columns included; ``widths`` is one for all layers
    or one per layer."""
    frame = pd.DataFrame(
        {
            "trial": trial,
            "layer": layer_ids,
            "tokens": tokens,
            "width": widths,
            "l1_coef": coefs.tolist(),
            "dead": dead.tolist(),
            **{name: value.tolist() for name, value in measured.items()},
        }
    )
    return ordered(with_kd_columns(frame), LAYERS)


def feature_rows(
    trial: str,
    layers: list[int],
    stats: list[LatentStats],
    sums: list[ReconstructionSums],
    decoder_norms: list[torch.Tensor],
) -> pd.DataFrame:
    """One row per (layer, latent). ``decoder_norms`` are on the raw activation's scale; the table
    gives them on the normalised scale of ``mse`` (E‖x‖² = d), where a unit-norm decoder shows 1."""
    frames = []
    for layer, stat, total, norms in zip(layers, stats, sums, decoder_norms, strict=True):
        d = total.sum_x.shape[-1] if total.sum_x is not None else 1
        scale = float((d * total.tokens / total.squared_norm).sqrt())
        fired = stat.fired.numpy()
        frames.append(
            pd.DataFrame(
                {
                    "trial": trial,
                    "layer": layer,
                    "latent": np.arange(len(fired)),
                    "latent_tokens": stat.tokens,
                    "frequency": fired / max(stat.tokens, 1),
                    "fired_tokens": fired.astype(np.int64),
                    "mean_activation": np.divide(
                        stat.total.numpy(), fired, out=np.zeros_like(fired), where=fired > 0
                    ),
                    "max_activation": stat.max.double().numpy(),
                    "decoder_norm": norms.double().cpu().numpy() * scale,
                }
            )
        )
    return ordered(pd.concat(frames, ignore_index=True), FEATURES)


def example_rows(
    trial: str, layers: list[int], stats: list[LatentStats], tokenizer: Any
) -> pd.DataFrame:
    """The top-N, the random and the activation-bin examples of every latent that fired, with
    their token windows; bin rows carry their bin's edges (``bin_low``, ``bin_high``), the
    others leave them empty."""
    frames = []
    for layer, stat in zip(layers, stats, strict=True):
        for kind, examples in (("top", stat.top), ("random", stat.random)):
            frames.append(_examples(trial, layer, kind, examples, tokenizer))
        binned = _examples(trial, layer, "bin", stat.bins, tokenizer)
        # Ranked by activation, largest first, so the bins come top one first.
        low, high = bin_edges(
            torch.tensor(binned["activation"].to_numpy(np.float32)),
            stat.max[torch.tensor(binned["latent"].to_numpy(np.int64))],
        )
        frames.append(binned.assign(bin_low=low.double().numpy(), bin_high=high.double().numpy()))
    return ordered(pd.concat(frames, ignore_index=True), EXAMPLES)


def _examples(
    trial: str, layer: int, kind: str, examples: Examples, tokenizer: Any
) -> pd.DataFrame:
    slot, latent = np.nonzero(np.isfinite(examples.score.numpy()))
    activation = examples.activation.numpy()[slot, latent].astype(np.float64)
    # By latent, then by activation, largest first (the random sample is kept by its keys).
    order = np.lexsort((-activation, latent))
    slot, latent, activation = slot[order], latent[order], activation[order]
    window_ids = examples.window_ids.numpy()[slot, latent]
    window_acts = examples.window_acts.numpy()[slot, latent].astype(np.float64)
    inside = window_ids >= 0
    strings = _token_strings(window_ids, inside, tokenizer)
    # A window's tokens inside its context are one run: slice the flat runs, not row by row.
    ends = np.cumsum(inside.sum(axis=1))
    runs = list(zip((ends - inside.sum(axis=1)).tolist(), ends.tolist(), strict=True))
    flat_strings, flat_acts = strings[inside], window_acts[inside]
    position = examples.position.numpy()[slot, latent]
    return pd.DataFrame(
        {
            "trial": trial,
            "layer": layer,
            "latent": latent,
            "kind": kind,
            "rank": _rank_within(latent),
            "activation": activation,
            "context": examples.context.numpy()[slot, latent],
            "position": position,
            # Windows lose the positions before the context's start.
            "focus": np.minimum(position, WINDOW_BEFORE),
            "tokens": [flat_strings[a:b] for a, b in runs],
            "token_activations": [flat_acts[a:b] for a, b in runs],
        }
    )


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2 … within each run of equal values of the sorted ``groups``."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    counts = np.diff(np.r_[starts, len(groups)])
    return np.arange(len(groups)) - np.repeat(starts, counts)


def _token_strings(ids: np.ndarray, inside: np.ndarray, tokenizer: Any) -> np.ndarray:
    """The tokenizer's string for every id (one lookup per distinct id); '' outside the window."""
    distinct = np.unique(ids[inside])
    table = np.array(tokenizer.convert_ids_to_tokens(distinct.tolist()) or [], dtype=object)
    strings = np.full(ids.shape, "", dtype=object)
    strings[inside] = table[np.searchsorted(distinct, ids[inside])]
    return strings
