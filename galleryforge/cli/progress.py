"""A rich progress bar for the commands; library code reports progress through callbacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress


@contextmanager
def progress_bar(
    description: str, total: int, quiet: bool = False
) -> Iterator[Callable[[str], None]]:
    """Yield ``advance(label)``; draws a bar with count, elapsed time and ETA unless quiet."""
    if quiet:
        yield lambda label: None
        return
    with rich_progress() as progress:
        task = progress.add_task(description, total=total, label="")
        yield lambda label: progress.update(task, advance=1, label=label)


def rich_progress(unit: bool = False) -> Progress:
    """A rich Progress with the commands' columns: step, bar, count[, unit], elapsed, ETA, label.

    Tasks need a ``label`` field (and a ``unit`` field when ``unit`` is set).
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    counts = [MofNCompleteColumn(), *([TextColumn("{task.fields[unit]}")] if unit else [])]
    return Progress(
        TextColumn("[bold]{task.description:<18}"),
        BarColumn(),
        *counts,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[label]}"),
    )
