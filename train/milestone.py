"""What a run writes at each milestone: the trial's held-out metrics as table rows, its checkpoint
(SAELens files and resume state), and ``tables/layers.parquet`` and ``curves.parquet``.

At the final milestone the checkpoint just written is also measured the way ``galleryforge
evaluate`` measures any checkpoint (``train.measure``, on the trial's held-out text): the
downstream fidelity columns of its rows, and ``tables/features.parquet`` and ``examples.parquet``.
Those passes run the model again, a dozen passes over a few dozen contexts, so earlier milestones
leave the downstream columns empty.

Under ``torchrun`` every rank measures and saves its own layers; rank 0 gathers the rows and
writes the tables.
"""

from __future__ import annotations

import pandas as pd

from galleryforge.tables import write_table
from train.activations import ActivationSource
from train.checkpoint import save_checkpoint
from train.distributed import Ranks
from train.measure import measure_final_checkpoint, with_downstream, write_latent_tables
from train.metrics import evaluate, layer_rows
from train.resume import prune_resume_files, resume_state
from train.trial import TrialState


def save_milestone(
    trial: TrialState,
    step: int,
    tokens: int,
    *,
    source: ActivationSource,
    block_path: str,
    ranks: Ranks,
) -> None:
    """Measure ``trial`` on the held-out set at ``tokens``, then save its checkpoint and tables."""
    cfg = trial.cfg
    measured = evaluate(trial.sae, source.heldout, trial.l1.coefs, cfg.l1_form)
    trial.checkpoint_rows.append(
        layer_rows(
            cfg.name,
            trial.sae.layer_ids,
            tokens,
            cfg.width,
            trial.l1.coefs,
            measured,
            trial.dead.dead(),
        )
    )
    # One frame each from now on, so later milestones concatenate less.
    layers, curves = pd.concat(trial.checkpoint_rows), pd.concat(trial.logged_rows)
    trial.checkpoint_rows, trial.logged_rows = [layers], [curves]
    folder = trial.run_dir / "checkpoints" / str(tokens)
    save_checkpoint(
        folder,
        cfg,
        trial.sae,
        source.scales,
        trial.dead.log_sparsity(),
        block_path,
        resume_state(trial, source, step, ranks),
        ranks,
        l1_coefs=trial.l1.coefs,
    )
    gathered = ranks.gather((layers, curves))  # this rank's layers, from each rank
    if ranks.is_main:
        prune_resume_files(trial.run_dir)
        tables = trial.run_dir / "tables"
        all_layers = _in_run_order([g[0] for g in gathered], "tokens")
        if step == cfg.steps:  # every rank's layer folders are in place: measure them all
            final = measure_final_checkpoint(source.loaded, cfg, folder, tokens)
            all_layers = with_downstream(all_layers, final)
            write_latent_tables(tables, final)
        write_table(all_layers, tables / "layers.parquet")
        write_table(_in_run_order([g[1] for g in gathered], "step"), tables / "curves.parquet")


def _in_run_order(frames: list[pd.DataFrame], by: str) -> pd.DataFrame:
    """The ranks' rows as one process orders them: by ``by``, then by rank (the layer shares are
    contiguous, so rank order is layer order)."""
    return pd.concat(frames).sort_values(by, kind="stable").reset_index(drop=True)
