"""Measure SAEs on a text into the tables ``layers``, ``features``, ``examples`` and, for a causal
LM, ``logits`` (each latent's logit effects, from the weights alone).

The one orchestrator both commands go through. ``galleryforge evaluate`` measures the checkpoints
it is given (``evaluation.evaluate``); ``galleryforge train`` measures its trials' final
checkpoints, read back from disk, on their held-out text (``measure_final_checkpoints``). Both
run under one precision rule: the model in fp32 (training's bf16 model on CUDA is loaded again in
fp32) and matrix products in full fp32, TF32 off (``full_fp32``), so the two agree to float
precision. Several runs' SAEs share one pass of the model (``passes``), and each
run's tables are what measuring it alone gives. The per-latent tables come from a second, larger
text (``latent_text``: a trial's ``latent_tokens``, evaluate's ``--latent-tokens``), read with the
encoders alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch

from galleryforge.tables import LAYERS, ordered, write_table
from galleryforge.train.data.eval_text import EvalText, corpus_text, heldout_text
from galleryforge.train.data.model import LoadedModel, load_model
from galleryforge.train.data.source import Source
from galleryforge.train.evaluation.downstream import EMBEDDING_COLUMNS, LM_COLUMNS
from galleryforge.train.evaluation.latent_stats import LatentStats
from galleryforge.train.evaluation.logit_effects import logit_rows, readout
from galleryforge.train.evaluation.passes import Evaluation, count_latents, evaluate_saes
from galleryforge.train.evaluation.saelens import InferenceSAE, load_saes
from galleryforge.train.evaluation.table_rows import example_rows, feature_rows, layer_rows


@dataclass
class Measured:
    layers: pd.DataFrame
    features: pd.DataFrame
    examples: pd.DataFrame
    evaluation: Evaluation
    latents: list[LatentStats]
    logits: pd.DataFrame | None = None
    """Each latent's top logit effects; None for a model without an LM head."""


def measure(
    loaded: LoadedModel,
    runs: dict[str, list[InferenceSAE]],
    text: EvalText,
    tokens: int,
    latent_text: EvalText,
    *,
    top_n: int = 20,
    n_random: int = 3,
    on_batch: Callable[[int], None] | None = None,
) -> dict[str, Measured]:
    """Each run's SAEs (by run name) over ``text`` in one pass of the model, then their encoders
    over ``latent_text``; ``tokens`` is the checkpoint's. ``on_batch(tokens so far, both passes
    together)`` reports progress."""
    with full_fp32():
        return _measure(loaded, runs, text, tokens, latent_text, top_n, n_random, on_batch)


@contextmanager
def full_fp32() -> Iterator[None]:
    """Matrix products in full fp32 on CUDA (training allows TF32 for its step): every
    measurement, training's final one and ``galleryforge evaluate``'s, runs under one rule."""
    matmul, cudnn = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = matmul, cudnn


def _measure(
    loaded: LoadedModel,
    runs: dict[str, list[InferenceSAE]],
    text: EvalText,
    tokens: int,
    latent_text: EvalText,
    top_n: int,
    n_random: int,
    on_batch: Callable[[int], None] | None,
) -> dict[str, Measured]:
    groups = list(runs.values())
    saes = [sae for group in groups for sae in group]
    evaluation = evaluate_saes(loaded, saes, text, on_batch=on_batch)
    done = evaluation.reconstruction[0].tokens

    def latent_progress(counted: int) -> None:
        if on_batch is not None:
            on_batch(done + counted)

    latents = count_latents(
        loaded,
        saes,
        latent_text,
        top_n=top_n,
        n_random=n_random,
        on_batch=latent_progress,
        # Each SAE's random examples are seeded by its place in its own run, as when measured
        # alone.
        seeds=[index for group in groups for index in range(len(group))],
    )
    sizes = [len(group) for group in groups]
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    parts = evaluation.split(sizes)
    return {
        name: _tables(loaded, group, part, latents[start : start + len(group)], name, tokens)
        for (name, group), part, start in zip(runs.items(), parts, starts, strict=True)
    }


