"""Where a run's text comes from and how it is cut into contexts, sampled and batched.

These are fields of a trial's config (``training.config.TrialConfig``, where each is documented),
under the same names: the data pipeline reads only these, so it needs nothing from training.
``galleryforge evaluate`` reads them back from a training run's ``trial.toml`` to measure on that
run's held-out text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

from galleryforge.errors import InputError

DEFAULT_LATENT_TOKENS = 100_000
"""Tokens for per-latent statistics unless a config says otherwise: 1e-5 is one firing in them."""


@dataclass(frozen=True)
class Source:
    name: str
    """The trial's name (it labels the held-out text)."""
    dataset: str
    dataset_split: str
    text_column: str
    context_size: int
    model_batch: int
    batch_tokens: int
    buffer_tokens: int
    heldout_tokens: int
    seed: int
    latent_tokens: int = DEFAULT_LATENT_TOKENS
    """Runs made before this field existed measured on ``heldout_tokens``; read back, they get
    the default."""

    @classmethod
    def from_config(cls, values: Mapping[str, Any], path: Path | None = None) -> Source:
        """The source fields of a trial config's values; a missing field names ``path``."""
        missing = [f.name for f in fields(cls) if f.name not in values and f.default is MISSING]
        if missing:
            raise InputError(
                path or Path("trial.toml"), "missing: not a training run's config", field=missing[0]
            )
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})
