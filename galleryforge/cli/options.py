"""Options shared by the commands (``--jobs``, ``--rendering``, ``--quiet``) and their values: comma
lists and the default number of workers."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Annotated, Any

import typer


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

JobsOption = Annotated[int | None, typer.Option("--jobs", "-j", min=1, metavar="N", help=JOBS_HELP)]
"""``--jobs/-j N``; the command passes its value through ``worker_count``."""

QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print no progress.")]


def renderings_option(help: str) -> Any:
    """``--rendering/-r ID``, repeatable, each a name or a comma list (read with ``comma_list``)."""
    return typer.Option("--rendering", "-r", metavar="ID", help=help)
