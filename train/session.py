"""Train several trials from one model and one activation stream, into ``<out>/<trial>/``.

``train_trials`` loads the model once, builds the activation source once, gives every trial its
own stacked SAE, optimizer, L1 coefficient and dead counter, and lets the ``Trainer`` step them
together. It writes ``trial.toml`` and ``provenance.json``, and at every milestone a checkpoint and
the tables. Under ``torchrun`` the processes train one run together, each rank the SAEs of its
share of the layers (``train.distributed``); rank 0 writes the records and tables.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from galleryforge.errors import GalleryforgeError
from galleryforge.tables import read_config, write_table
from train.activations import ActivationSource
from train.checkpoint import (
    checkpoint_tokens,
    load_resume,
    prune_resume_files,
    save_checkpoint,
)
from train.config import SOURCE_FIELDS, TrialConfig
from train.controller import L1Coefficient
from train.distributed import DEFAULT_TIMEOUT_S, Ranks, process_group, rank_device
from train.metrics import DeadCounter, evaluate, layer_rows
from train.model import load_model
from train.records import provenance, write_provenance, write_trial_toml
from train.sae import StackedSAE
from train.trainer import Progress, Trainer, TrialState


def train_trials(
    configs: list[TrialConfig],
    out: Path,
    *,
    resume: bool = False,
    device: str = "auto",
    on_progress: Callable[[Progress], None] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> list[Path]:
    """Train every config from one forward pass per batch; return the run directories.

    Started by ``torchrun`` (``WORLD_SIZE`` > 1), every process calls this and they train the run
    together; a collective that waits ``timeout_s`` for a rank that died stops the run.
    """
    check_compatible(configs)
    torch_device = rank_device(resolve_device(device))
    with process_group(torch_device, timeout_s) as ranks:
        return _train(configs, out, resume, torch_device, on_progress, ranks)


def _train(
    configs: list[TrialConfig],
    out: Path,
    resume: bool,
    torch_device: torch.device,
    on_progress: Callable[[Progress], None] | None,
    ranks: Ranks,
) -> list[Path]:
    run_dirs = [out / cfg.name for cfg in configs]
    start_tokens = _resume_point(configs, run_dirs) if resume else None
    if not resume:
        for run_dir in run_dirs:
            if (run_dir / "checkpoints").exists() or (run_dir / "tables").exists():
                raise GalleryforgeError(
                    f"{run_dir} already holds a run; pass --resume to "
                    "continue it, or remove it or pick another --out"
                )
    first = configs[0]
    if torch_device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    model_dtype = torch.bfloat16 if torch_device.type == "cuda" else torch.float32
    loaded = load_model(first.model, torch_device, model_dtype)
    layers = first.layers or list(range(loaded.n_layers))
    if max(layers) >= loaded.n_layers:
        raise GalleryforgeError(
            f"config 'layers' = {layers}: {first.model} has "
            f"{loaded.n_layers} layers (0 to {loaded.n_layers - 1})"
        )
    positions = getattr(loaded.model.config, "max_position_embeddings", None)
    if positions is not None and first.context_size > positions:
        raise GalleryforgeError(
            f"config 'context_size' = {first.context_size}: {first.model} reads at most "
            f"{positions} positions"
        )
    ranks = ranks.with_layers(layers)  # more ranks than layers stop here
    started = datetime.now(UTC)
    source = ActivationSource(loaded, first, layers, torch_device, ranks)
    mean = source.heldout.mean(dim=1)  # each SAE starts at the mean activation
    trials = [
        trial_state(
            cfg,
            run_dir,
            StackedSAE(source.layers, loaded.d_model, cfg.width, seed=cfg.seed).to(torch_device),
            mean,
        )
        for cfg, run_dir in zip(configs, run_dirs, strict=True)
    ]
    step = 0
    if start_tokens is not None:
        step = start_tokens // first.batch_tokens
        states = [load_resume(t.run_dir, start_tokens, ranks.rank, source.layers) for t in trials]
        for trial, state in zip(trials, states, strict=True):
            _restore(trial, state)
        source.load_state(states[0]["source"])
    scales = torch.cat(ranks.gather(source.scales.cpu()))
    info = provenance(
        first, loaded, source, torch_device, started, scales, resumed_from=start_tokens
    )
    if ranks.is_main:
        for trial in trials:
            write_trial_toml(trial.run_dir, trial.cfg)
            write_provenance(trial.run_dir, info)

    def checkpoint(trial: TrialState, at_step: int, tokens: int) -> None:
        _checkpoint(trial, source, loaded.block_path, at_step, tokens, ranks)

    trainer = Trainer(trials, checkpoint, on_progress, step=step)
    began = time.perf_counter()
    trainer.fit(source.batches())
    info.update(
        end_time=datetime.now(UTC).isoformat(timespec="seconds"),
        tokens=trainer.tokens,
        wall_s=round(time.perf_counter() - began, 2),
        tokens_per_s=round(trainer.tokens_per_s(), 1),
    )
    if ranks.is_main:
        for trial in trials:
            write_provenance(trial.run_dir, info)
    ranks.barrier()  # no rank returns before the run is written
    return run_dirs


def check_compatible(configs: list[TrialConfig]) -> None:
    """Trials trained together must share the activation stream and have distinct names."""
    if not configs:
        raise GalleryforgeError("no trial to train")
    names = [cfg.name for cfg in configs]
    if len(set(names)) != len(names):
        raise GalleryforgeError(f"trial names repeat: {', '.join(names)}")
    first = configs[0]
    for cfg in configs[1:]:
        for name in SOURCE_FIELDS:
            if getattr(cfg, name) != getattr(first, name):
                raise GalleryforgeError(
                    f"trials {first.name!r} and {cfg.name!r} differ in '{name}' "
                    f"({getattr(first, name)!r} vs {getattr(cfg, name)!r}); trials trained "
                    "together share the activation stream, so train them separately"
                )


def resolve_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError as error:
        raise GalleryforgeError(f"--device {device!r}: {error}") from error
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise GalleryforgeError(f"--device {device!r}: no CUDA device here; use --device cpu")
    return resolved


def trial_state(cfg: TrialConfig, run_dir: Path, sae: StackedSAE, mean: torch.Tensor) -> TrialState:
    """The training state around a fresh ``sae``: decoder bias at the ``mean`` activation
    ([layers, d_in]), Adam, the L1 coefficient (and its controller), the dead-latent counter."""
    with torch.no_grad():
        sae.b_dec.copy_(mean)
    betas = (cfg.adam_beta1, cfg.adam_beta2)
    optimizer = torch.optim.Adam(sae.parameters(), lr=cfg.lr, betas=betas, fused=True)
    rate = cfg.controller_rate if cfg.controller == "proportional" else 0.0
    l1 = L1Coefficient(cfg.l1_coef, sae.n_layers, target_l0=cfg.target_l0, rate=rate)
    window_steps = -(-cfg.dead_window_tokens // cfg.batch_tokens)
    dead = DeadCounter(sae.n_layers, cfg.width, window_steps, sae.b_dec.device)
    return TrialState(cfg, run_dir, sae, optimizer, l1, dead)


def _checkpoint(
    trial: TrialState,
    source: ActivationSource,
    block_path: str,
    step: int,
    tokens: int,
    ranks: Ranks,
) -> None:
    cfg = trial.cfg
    measured = evaluate(trial.sae, source.heldout, trial.l1.coefs, cfg.l1_form)
    trial.layers.append(
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
    layers, curves = pd.concat(trial.layers), pd.concat(trial.curves)  # this rank's layers
    resume: dict[str, Any] = {
        "step": step,
        "layer_ids": trial.sae.layer_ids,
        "world_size": ranks.world_size,
        "sae": trial.sae.state_dict(),
        "optimizer": trial.optimizer.state_dict(),
        "l1": trial.l1.state_dict(),
        "dead": trial.dead.state_dict(),
        "source": source.state(),
        "rng": torch.get_rng_state(),
        "layers": layers.to_dict("list"),
        "curves": curves.to_dict("list"),
    }
    save_checkpoint(
        trial.run_dir / "checkpoints" / str(tokens),
        cfg,
        trial.sae,
        source.scales,
        trial.dead.log_sparsity(),
        block_path,
        resume,
        ranks,
    )
    gathered = ranks.gather((layers, curves))
    if ranks.is_main:
        prune_resume_files(trial.run_dir)
        tables = trial.run_dir / "tables"
        write_table(_in_run_order([g[0] for g in gathered], "tokens"), tables / "layers.parquet")
        write_table(_in_run_order([g[1] for g in gathered], "step"), tables / "curves.parquet")


def _in_run_order(frames: list[pd.DataFrame], by: str) -> pd.DataFrame:
    """The ranks' rows as one process orders them: by ``by``, then by rank (the layer shares are
    contiguous, so rank order is layer order)."""
    return pd.concat(frames).sort_values(by, kind="stable").reset_index(drop=True)


def _restore(trial: TrialState, state: dict[str, Any]) -> None:
    trial.sae.load_state_dict(state["sae"])
    trial.optimizer.load_state_dict(state["optimizer"])
    trial.l1.load_state_dict(state["l1"])
    trial.dead.load_state_dict(state["dead"])
    torch.set_rng_state(state["rng"])
    trial.layers = [pd.DataFrame(state["layers"])]
    trial.curves = [pd.DataFrame(state["curves"])]


def _resume_point(configs: list[TrialConfig], run_dirs: list[Path]) -> int:
    """The latest checkpoint every trial has, after checking the configs did not change."""
    common: set[int] | None = None
    for cfg, run_dir in zip(configs, run_dirs, strict=True):
        saved = read_config(run_dir / "trial.toml")
        changed = [k for k, v in cfg.to_dict().items() if saved.get(k, v) != v]
        if changed:
            raise GalleryforgeError(
                f"{run_dir / 'trial.toml'}: '{changed[0]}' was "
                f"{saved[changed[0]]!r}, now {getattr(cfg, changed[0])!r}; "
                "--resume needs the config the run started with"
            )
        found = set(checkpoint_tokens(run_dir))
        common = found if common is None else common & found
    if not common:
        raise GalleryforgeError(
            f"--resume: no checkpoint common to {', '.join(map(str, run_dirs))}"
            "; start without --resume"
        )
    return max(common)
