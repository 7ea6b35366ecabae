"""Config values from the command line and TOML, and back to TOML: one set of rules for every
config dataclass (SAE trials and the toy experiment).

``coerce`` turns a ``--set`` string (``tokens=2e4``, ``layers=0,3``, ``alphas=[0.9, 0.99]``) or a
TOML value into a field's type; the callers word the error, naming their own config.
"""

from __future__ import annotations

import json
import typing
from typing import Any

from galleryforge.errors import GalleryforgeError


def split_assignment(item: str) -> tuple[str, str]:
    """``"key=value"`` → (key, value), both stripped."""
    key, sep, raw = item.partition("=")
    if not sep:
        raise GalleryforgeError(f"--set {item!r}: expected key=value")
    return key.strip(), raw.strip()


def coerce(kind: Any, value: Any) -> Any:
    """``value`` as ``kind`` (str, bool, int, float, or a list or tuple of one of them).

    Raises ValueError (or TypeError) when it does not fit: a bool is never a number, and an int
    must be whole (``2e4`` is fine, ``2.5`` is not).
    """
    origin = typing.get_origin(kind)
    if origin in (list, tuple):
        (item,) = typing.get_args(kind)[:1]
        if isinstance(value, str):
            value = [v for v in value.strip("[]() ").split(",") if v.strip()]
        elif not isinstance(value, list | tuple):
            value = [value]
        items = [coerce(item, v) for v in value]
        return tuple(items) if origin is tuple else items
    if kind is str:
        return str(value)
    if kind is bool:
        return _boolean(value)
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    number = float(value.strip()) if isinstance(value, str) else float(value)
    if kind is int:
        if not number.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        return int(number)
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{value!r} is not true or false")


def toml_value(value: Any) -> str:
    """A config value as TOML: strings, booleans, numbers and lists or tuples of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def dumps_toml(values: dict[str, Any], header: str = "", table: str | None = None) -> str:
    """Flat TOML of ``values``, after a ``# header`` comment and under ``[table]`` if given."""
    lines = [f"# {header}"] if header else []
    if table:
        lines.append(f"[{table}]")
    lines += [f"{key} = {toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"
