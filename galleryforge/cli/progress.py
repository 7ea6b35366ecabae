"""Progress for the commands; library code reports progress through callbacks.

On a terminal a rich bar redraws in place. Elsewhere (a Slurm job writing to a file, CI, a pipe) a
redrawn bar shows nothing until the end, so ``galleryforge.cli.plain_progress`` prints a plain line
for each task that moved every ``PLAIN_EVERY_S`` seconds, and once more when the command ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

PLAIN_EVERY_S = 30.0


@contextmanager
def progress_bar(
    description: str, total: int, quiet: bool = False
) -> Iterator[Callable[[str], None]]:
    """Yield ``advance(label)``; shows count, elapsed time and ETA unless quiet."""
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


def rich_progress(
    unit: bool = False,
    console: Console | None = None,
    every_s: float | None = None,
    clock: Callable[[], float] | None = None,
) -> Progress:
    """The commands' progress: step, bar, count[, unit], elapsed, ETA, label.

    Tasks need a ``label`` field (and a ``unit`` field when ``unit`` is set). On a ``console``
    (default: stdout) that is no terminal this is a ``PlainProgress``: a line per moved task every
    ``every_s`` seconds (default ``PLAIN_EVERY_S``) of ``clock`` (default: the console's).
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from galleryforge.cli.plain_progress import PlainProgress

    console = console or Console()
    counts = [MofNCompleteColumn(), *([TextColumn("{task.fields[unit]}")] if unit else [])]
    columns = (
        TextColumn("[bold]{task.description:<18}"),
        BarColumn(),
        *counts,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[label]}"),
    )
    if console.is_terminal:
        return Progress(*columns, console=console, get_time=clock)
    every = PLAIN_EVERY_S if every_s is None else every_s
    return PlainProgress(*columns, console=console, get_time=clock, every_s=every)
