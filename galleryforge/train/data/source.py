"""Where a run's text comes from and how it is cut into contexts, sampled and batched.

These are fields of a trial's config (``training.config.TrialConfig``, where each is documented),
under the same names: the data pipeline reads only these, so it needs nothing from training.
``galleryforge evaluate`` reads them back from a training run's ``trial.toml`` to measure on that
run's held-out text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from galleryforge.errors import InputError


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

    @classmethod
    def from_config(cls, values: Mapping[str, Any], path: Path | None = None) -> Source:
        """The source fields of a trial config's values; a missing field names ``path``."""
        missing = [f.name for f in fields(cls) if f.name not in values]
        if missing:
            raise InputError(
                path or Path("trial.toml"), "missing: not a training run's config", field=missing[0]
            )
        return cls(**{f.name: values[f.name] for f in fields(cls)})
