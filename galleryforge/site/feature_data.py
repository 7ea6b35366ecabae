"""The feature browser's data: per layer, the latent index in script shards, and which latents
get a page.

The index of a layer lists every latent (frequency, fired tokens, mean and max activation, and the
tokens its top examples fire on, for search). It is split into shards of ``SHARD_SIZE`` latents,
each a small script that hands its rows to the page (``gfFeatureShard({...})``): scripts load
from ``file://`` where ``fetch`` of a JSON file would not, and a 32,768-latent layer arrives in
eight pieces rather than one large file. The page builds its table from the rows with
``textContent``, so corpus text is never parsed as markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from galleryforge.latents import DENSE_FREQUENCY, display_tokens

SHARD_SIZE = 4096
SEARCH_TOKENS = 5  # distinct tokens of the top examples kept per latent for search


@dataclass(frozen=True)
class LayerData:
    trial: str
    layer: int
    latents: int
    unseen: int
    """Latents not seen firing in the ``tokens`` counted (not "dead": training's word)."""
    dense: int
    tokens: int
    """Tokens the layer's per-latent statistics were counted on."""
    with_examples: int
    pages: tuple[int, ...]
    """Latents that get a page, in latent order."""
    shards: tuple[str, ...]
    """Each shard's script text, in latent order."""


def fired_on(examples: pd.DataFrame) -> dict[int, dict[int, list[str]]]:
    """layer → latent → up to ``SEARCH_TOKENS`` distinct tokens its top examples fired on, in
    rank order."""
    top = examples[examples["kind"] == "top"].sort_values(["layer", "latent", "rank"])
    found: dict[int, dict[int, list[str]]] = {}
    # One pass in plain Python: a pandas group-by applying a function per latent took seconds
    # for a demo run's 6 × 1,024 latents.
    rows = zip(
        top["layer"].tolist(),
        top["latent"].tolist(),
        top["tokens"],
        top["focus"].tolist(),
        strict=True,
    )
    for layer, latent, window, focus in rows:
        words = found.setdefault(layer, {}).setdefault(latent, [])
        if len(words) < SEARCH_TOKENS:
            token = display_tokens([str(window[focus])])[0]
            token = token.strip() or token
            if token not in words:
                words.append(token)
    return found


def page_latents(
    features: pd.DataFrame, has_examples: np.ndarray, max_pages: int | None
) -> tuple[int, ...]:
    """The latents with examples; when ``max_pages`` is set, that many that fired most often."""
    candidates = features[has_examples]
    if max_pages is not None:
        candidates = candidates.sort_values(["fired_tokens", "latent"], ascending=[False, True])
        candidates = candidates.head(max_pages)
    return tuple(sorted(int(x) for x in candidates["latent"]))


def layer_data(
    trial: str,
    layer: int,
    features: pd.DataFrame,
    tokens: dict[int, list[str]],
    max_pages: int | None,
) -> LayerData:
    """``features``: the layer's rows; ``tokens``: ``fired_on`` for this layer, by latent."""
    features = features.sort_values("latent")
    latent = features["latent"].to_numpy()
    words = [tokens.get(int(x), []) for x in latent]
    has_examples = np.array([bool(w) for w in words], dtype=bool)
    pages = page_latents(features, has_examples, max_pages)
    on_page = np.isin(latent, np.array(pages, dtype=np.int64))
    columns = zip(
        latent.tolist(),
        features["frequency"].tolist(),
        features["fired_tokens"].tolist(),
        features["mean_activation"].round(4).tolist(),
        features["max_activation"].round(4).tolist(),
        words,
        on_page.astype(int).tolist(),
        strict=True,
    )
    rows = [list(row) for row in columns]
    shards = tuple(
        _shard_script(trial, layer, index, rows[start : start + SHARD_SIZE])
        for index, start in enumerate(range(0, len(rows), SHARD_SIZE))
    )
    frequency = features["frequency"].to_numpy()
    return LayerData(
        trial=trial,
        layer=layer,
        latents=len(features),
        unseen=int((frequency == 0).sum()),
        dense=int((frequency > DENSE_FREQUENCY).sum()),
        tokens=int(features["latent_tokens"].min()),
        with_examples=int(has_examples.sum()),
        pages=pages,
        shards=shards,
    )


def _shard_script(trial: str, layer: int, index: int, rows: list[list[object]]) -> str:
    # ensure_ascii: the script is plain ASCII whatever the corpus held; a "</script>" in a token
    # cannot end anything, since the file is loaded by src, never inlined.
    payload = {"trial": trial, "layer": layer, "shard": index, "rows": rows}
    return (
        "gfFeatureShard(" + json.dumps(payload, ensure_ascii=True, separators=(",", ":")) + ");\n"
    )


def shard_name(index: int) -> str:
    return f"shard-{index:03d}.js"
