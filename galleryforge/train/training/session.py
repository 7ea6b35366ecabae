"""Train several trials from one model and one activation stream, into ``<out>/<trial>/``.

``train_trials`` loads the model once, builds the activation source once, gives every trial its
own stacked SAE, optimizer, L1 coefficient and dead counter, and lets the ``Trainer`` step them
together. It writes ``trial.toml`` and ``provenance.json``, and at every milestone a checkpoint and
the tables (``training.milestone``); ``--resume`` continues from the latest checkpoint every trial
has (``training.resume``). Under ``torchrun`` the processes train one run together, each rank the
SAEs of its share of the layers (``data.distributed``); rank 0 writes the records and tables.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import torch

from galleryforge.errors import GalleryforgeError
from galleryforge.train.data.activations import ActivationSource
from galleryforge.train.data.distributed import DEFAULT_TIMEOUT_S, Ranks, process_group, rank_device
from galleryforge.train.data.model import LoadedModel, load_model, resolve_device
from galleryforge.train.training.config import SOURCE_FIELDS, TrialConfig, resolved_precision
from galleryforge.train.training.memory_plan import (
    GIB,
    available_bytes,
    check_fits,
    plan_memory,
    shape_of,
)
from galleryforge.train.training.milestone import measure_if_missing, save_milestone
from galleryforge.train.training.records import provenance, write_provenance, write_trial_toml
from galleryforge.train.training.resume import refuse_existing, restore_run, resume_point
from galleryforge.train.training.sae import Activation, StackedSAE
from galleryforge.train.training.trainer import Progress, Trainer
from galleryforge.train.training.trial import TrialState, trial_state


def train_trials(
    configs: list[TrialConfig],
    out: Path,
    *,
    resume: bool = False,
    device: str = "auto",
    on_progress: Callable[[Progress], None] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_gib: float | None = None,
) -> list[Path]:
    """Train every config from one forward pass per batch; return the run directories.

    Started by ``torchrun`` (``WORLD_SIZE`` > 1), every process calls this and they train the run
    together; a collective that waits ``timeout_s`` for a rank that died stops the run. Before
    the activation buffer fills, the memory plan (``memory_plan``) is checked against the
    device's available memory, or ``memory_gib``.
    """
    check_compatible(configs)
    torch_device = rank_device(resolve_device(device))
    with process_group(torch_device, timeout_s) as ranks:
        return _train(configs, out, resume, torch_device, on_progress, ranks, memory_gib)


def _train(
    configs: list[TrialConfig],
    out: Path,
    resume: bool,
    device: torch.device,
    on_progress: Callable[[Progress], None] | None,
    ranks: Ranks,
    memory_gib: float | None = None,
) -> list[Path]:
    first, run_dirs = configs[0], [out / cfg.name for cfg in configs]
    if not resume:
        refuse_existing(run_dirs)
    start_tokens = resume_point(configs, run_dirs) if resume else None
    loaded = _load_model(first, device)
    layers = _layers_to_train(first, loaded)
    ranks = ranks.with_layers(layers)  # more ranks than layers stop here
    check_memory(configs, loaded, device, len(ranks.layers), memory_gib)  # before the buffer
    started = datetime.now(UTC)
    source = ActivationSource(loaded, first.source, layers, device, ranks)
    trials = [_new_trial(cfg, out / cfg.name, source) for cfg in configs]
    step = 0 if start_tokens is None else restore_run(trials, source, start_tokens, ranks)
    if start_tokens is not None:  # resumed at the end, its final measurement unfinished
        measure_if_missing(trials, step, start_tokens, source=source, ranks=ranks)
    scales = torch.cat(ranks.gather(source.scales.cpu()))
    info = provenance(first, loaded, source, device, started, scales, resumed_from=start_tokens)
    _write_records(trials, info, ranks, device, with_config=True)
    checkpoint = partial(save_milestone, source=source, block_path=loaded.block_path, ranks=ranks)
    info.update(_fit(Trainer(trials, checkpoint, on_progress, step=step), source))
    _write_records(trials, info, ranks, device)
    ranks.barrier()  # no rank returns before the run is written
    return run_dirs


def source_groups(configs: list[TrialConfig]) -> list[list[TrialConfig]]:
    """``configs`` split into the groups that can train together (equal ``SOURCE_FIELDS``), in
    the order each group's first trial comes: a trial and its random-weights control read
    different models, so each gets its own forward pass."""
    groups: dict[tuple[str, ...], list[TrialConfig]] = {}
    for cfg in configs:
        key = tuple(repr(getattr(cfg, name)) for name in SOURCE_FIELDS)
        groups.setdefault(key, []).append(cfg)
    return list(groups.values())


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


def check_memory(
    configs: list[TrialConfig],
    loaded: LoadedModel,
    device: torch.device,
    n_layers: int,
    memory_gib: float | None = None,
) -> None:
    """Stop with one line when a phase of training ``configs`` (``n_layers`` of their layers in
    this process) cannot fit the device's available memory, or ``memory_gib`` (``memory_plan``).
    The loaded model is in the plan, so on the CPU its bytes count as available too."""
    model = loaded.model
    held = sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers()])
    available = int(memory_gib * GIB) if memory_gib else available_bytes(device, held)
    plan = plan_memory(configs, shape_of(model), device, available, layers=n_layers)
    check_fits(plan)


def _load_model(cfg: TrialConfig, device: torch.device) -> LoadedModel:
    """The model in bf16 with TF32 matmuls on CUDA, in fp32 on the CPU."""
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    return load_model(cfg.model, device, dtype, cfg.model_weights, cfg.model_weights_seed)


def _layers_to_train(cfg: TrialConfig, loaded: LoadedModel) -> list[int]:
    """The config's layers (default: all), after checking the model has them and its context."""
    layers = cfg.layers or list(range(loaded.n_layers))
    if max(layers) >= loaded.n_layers:
        raise GalleryforgeError(
            f"config 'layers' = {layers}: {cfg.model} has "
            f"{loaded.n_layers} layers (0 to {loaded.n_layers - 1})"
        )
    positions = getattr(loaded.model.config, "max_position_embeddings", None)
    if positions is not None and cfg.context_size > positions:
        raise GalleryforgeError(
            f"config 'context_size' = {cfg.context_size}: {cfg.model} reads at most "
            f"{positions} positions"
        )
    return layers


