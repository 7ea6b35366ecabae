"""A run's records beside its tables: ``trial.toml`` (resolved config) and ``provenance.json``."""

from __future__ import annotations

import json
import platform
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import torch

import galleryforge
from galleryforge.atomic import write_text
from galleryforge.train.config_values import dumps_toml
from galleryforge.train.data.activations import ActivationSource
from galleryforge.train.data.model import LoadedModel
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
    import transformers

    return {
        "package": "galleryforge",
        "version": galleryforge.__version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "device": _device_name(device),
        "threads": torch.get_num_threads(),
        "model": cfg.model,
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


def git_commit() -> str | None:
    """The checkout's commit, if the package runs from a git checkout."""
    root = Path(galleryforge.__file__).resolve().parent.parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({platform.processor() or platform.machine()})"


def write_trial_toml(run_dir: Path, cfg: TrialConfig) -> None:
    header = "The full, resolved config of this trial (written by galleryforge train)."
    write_text(run_dir / "trial.toml", dumps_toml(cfg.to_dict(), header=header))
