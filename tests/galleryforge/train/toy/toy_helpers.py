"""A toy config small enough to measure end to end in seconds (shared by the toy tests)."""

from __future__ import annotations

from typing import Any

from galleryforge.train.toy.config import ToyConfig


def build_toy_cfg(**overrides: Any) -> ToyConfig:
    values: dict[str, Any] = {
        "ks": (2.0,),
        "features": (16, 32),
        "seeds": (0, 1),
        "exact_samples": 64,
        "batch_size": 128,
        "eval_samples": 256,
        "eval_every": 25,
        "patience": 2,
        "max_steps": 400,
        "bootstrap": 50,
    }
    if "alphas" in overrides:
        values["ks"] = ()
    values.update(overrides)
    return ToyConfig(**values)
