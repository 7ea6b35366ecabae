"""Option values shared by the commands: comma lists and the default number of workers."""

from __future__ import annotations

import os
from collections.abc import Iterable


def comma_list(values: Iterable[str] | None) -> tuple[str, ...]:
    """Every name of a repeatable option, each occurrence possibly a comma list, in order.

    ``--theme paper,dark`` and ``--theme paper --theme dark`` mean the same; a repeated name is
    kept once.
    """
    names = (name.strip() for value in values or () for name in value.split(","))
    return tuple(dict.fromkeys(name for name in names if name))


def worker_count(jobs: int | None) -> int:
    """``jobs`` when given, else one worker per core."""
    return jobs or os.cpu_count() or 1


JOBS_HELP = "Worker processes (default: one per core)."
