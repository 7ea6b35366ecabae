"""What the reproducibility page shows for each run folder: its resolved config as written in TOML,
its provenance, and the checkpoints on disk with their Hub links."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from galleryforge.site.config import SiteConfig
from galleryforge.site.views import Fact, trial_label


@dataclass(frozen=True)
class CheckpointRow:
    tokens: int
    layers: tuple[tuple[int, str | None], ...]
    """(layer, Hub URL or None) for each layer saved at this milestone."""


@dataclass(frozen=True)
class RunRecord:
    """What the reproducibility page shows for one run folder."""

    name: str
    label: str
    config: tuple[Fact, ...]
    provenance: str
    checkpoints: tuple[CheckpointRow, ...]
    hub_repo_url: str | None


def run_record(
    name: str,
    root: Path,
    config: Mapping[str, Any],
    provenance: Mapping[str, Any],
    site: SiteConfig,
) -> RunRecord:
    hub = f"https://huggingface.co/{site.hub_repo}" if site.hub_repo else None
    return RunRecord(
        name=name,
        label=trial_label(name),
        config=tuple(Fact(k, _exact(v)) for k, v in _flatten(config)),
        provenance=json.dumps(provenance, indent=2, sort_keys=True, ensure_ascii=False)
        if provenance
        else "",
        checkpoints=_checkpoints(name, root, site),
        hub_repo_url=hub,
    )


def _checkpoints(trial: str, root: Path, site: SiteConfig) -> tuple[CheckpointRow, ...]:
    """Checkpoints on disk: ``checkpoints/<tokens>/layer_<l>/`` (the run layout, docs/tables.md)."""
    folder = root / "checkpoints"
    if not folder.is_dir():
        return ()
    rows = []
    milestones = [p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()]
    for milestone in sorted(milestones, key=lambda p: int(p.name)):
        tokens = int(milestone.name)
        layers = sorted(
            int(p.name.removeprefix("layer_"))
            for p in milestone.iterdir()
            if p.is_dir() and p.name.startswith("layer_") and p.name[6:].isdigit()
        )
        links = tuple((layer, site.hub_url(trial, tokens, layer)) for layer in layers)
        rows.append(CheckpointRow(tokens, links))
    return tuple(rows)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            items += _flatten(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items


def _exact(value: Any) -> str:
    """A config value as written in TOML (reproducing a run needs the exact value)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_exact(v) for v in value) + "]"
    return str(value)
