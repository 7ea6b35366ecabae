"""Build the exact Hub repository of one trial in a local staging folder.

    <staging>/
      README.md                              model card (card.py)
      trial.toml, provenance.json            as the run recorded them
      tables/layers.parquet (+ curves)       the metric tables
      <tokens>/layer_<l>/{cfg.json, sae_weights.safetensors, sparsity.safetensors}

Each ``<tokens>/layer_<l>`` folder is one SAELens SAE whose ``sae_id`` is that path, so
``SAE.from_pretrained("<owner>/<name>", "<tokens>/layer_<l>")`` loads it. ``--checkpoints final``
stages only the last checkpoint under the same name it has in a full upload, so an SAE id never
changes between a final-only and a full publish. Resume state (optimizer, RNG) is never staged.

Every checkpoint folder is checked before anything is written, and the folder is built beside its
target and renamed into place, so a failed or interrupted staging leaves no partial repository.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from galleryforge.atomic import atomic_dir
from galleryforge.errors import GalleryforgeError
from galleryforge.publish.card import card_context, render_card
from galleryforge.publish.checkpoints import SAE_FILES, check_checkpoints
from galleryforge.runs import TABLE_SUFFIXES
from galleryforge.tables import TrialTables, load_trial_tables

CHECKPOINT_CHOICES = ("all", "final")
RECORDS = ("trial.toml", "provenance.json")


@dataclass(frozen=True)
class StagedFile:
    path: str
    """Path in the repo, with forward slashes."""
    bytes: int


@dataclass(frozen=True)
class Staged:
    folder: Path
    files: tuple[StagedFile, ...]
    checkpoints: tuple[int, ...]

    @property
    def total_bytes(self) -> int:
        return sum(f.bytes for f in self.files)


def select_checkpoints(trial: TrialTables, which: str) -> tuple[int, ...]:
    """Token counts to publish: every checkpoint of the layer table, or only the last one."""
    if which not in CHECKPOINT_CHOICES:
        raise GalleryforgeError(f"--checkpoints {which!r}: expected one of all, final")
    return trial.checkpoints if which == "all" else trial.checkpoints[-1:]


def stage_trial(run_dir: Path, staging: Path, repo_id: str, checkpoints: str = "all") -> Staged:
    """Check, then stage, the trial's checkpoints, records, tables and model card."""
    trial = load_trial_tables(run_dir)
    tokens = select_checkpoints(trial, checkpoints)
    saes = check_checkpoints(run_dir, tokens, trial.layer_ids)
    tables = sorted(
        p for p in (run_dir / "tables").iterdir() if p.is_file() and p.suffix in TABLE_SUFFIXES
    )
    config_path = run_dir / "trial.toml"
    config_toml = config_path.read_text(encoding="utf-8") if config_path.is_file() else None
    card = render_card(card_context(trial, repo_id, saes, config_toml, [p.name for p in tables]))
    with atomic_dir(staging) as tmp:
        for sae in saes:
            for name in SAE_FILES:
                _place(sae.folder / name, tmp / sae.sae_id / name)
        for name in RECORDS:
            if (run_dir / name).is_file():
                _place(run_dir / name, tmp / name)
        for table in tables:
            _place(table, tmp / "tables" / table.name)
        (tmp / "README.md").write_text(card, encoding="utf-8")
    return Staged(staging, _listing(staging), tokens)


def _place(source: Path, target: Path) -> None:
    """Hard-link when the file system allows (checkpoints run to tens of GB), else copy.

    A link is safe: training replaces a checkpoint folder by renaming a new one into place, so it
    never rewrites a file the staging folder shares.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _listing(folder: Path) -> tuple[StagedFile, ...]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return tuple(StagedFile(p.relative_to(folder).as_posix(), p.stat().st_size) for p in files)
