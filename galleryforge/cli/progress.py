"""A rich progress bar for the commands; library code reports progress through callbacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


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


@contextmanager
def progress_plan(
    description: str, quiet: bool = False
) -> Iterator[tuple[Callable[[int], None], Callable[[str], None]]]:
    """Yield ``(planned(total), advance(label))`` for work whose size is known only once planned.

    Nothing is drawn until ``planned`` is called with a positive total (a cached gallery never is).
    """
    if quiet:
        yield (lambda total: None), (lambda label: None)
        return
    with rich_progress() as progress:
        task: list[TaskID] = []

        def planned(total: int) -> None:
            if total > 0:
                task.append(progress.add_task(description, total=total, label=""))

        def advance(label: str) -> None:
            if task:
                progress.update(task[0], advance=1, label=label)

        yield planned, advance


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
