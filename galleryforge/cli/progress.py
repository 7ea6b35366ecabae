"""A rich progress bar for the commands; library code reports progress through callbacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(
    description: str, total: int, quiet: bool = False
) -> Iterator[Callable[[str], None]]:
    """Yield ``advance(label)``; draws a bar with count, elapsed time and ETA unless quiet."""
    if quiet:
        yield lambda label: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[label]}"),
    )
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task(description, total=total, label="")
        yield lambda label: progress.update(task, advance=1, label=label)
