"""Progress as plain lines, for output that is no terminal (a Slurm log, CI, a pipe).

A line per task that moved, every ``every_s`` seconds and once more at the end:

    train: 61,440/184,320 tokens (33%), 0:02:10 elapsed, 0:04:20 left, 472 tok/s  A-small L0 31
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rich.progress import Progress, Task, TaskID


class PlainProgress(Progress):
    """A ``Progress`` that draws no bar: a plain line for each task that moved, at most every
    ``every_s`` seconds (checked at each update), and at the end for those that moved since."""

    def __init__(self, *columns: Any, every_s: float, **options: Any) -> None:
        super().__init__(*columns, disable=True, **options)
        self.every_s = every_s
        self._due = self.get_time() + every_s
        self._shown: dict[TaskID, float] = {}  # each task's count at its last line

    def update(
        self,
        task_id: TaskID,
        *,
        total: float | None = None,
        completed: float | None = None,
        advance: float | None = None,
        description: str | None = None,
        visible: bool | None = None,
        refresh: bool = False,
        **fields: Any,
    ) -> None:
        super().update(
            task_id,
            total=total,
            completed=completed,
            advance=advance,
            description=description,
            visible=visible,
            refresh=refresh,
            **fields,
        )
        now = self.get_time()
        if now >= self._due:
            self._due = now + self.every_s
            self._print_moved()

    def stop(self) -> None:
        self._print_moved()
        super().stop()

    def _print_moved(self) -> None:
        for task in self.tasks:
            if task.completed and self._shown.get(task.id) != task.completed:
                self._shown[task.id] = task.completed
                self.console.print(plain_line(task), markup=False, highlight=False, soft_wrap=True)


def plain_line(task: Task) -> str:
    """``description: done/total unit (percent), elapsed, left, label``."""
    unit = f" {task.fields['unit']}" if task.fields.get("unit") else ""
    share = f" ({task.completed / task.total:.0%})" if task.total else ""
    total = f"/{task.total:,.0f}" if task.total is not None else ""
    left = _clock(task.time_remaining) if not task.finished else _clock(0)
    label = f", {task.fields['label']}" if task.fields.get("label") else ""
    return (
        f"{task.description}: {task.completed:,.0f}{total}{unit}{share}, "
        f"{_clock(task.elapsed)} elapsed, {left} left{label}"
    )


def _clock(seconds: float | None) -> str:
    return "?" if seconds is None else str(timedelta(seconds=round(seconds)))
