"""Reading the site's hand-edited TOML sources: each problem becomes one line naming the file, the
key and the value (an ``InputError``), before anything is built."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from galleryforge.errors import InputError, unknown_name


def read_toml(path: Path) -> dict[str, Any]:
    """The file's tables; a missing file or bad TOML is an error naming the file."""
    if not path.is_file():
        raise InputError(path, "missing")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, f"not valid TOML ({error})") from error


def check_keys(
    path: Path,
    data: Mapping[str, Any],
    schema: Mapping[str, type],
    required: Iterable[str],
    where: str | None,
) -> None:
    """Every key of ``data`` known to ``schema`` and of its type, every ``required`` one present;
    ``where`` names the table the keys are in (None: the top level)."""
    prefix = f"{where}." if where else ""
    for key, value in data.items():
        if key not in schema:
            error = unknown_name("key", key, schema)
            raise InputError(path, str(error), field=f"{prefix}{key}")
        expected = schema[key]
        if not isinstance(value, expected):
            raise InputError(
                path, f"expected {_type_name(expected)}, got {value!r}", field=f"{prefix}{key}"
            )
    for key in required:
        if key not in data:
            raise InputError(path, "missing required key", field=f"{prefix}{key}")


def placeholder_names(source: Path | str, key: str, text: str) -> set[str]:
    """The ``{placeholder}`` names in ``text`` (the value of ``key``); a stray brace is an error."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise InputError(source, f"bad placeholder in {text!r} ({error})", field=key) from error


def check_placeholders(path: Path, key: str, text: str, allowed: frozenset[str]) -> None:
    """Every ``{placeholder}`` in ``text`` (the value of ``key``) is one of ``allowed``."""
    unknown = sorted(placeholder_names(path, key, text) - allowed)
    if unknown:
        raise InputError(
            path,
            f"unknown placeholder {{{unknown[0]}}} in {text!r}; known: "
            f"{', '.join('{' + a + '}' for a in sorted(allowed))}",
            field=key,
        )


def _type_name(kind: type) -> str:
    return {str: "a string", bool: "true or false", list: "a list"}.get(kind, kind.__name__)
