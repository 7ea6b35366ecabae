"""Finding run directories and their table files, without loading any table (no pandas)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from galleryforge.errors import GalleryforgeError, unknown_name

TOY = "toy"
TABLE_SUFFIXES = (".parquet", ".csv")


def table_path(folder: Path, stem: str) -> Path | None:
    """``<folder>/<stem>.parquet``, else ``<stem>.csv``, else None."""
    for suffix in TABLE_SUFFIXES:
        candidate = folder / f"{stem}{suffix}"
        if candidate.exists():
            return candidate
    return None


def discover_trials(runs_dir: str | Path) -> list[str]:
    """Names of the trial run directories under ``runs_dir`` (the toy run excluded), sorted."""
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        return []
    return sorted(
        child.name
        for child in runs_dir.iterdir()
        if child.is_dir() and child.name != TOY and table_path(child / "tables", "layers")
    )


def unknown_trial(runs_dir: Path, trial: str, known: Sequence[str]) -> GalleryforgeError:
    """The error for a trial that is not among ``known``: no runs folder at all, or the names
    of those there and the closest match."""
    if not runs_dir.is_dir():
        return GalleryforgeError(f"{runs_dir}: no such runs directory")
    return unknown_name("trial", trial, known, where=runs_dir)


def trial_run_dir(runs_dir: Path, trial: str) -> Path:
    """``runs_dir/<trial>``, or an error naming the trials that are there."""
    found = discover_trials(runs_dir)
    if trial not in found:
        raise unknown_trial(runs_dir, trial, found)
    return runs_dir / trial


def has_toy(runs_dir: str | Path) -> bool:
    return table_path(Path(runs_dir) / TOY / "tables", "summary") is not None


def run_input_files(run_dir: Path) -> list[Path]:
    """The files a run's figures are drawn from: its tables, config and provenance."""
    files = [p for p in sorted((run_dir / "tables").glob("*")) if p.suffix in TABLE_SUFFIXES]
    files += [p for p in (run_dir / "trial.toml", run_dir / "provenance.json") if p.exists()]
    return files
