"""Finding run directories and their table files, without loading any table (no pandas)."""

from __future__ import annotations

from pathlib import Path

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


def has_toy(runs_dir: str | Path) -> bool:
    return table_path(Path(runs_dir) / TOY / "tables", "summary") is not None


def run_input_files(run_dir: Path) -> list[Path]:
    """The files a run's figures are drawn from: its tables, config and provenance."""
    files = [p for p in sorted((run_dir / "tables").glob("*")) if p.suffix in TABLE_SUFFIXES]
    files += [p for p in (run_dir / "trial.toml", run_dir / "provenance.json") if p.exists()]
    return files
