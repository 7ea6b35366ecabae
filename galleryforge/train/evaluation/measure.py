"""Measure SAEs on a text into the three tables: ``layers``, ``features``, ``examples``.

The one place both commands go through: ``galleryforge evaluate`` measures the checkpoints it is
given, ``galleryforge train`` its trials' final checkpoints, read back from disk, on their
held-out text (``measure_final_checkpoints``), so the two agree to float precision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch

from galleryforge.tables import LAYERS, ordered, write_table
from galleryforge.train.data.eval_text import EvalText, heldout_text
from galleryforge.train.data.model import LoadedModel
from galleryforge.train.evaluation.downstream import EMBEDDING_COLUMNS, LM_COLUMNS
from galleryforge.train.evaluation.latent_tables import example_rows, feature_rows
from galleryforge.train.evaluation.passes import Evaluation, evaluate_saes
from galleryforge.train.evaluation.saelens import InferenceSAE, load_saes
from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.metrics import layer_rows


@dataclass
class Measured:
    layers: pd.DataFrame
    features: pd.DataFrame
    examples: pd.DataFrame
    evaluation: Evaluation


def measure(
    loaded: LoadedModel,
    saes: list[InferenceSAE],
    text: EvalText,
    trial: str,
    tokens: int,
    *,
    top_n: int = 20,
    n_random: int = 3,
    on_batch: Callable[[int], None] | None = None,
) -> Measured:
    """One pass over ``text`` (``evaluation.passes``); ``tokens`` is the checkpoint's."""
    evaluation = evaluate_saes(
        loaded, saes, text, top_n=top_n, n_random=n_random, on_batch=on_batch
    )
    return _tables(loaded, saes, evaluation, trial, tokens)


def _tables(
    loaded: LoadedModel, saes: list[InferenceSAE], evaluation: Evaluation, trial: str, tokens: int
) -> Measured:
    layers = [sae.hook.layer for sae in saes]
    measured = dict(evaluation.measured)
    dead = measured.pop("dead")
    coefs = torch.tensor([float(sae.cfg.get("l1_coefficient", 0.0) or 0.0) for sae in saes])
    widths: list[int] = [sae.d_sae for sae in saes]
    return Measured(
        layer_rows(trial, layers, tokens, widths, coefs, measured, dead),  # type: ignore[arg-type]
        feature_rows(
            trial,
            layers,
            evaluation.latents,
            evaluation.reconstruction,
            [sae.decoder_norms() for sae in saes],
        ),
        example_rows(trial, layers, evaluation.latents, loaded.tokenizer),
        evaluation,
    )


def measure_final_checkpoints(
    loaded: LoadedModel, runs: list[tuple[TrialConfig, Path]], tokens: int
) -> list[Measured]:
    """Training's final checkpoints, each ``(config, folder)`` as written, on the held-out text the
    trials share (they agree on every ``SOURCE_FIELDS`` field), in one pass of the model. Each
    run's tables are what ``measure`` gives for it alone."""
    device = next(loaded.model.parameters()).device
    per_run = [[sae.to(device) for sae in load_saes(folder)] for _, folder in runs]
    first = runs[0][0]
    text = heldout_text(first, loaded.tokenizer, first.model_batch)
    # Each SAE's random examples are seeded by its place in its own run, as ``measure`` seeds them.
    seeds = [index for saes in per_run for index in range(len(saes))]
    evaluation = evaluate_saes(loaded, [sae for saes in per_run for sae in saes], text, seeds=seeds)
    return [
        _tables(loaded, saes, part, cfg.name, tokens)
        for (cfg, _), saes, part in zip(
            runs, per_run, evaluation.split([len(saes) for saes in per_run]), strict=True
        )
    ]


def with_downstream(layers: pd.DataFrame, measured: Measured) -> pd.DataFrame:
    """``layers`` (training's rows) with the downstream columns of ``measured`` filled in at its
    checkpoint; other checkpoints leave them empty."""
    columns = [c for c in (*LM_COLUMNS, *EMBEDDING_COLUMNS) if c in measured.layers.columns]
    keys = ["layer", "tokens"]
    merged = layers.drop(columns=[c for c in columns if c in layers.columns]).merge(
        measured.layers[[*keys, *columns]], on=keys, how="left"
    )
    return ordered(merged, LAYERS)


def write_latent_tables(tables: Path, measured: Measured) -> None:
    write_table(measured.features, tables / "features.parquet")
    write_table(measured.examples, tables / "examples.parquet")
