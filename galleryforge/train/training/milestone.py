"""What a run writes at each milestone: the trial's held-out metrics as table rows, its checkpoint
(SAELens files and resume state), and ``tables/layers.parquet`` and ``curves.parquet``.

At the final milestone the checkpoints just written are also measured the way ``galleryforge
evaluate`` measures any checkpoint (``evaluation.measure``, on the trials' shared held-out text):
the downstream fidelity columns of their rows, and ``tables/features.parquet`` and
``examples.parquet``.
Those passes run the model again over a few dozen contexts, once for each SAE (its reconstruction
spliced in) and once for each layer (its activation zero-ablated), so earlier milestones leave the
downstream columns empty. The trials are measured together: one clean pass and one ablated pass a
layer serve them all. Before it, the trials' Adam state, gradients and weights and the activation
buffer are freed (the checkpoints hold them); a run resumed from its final checkpoint whose
measurement did not finish runs it then (``measure_if_missing``).

Under ``torchrun`` every rank measures and saves its own layers; rank 0 gathers the rows and
writes the tables.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import torch

from galleryforge.tables import write_table
from galleryforge.train.data.activations import ActivationSource
from galleryforge.train.data.distributed import Ranks
from galleryforge.train.evaluation.measure import (
    Measured,
    measure_final_checkpoints,
    with_downstream,
    write_latent_tables,
)
from galleryforge.train.evaluation.table_rows import layer_rows
from galleryforge.train.training.checkpoint import save_checkpoint
from galleryforge.train.training.config import L0_TOLERANCE
from galleryforge.train.training.convergence import has_converged, mse_gain
from galleryforge.train.training.metrics import heldout_metrics
from galleryforge.train.training.resume import prune_resume_files, resume_state
from galleryforge.train.training.trial import TrialState, release_training


def save_milestone(
    trials: list[TrialState],
    step: int,
    tokens: int,
    *,
    source: ActivationSource,
    block_path: str,
    ranks: Ranks,
) -> None:
    """Measure every trial still training on the held-out set at ``tokens``, then save its
    checkpoint and tables; a trial stopped by the convergence rule keeps its last checkpoint.

    At the run's last milestone (the token cap, or every trial stopped) each trial's last
    checkpoint is measured, all together in one pass of the model.
    """
    active = [trial for trial in trials if trial.stopped_at is None]
    gathered = {
        trial.cfg.name: _save_checkpoint(trial, step, tokens, source, block_path, ranks)
        for trial in active
    }
    final = step == trials[0].cfg.steps or all(t.stopped_at is not None for t in trials)
    if final:
        _gather_stopped(trials, gathered, ranks)
    _write_tables(trials, active, gathered, tokens, final, source, ranks)


def measure_if_missing(
    trials: list[TrialState], step: int, tokens: int, *, source: ActivationSource, ranks: Ranks
) -> bool:
    """A run resumed from its final checkpoint whose final measurement did not finish (its
    per-latent tables are missing: the process died or was stopped during it) gets it now, from
    the checkpoints and the rows the resume files kept; True when it ran."""
    final = step == trials[0].cfg.steps or all(t.stopped_at is not None for t in trials)
    tables = [t.run_dir / "tables" / "features.parquet" for t in trials]
    missing = ranks.gather(not all(path.is_file() for path in tables))
    if not final or not any(missing):
        return False
    gathered: dict[str, list[tuple[pd.DataFrame, pd.DataFrame]]] = {}
    _gather_stopped(trials, gathered, ranks)
    _write_tables(trials, [], gathered, tokens, True, source, ranks)
    return True


def _gather_stopped(
    trials: list[TrialState],
    gathered: dict[str, list[tuple[pd.DataFrame, pd.DataFrame]]],
    ranks: Ranks,
) -> None:
    """A trial not checkpointed now (stopped earlier) gets its downstream columns at the final
    milestone too: its rows from each rank."""
    for trial in trials:
        if trial.cfg.name not in gathered:
            rows = (pd.concat(trial.checkpoint_rows), pd.concat(trial.logged_rows))
            gathered[trial.cfg.name] = ranks.gather(rows)


def _write_tables(
    trials: list[TrialState],
    active: list[TrialState],
    gathered: dict[str, list[tuple[pd.DataFrame, pd.DataFrame]]],
    tokens: int,
    final: bool,
    source: ActivationSource,
    ranks: Ranks,
) -> None:
    """Rank 0 writes every gathered trial's tables; at the final milestone, after freeing what
    only training needs (the checkpoints hold it now), with the final measurement's columns
    and per-latent tables."""
    if final:
        for trial in trials:
            release_training(trial)
        source.release()
    if not ranks.is_main:
        return
    for trial in active:
        prune_resume_files(trial.run_dir)
    written = [trial for trial in trials if trial.cfg.name in gathered]
    each_rank = [gathered[trial.cfg.name] for trial in written]
    all_layers = [_in_run_order([g[0] for g in each], "tokens") for each in each_rank]
    if final:  # every rank's layer folders are in place: measure them all
        last = {t.cfg.name: tokens if t.stopped_at is None else t.stopped_at for t in written}
        cfg = trials[0].cfg
        finals = list(
            measure_final_checkpoints(
                source.loaded,
                cfg.source,
                {t.cfg.name: _folder(t, last[t.cfg.name]) for t in written},
                tokens,
                weights=(cfg.model_weights, cfg.model_weights_seed),
            ).values()
        )
        for trial, final_measured in zip(written, finals, strict=True):
            write_latent_tables(trial.run_dir / "tables", final_measured)
        all_layers = [
            with_downstream(rows, _at_tokens(f, last[t.cfg.name]))
            for rows, f, t in zip(all_layers, finals, written, strict=True)
        ]
    for trial, layers, each in zip(written, all_layers, each_rank, strict=True):
        tables = trial.run_dir / "tables"
        write_table(layers, tables / "layers.parquet")
        write_table(_in_run_order([g[1] for g in each], "step"), tables / "curves.parquet")


def _at_tokens(measured: Measured, tokens: int) -> Measured:
    """``measured`` keyed at checkpoint ``tokens``: a trial the convergence rule stopped is
    measured at its last checkpoint, not at the run's."""
    return replace(measured, layers=measured.layers.assign(tokens=tokens))


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
    rows = layer_rows(
        cfg.name, trial.sae.layer_ids, tokens, cfg.width, l1_coefs, measured, trial.dead.dead()
    )
    if cfg.family and cfg.sparsity_target > 0:
        rows = with_l0_target(rows, cfg.sparsity_target)
    if cfg.stop_rule == "converged":
        rows = _with_convergence(trial, rows, tokens, ranks)
    trial.checkpoint_rows.append(rows)
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


