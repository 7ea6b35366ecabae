"""What a run writes at each milestone: the trial's held-out metrics as table rows, its checkpoint
(SAELens files and resume state), and ``tables/layers.parquet`` and ``curves.parquet``.

At the final milestone the checkpoints just written are also measured the way ``galleryforge
evaluate`` measures any checkpoint (``evaluation.measure``, on the trials' shared held-out text):
the downstream fidelity columns of their rows, and ``tables/features.parquet`` and
``examples.parquet``.
Those passes run the model again over a few dozen contexts, once for each SAE (its reconstruction
spliced in) and once for each layer (its activation zero-ablated), so earlier milestones leave the
downstream columns empty. The trials are measured together: one clean pass and one ablated pass a
layer serve them all.

Under ``torchrun`` every rank measures and saves its own layers; rank 0 gathers the rows and
writes the tables.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import torch

from galleryforge.tables import write_table
from galleryforge.train.data.activations import ActivationSource
from galleryforge.train.data.distributed import Ranks
from galleryforge.train.evaluation.measure import (
    measure_final_checkpoints,
    with_downstream,
    write_latent_tables,
)
from galleryforge.train.evaluation.table_rows import layer_rows
from galleryforge.train.training.checkpoint import save_checkpoint
from galleryforge.train.training.metrics import heldout_metrics
from galleryforge.train.training.resume import prune_resume_files, resume_state
from galleryforge.train.training.trial import TrialState


def save_milestone(
    trials: list[TrialState],
    step: int,
    tokens: int,
    *,
    source: ActivationSource,
    block_path: str,
    ranks: Ranks,
) -> None:
    """Measure every trial on the held-out set at ``tokens``, then save its checkpoint and tables.

    At the final step the trials' checkpoints are measured together, in one pass of the model.
    """
    gathered = [
        _save_checkpoint(trial, step, tokens, source, block_path, ranks) for trial in trials
    ]
    if not ranks.is_main:
        return
    for trial in trials:
        prune_resume_files(trial.run_dir)
    all_layers = [_in_run_order([g[0] for g in each], "tokens") for each in gathered]
    if step == trials[0].cfg.steps:  # every rank's layer folders are in place: measure them all
        finals = list(
            measure_final_checkpoints(
                source.loaded,
                trials[0].cfg.source,
                {t.cfg.name: _folder(t, tokens) for t in trials},
                tokens,
            ).values()
        )
        for trial, final in zip(trials, finals, strict=True):
            write_latent_tables(trial.run_dir / "tables", final)
        all_layers = [with_downstream(rows, f) for rows, f in zip(all_layers, finals, strict=True)]
    for trial, layers, each in zip(trials, all_layers, gathered, strict=True):
        tables = trial.run_dir / "tables"
        write_table(layers, tables / "layers.parquet")
        write_table(_in_run_order([g[1] for g in each], "step"), tables / "curves.parquet")


def _save_checkpoint(
    trial: TrialState,
    step: int,
    tokens: int,
    source: ActivationSource,
    block_path: str,
    ranks: Ranks,
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """Add the held-out rows at ``tokens``, write the checkpoint; every rank's rows (on rank 0)."""
    cfg, coefs = trial.cfg, trial.sparsity.coefs
    if cfg.architecture == "batchtopk":
        trial.sae.estimate_threshold(source.heldout)
    l1_coefs = coefs if cfg.architecture == "relu" else torch.zeros_like(coefs)
    measured = heldout_metrics(trial.sae, source.heldout, l1_coefs, cfg.l1_form)
    if cfg.architecture == "jumprelu":
        measured["l0_coef"] = coefs
    trial.checkpoint_rows.append(
        layer_rows(
            cfg.name, trial.sae.layer_ids, tokens, cfg.width, l1_coefs, measured, trial.dead.dead()
        )
    )
    # One frame each from now on, so later milestones concatenate less.
    layers, curves = pd.concat(trial.checkpoint_rows), pd.concat(trial.logged_rows)
    trial.checkpoint_rows, trial.logged_rows = [layers], [curves]
    save_checkpoint(
        _folder(trial, tokens),
        cfg,
        trial.sae,
        source.scales,
        trial.dead.log_sparsity(),
        block_path,
        resume_state(trial, source, step, ranks),
        ranks,
        l1_coefs=l1_coefs,
    )
    return ranks.gather((layers, curves))  # this rank's layers, from each rank


def _folder(trial: TrialState, tokens: int) -> Path:
    return trial.run_dir / "checkpoints" / str(tokens)


def _in_run_order(frames: list[pd.DataFrame], by: str) -> pd.DataFrame:
    """The ranks' rows as one process orders them: by ``by``, then by rank (the layer shares are
    contiguous, so rank order is layer order)."""
    return pd.concat(frames).sort_values(by, kind="stable").reset_index(drop=True)
