"""``galleryforge check``: validate a trial's tables and print a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def check(
    trial: Annotated[str, typer.Option("--trial", "-t", help="Trial name, 'toy', or 'all'.")],
    runs: Annotated[Path, typer.Option(help="Folder holding the run directories.")] = Path("runs"),
) -> None:
    """Validate a run's tables (exit 2 with the file, column and row on the first problem)."""
    from galleryforge.check_report import summarise_runs

    for line in summarise_runs(runs, trial):
        typer.echo(line)