def with_l0_target(rows: pd.DataFrame, target: float) -> pd.DataFrame:
    """``rows`` with the L0 the trial is held at (``target_l0``) and ``l0_off_target``: 1 where
    the measured L0 is further than ``L0_TOLERANCE`` (5%) from it."""
    off = (rows["l0"] / target - 1.0).abs() > L0_TOLERANCE
    return rows.assign(target_l0=float(target), l0_off_target=off.astype("int64"))


def _with_convergence(
    trial: TrialState, rows: pd.DataFrame, tokens: int, ranks: Ranks
) -> pd.DataFrame:
    """``rows`` with each layer's ``mse_gain`` over the last doubling and the trial's
    ``converged`` (every layer of every rank below ``converge_tol``); marks the trial stopped."""
    history = pd.concat([*trial.checkpoint_rows, rows]) if trial.checkpoint_rows else rows
    gain = mse_gain(history, tokens)
    converged = all(ranks.gather(has_converged(gain, trial.cfg.converge_tol)))
    if converged:
        trial.stopped_at = tokens
    return rows.assign(mse_gain=float("nan") if gain is None else gain, converged=int(converged))


def _folder(trial: TrialState, tokens: int) -> Path:
    return trial.run_dir / "checkpoints" / str(tokens)


def _in_run_order(frames: list[pd.DataFrame], by: str) -> pd.DataFrame:
    """The ranks' rows as one process orders them: by ``by``, then by rank (the layer shares are
    contiguous, so rank order is layer order)."""
    return pd.concat(frames).sort_values(by, kind="stable").reset_index(drop=True)
