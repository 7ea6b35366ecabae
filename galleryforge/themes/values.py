"""A theme's values: each checked against its field's type, colours and sizes validated.

Errors name the theme file and the key (``colors.text``, ``figure.dpi``) with the value found.
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from galleryforge.errors import InputError
from galleryforge.themes.spec import SECTIONS, ColorSpec, Theme

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


def build_theme(name: str, merged: Mapping[str, Any], source: Path) -> Theme:
    sections: dict[str, Any] = {}
    for section, spec in SECTIONS.items():
        values = merged.get(section, {})
        sections[section] = _build_section(spec, section, values, source)
    theme = Theme(
        name=name,
        description=str(merged.get("description", "")),
        source=str(source),
        **sections,
    )
    _check_values(theme, source)
    return theme


def _build_section(spec: type, section: str, values: Mapping[str, Any], source: Path) -> Any:
    hints = get_type_hints(spec)
    kwargs: dict[str, Any] = {}
    for f in fields(spec):
        key = f"{section}.{f.name}"
        if f.name not in values:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise InputError(source, "missing (and no parent theme sets it)", field=key)
            continue
        kwargs[f.name] = _coerce(values[f.name], hints[f.name], key, source)
    return spec(**kwargs)


def _coerce(value: Any, hint: Any, key: str, source: Path) -> Any:
    """Check ``value`` against a field's type; lists become tuples so themes stay hashable."""
    options = get_args(hint) if get_origin(hint) in (Union, types.UnionType) else (hint,)
    for option in options:
        if option is type(None) and value is None:
            return None
        if option is bool and isinstance(value, bool):
            return value
        if option is float and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if option is str and isinstance(value, str):
            return value
        is_list_of_strings = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if get_origin(option) is tuple and is_list_of_strings and value:
            return tuple(value)
    raise InputError(source, f"expected {_describe(hint)}, got {value!r}", field=key)


_TYPE_WORDS = {float: "a number", bool: "true or false", str: "a string"}


def _describe(hint: Any) -> str:
    options = get_args(hint) if get_origin(hint) in (Union, types.UnionType) else (hint,)
    words = [
        "a list of strings" if get_origin(o) is tuple else _TYPE_WORDS.get(o, str(o))
        for o in options
        if o is not type(None)
    ]
    return " or ".join(words)


def _check_values(theme: Theme, source: Path) -> None:
    for section in ("colors",):
        for f in fields(ColorSpec):
            value = getattr(getattr(theme, section), f.name)
            if not _HEX.match(value):
                raise InputError(
                    source,
                    f"expected a colour like '#1f77b4', got {value!r}",
                    field=f"{section}.{f.name}",
                )
    for name in ("categorical", "sequential", "diverging"):
        value = getattr(theme.palette, name)
        for colour in value if isinstance(value, tuple) else ():
            if not _HEX.match(colour):
                raise InputError(
                    source,
                    f"expected colours like '#1f77b4', got {colour!r}",
                    field=f"palette.{name}",
                )
    positive = {
        "figure.width_in": theme.figure.width_in,
        "figure.aspect": theme.figure.aspect,
        "figure.dpi": theme.figure.dpi,
        "font.size": theme.font.size,
    }
    for key, number in positive.items():
        if number <= 0:
            raise InputError(source, f"must be positive, got {number:g}", field=key)
    allowed_formats = {"png", "svg", "pdf", "html"}
    for fmt in theme.figure.formats:
        if fmt not in allowed_formats:
            raise InputError(
                source,
                f"unknown format {fmt!r} (known: png, svg, pdf, html)",
                field="figure.formats",
            )
