"""The one error type users see: a one-line message naming the file, the field and the value.

The CLI turns a ``GalleryforgeError`` into that line on stderr and exit status 2; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class GalleryforgeError(Exception):
    """Bad input from the user (a file, a flag, a config value)."""

    exit_code = 2


class InputError(GalleryforgeError):
    """A problem located in one file: ``<file>: <field>[, row N]: <what is wrong>``."""

    def __init__(
        self,
        source: str | Path,
        message: str,
        *,
        field: str | None = None,
        row: int | None = None,
    ) -> None:
        self.source = str(source)
        self.field = field
        self.row = row
        self.detail = message
        location = self.source
        if field is not None:
            location += f": column '{field}'" if row is not None else f": '{field}'"
        if row is not None:
            location += f", row {row}"
        super().__init__(f"{location}: {message}")


def unknown_name(
    kind: str, name: str, known: Iterable[str], where: str | Path | None = None
) -> GalleryforgeError:
    """An error for an unknown id that suggests the closest known ones."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    place = f" in {where}" if where is not None else ""
    listing = ", ".join(known) if known else "none"
    return GalleryforgeError(f"unknown {kind} {name!r}{place}{hint}; known: {listing}")