def latent_corpus_text(source: Source, tokenizer: object) -> EvalText:
    """The text a trial's per-latent statistics are counted on: the first ``latent_tokens``
    ordinary tokens of its corpus, packed as training packs them. They overlap the held-out
    buffer and the first training tokens: the statistics describe the SAE on its training
    distribution, as SAELens's and Neuronpedia's dashboards do."""
    return corpus_text(
        source.dataset,
        tokenizer,
        source.context_size,
        source.latent_tokens,
        source.model_batch,
        source.dataset_split,
        source.text_column,
    )


def measure_final_checkpoints(
    loaded: LoadedModel,
    source: Source,
    folders: dict[str, Path],
    tokens: int,
    weights: tuple[str, int] = ("trained", 0),
) -> dict[str, Measured]:
    """Training's final checkpoints (run name → checkpoint folder), on the held-out text of
    ``source``, which the trials trained together share. ``loaded`` is training's model; one not
    in fp32 (bf16 on CUDA) is loaded again in fp32 for the measurement, with the trials'
    ``model_weights`` and seed (``weights``), as ``galleryforge evaluate`` loads it."""
    device = next(loaded.model.parameters()).device
    if next(loaded.model.parameters()).dtype != torch.float32:
        loaded = load_model(loaded.name, device, torch.float32, *weights)
    runs = {name: [sae.to(device) for sae in load_saes(folder)] for name, folder in folders.items()}
    text = heldout_text(source, loaded.tokenizer, source.model_batch)
    return measure(loaded, runs, text, tokens, latent_corpus_text(source, loaded.tokenizer))


def with_downstream(layers: pd.DataFrame, measured: Measured) -> pd.DataFrame:
    """``layers`` (training's rows) with the downstream columns of ``measured`` (and SAELens's
    explained variance, which needs the raw activations) filled in at its checkpoint; other
    checkpoints leave them empty."""
    wanted = (*LM_COLUMNS, *EMBEDDING_COLUMNS, "explained_variance_saelens")
    columns = [c for c in wanted if c in measured.layers.columns]
    keys = ["layer", "tokens"]
    merged = layers.drop(columns=[c for c in columns if c in layers.columns]).merge(
        measured.layers[[*keys, *columns]], on=keys, how="left"
    )
    return ordered(merged, LAYERS)


def write_latent_tables(tables: Path, measured: Measured) -> None:
    write_table(measured.features, tables / "features.parquet")
    write_table(measured.examples, tables / "examples.parquet")
    if measured.logits is not None:
        write_table(measured.logits, tables / "logits.parquet")
    else:  # not left from an earlier run of another model: the pages would show it
        (tables / "logits.parquet").unlink(missing_ok=True)


def _tables(
    loaded: LoadedModel,
    saes: list[InferenceSAE],
    evaluation: Evaluation,
    latents: list[LatentStats],
    trial: str,
    tokens: int,
) -> Measured:
    layers = [sae.hook.layer for sae in saes]
    measured = dict(evaluation.measured)
    dead = measured.pop("dead")
    coefs = torch.tensor([sae.l1_coefficient for sae in saes])
    return Measured(
        layer_rows(trial, layers, tokens, [sae.d_sae for sae in saes], coefs, measured, dead),
        feature_rows(
            trial,
            layers,
            latents,
            evaluation.reconstruction,
            [sae.decoder_norms() for sae in saes],
        ),
        example_rows(trial, layers, latents, loaded.tokenizer),
        evaluation,
        latents,
        _logits(loaded, saes, layers, trial),
    )


def _logits(
    loaded: LoadedModel, saes: list[InferenceSAE], layers: list[int], trial: str
) -> pd.DataFrame | None:
    matrix = readout(loaded)
    if matrix is None or any(sae.d_in != matrix.shape[0] for sae in saes):
        return None
    return logit_rows(trial, layers, saes, matrix, loaded.tokenizer)
