"""A run's records beside its tables: ``trial.toml`` (resolved config) and ``provenance.json``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import torch

from galleryforge.atomic import write_text
from galleryforge.train.config_values import dumps_toml
from galleryforge.train.data.activations import ActivationSource
from galleryforge.train.data.model import LoadedModel
from galleryforge.train.provenance import environment
from galleryforge.train.training.config import TrialConfig


def provenance(
    cfg: TrialConfig,
    loaded: LoadedModel,
    source: ActivationSource,
    device: torch.device,
    started: datetime,
    scales: torch.Tensor,
    resumed_from: int | None = None,
) -> dict[str, Any]:
    """What produced a run; ``end_time``, ``tokens`` and ``tokens_per_s`` are added at the end.

    ``scales`` are every layer's normalisation scales (in a distributed run, gathered from the
    ranks); ``ranks`` and ``layer_split`` say how the layers were spread over processes.
    """
    return {
        **environment(device),
        "model": cfg.model,
        "model_weights": cfg.model_weights,
        "model_weights_seed": cfg.model_weights_seed,
        "d_model": loaded.d_model,
        "layers": source.all_layers,
        "ranks": source.ranks.world_size,
        "layer_split": source.ranks.shares,
        "corpus": source.corpus_name,
        "corpus_sha256": source.corpus_sha256,
        "activation_scales": [round(float(s), 6) for s in scales],
        "start_time": started.isoformat(timespec="seconds"),
        "resumed_from_tokens": resumed_from,
    }


def write_provenance(run_dir: Path, info: dict[str, Any]) -> None:
    write_text(run_dir / "provenance.json", json.dumps(info, indent=2) + "\n")


def write_trial_toml(run_dir: Path, cfg: TrialConfig) -> None:
    header = "The full, resolved config of this trial (written by galleryforge train)."
    write_text(run_dir / "trial.toml", dumps_toml(cfg.to_dict(), header=header))