def _new_trial(cfg: TrialConfig, run_dir: Path, source: ActivationSource) -> TrialState:
    """A fresh SAE of ``source``'s layers, its decoder bias at the mean activation."""
    d_model = source.loaded.d_model
    # JumpReLU's ε and starting threshold are given on the literature's scale, activations with
    # unit mean squared norm; here that norm is d_model, so pre-activations are √d_model larger.
    scale = math.sqrt(d_model)
    activation = Activation(
        cfg.architecture, cfg.k, cfg.bandwidth * scale, cfg.threshold_init * scale
    )
    sae = StackedSAE(source.layers, d_model, cfg.width, seed=cfg.init_seed, activation=activation)
    sae = sae.to(source.device)
    return trial_state(cfg, run_dir, sae, source.mean)


def _write_records(
    trials: list[TrialState],
    info: dict[str, Any],
    ranks: Ranks,
    device: torch.device,
    with_config: bool = False,
) -> None:
    """Rank 0 writes every trial's ``provenance.json`` (and, at the start, ``trial.toml``): the
    run's record, and the trial's own ``precision`` as resolved on ``device``."""
    if ranks.is_main:
        for trial in trials:
            if with_config:
                write_trial_toml(trial.run_dir, trial.cfg)
            precision = resolved_precision(trial.cfg.precision, device.type)
            write_provenance(trial.run_dir, {**info, "precision": precision})


def _fit(trainer: Trainer, source: ActivationSource) -> dict[str, Any]:
    """Train to the end; return what provenance adds at the end of a run."""
    began = time.perf_counter()
    trainer.fit(source.batches())
    return {
        "end_time": datetime.now(UTC).isoformat(timespec="seconds"),
        "tokens": trainer.tokens,
        "wall_s": round(time.perf_counter() - began, 2),
        "tokens_per_s": round(trainer.tokens_per_s(), 1),
    }
