"""One trial's training state: its SAE, optimizer, sparsity coefficient, dead counter and table
rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from galleryforge.train.training.config import TrialConfig
from galleryforge.train.training.metrics import DeadCounter
from galleryforge.train.training.sae import StackedSAE
from galleryforge.train.training.sparsity_coefficient import SparsityCoefficient


@dataclass
class TrialState:
    """Everything that changes while one trial trains."""

    cfg: TrialConfig
    run_dir: Path
    sae: StackedSAE
    optimizer: torch.optim.Optimizer
    sparsity: SparsityCoefficient
    dead: DeadCounter
    logged_rows: list[pd.DataFrame] = field(default_factory=list)
    """Rows of ``tables/curves.parquet`` so far, one frame per logged step."""
    checkpoint_rows: list[pd.DataFrame] = field(default_factory=list)
    """Rows of ``tables/layers.parquet`` so far, one frame per checkpoint."""
    last_l0: float = float("nan")
    stopped_at: int | None = None
    """Tokens at which the convergence rule stopped the trial (``training.convergence``); None
    while it trains."""


def trial_state(cfg: TrialConfig, run_dir: Path, sae: StackedSAE, mean: torch.Tensor) -> TrialState:
    """The training state around a fresh ``sae``: decoder bias at the ``mean`` activation
    ([layers, d_in]), Adam, the sparsity penalty's coefficient (and its controller), the
    dead-latent counter."""
    with torch.no_grad():
        sae.b_dec.copy_(mean)
    betas = (cfg.adam_beta1, cfg.adam_beta2)
    optimizer = torch.optim.Adam(param_groups(sae, cfg), lr=cfg.lr, betas=betas, fused=True)
    rate = cfg.controller_rate if cfg.controller == "proportional" else 0.0
    sparsity = SparsityCoefficient(
        cfg.sparsity_coef, sae.n_layers, target_l0=cfg.target_l0, rate=rate, device=sae.b_dec.device
    )
    window_steps = -(-cfg.dead_window_tokens // cfg.batch_tokens)
    dead = DeadCounter(sae.n_layers, cfg.width, window_steps, sae.b_dec.device)
    return TrialState(cfg, run_dir, sae, optimizer, sparsity, dead)


def param_groups(sae: StackedSAE, cfg: TrialConfig) -> list[dict[str, Any]]:
    """Adam's parameter groups, each with its ``lr_scale`` (the trainer sets a group's lr to
    ``lr_scale`` times the schedule's): one group, or for ``jumprelu`` the thresholds apart at
    ``threshold_lr``."""
    if cfg.architecture != "jumprelu":
        return [{"params": list(sae.parameters()), "lr_scale": 1.0}]
    rest = [p for name, p in sae.named_parameters() if name != "log_threshold"]
    return [
        {"params": rest, "lr_scale": 1.0},
        {"params": [sae.log_threshold], "lr_scale": cfg.threshold_lr},
    ]


def release_training(trial: TrialState) -> None:
    """Free what only training needs, once the final checkpoint (its resume file included)
    holds it: Adam's moments, the gradients and the SAE's weights, three times the weights' size
    together, so the final measurement runs beside the model alone. The SAE is left with empty
    weights: a use after this fails at once rather than reading stale ones."""
    trial.optimizer.state.clear()
    for param in trial.sae.parameters():
        param.grad = None
        param.data = param.data.new_empty(0)
