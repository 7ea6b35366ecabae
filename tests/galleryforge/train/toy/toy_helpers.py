"""A toy config small enough to train end to end in a few seconds (shared by the toy tests)."""

from __future__ import annotations

from typing import Any

from galleryforge.train.toy.config import ToyConfig


def build_toy_cfg(**overrides: Any) -> ToyConfig:
    values: dict[str, Any] = {
        "alphas": (0.8, 0.95),
        "features": (8, 16),
        "seeds": (0, 1),
        "batch_size": 128,
        "eval_samples": 512,
        "eval_every": 25,
        "patience": 2,
        "max_steps": 400,
        "bootstrap": 50,
    }
    values.update(overrides)
    return ToyConfig(**values)
