"""Load, layer and validate themes.

A theme is a TOML file of sizes, fonts, colours and palettes. It starts from ``base.toml``, then
``extends`` (another theme, by name or path) is merged under it, then the theme itself, then the
caller's overrides: a later layer replaces only the keys it names (the plotnine rule for partial
themes). Unknown keys and wrong types are errors that name the file and the key.

Built-in themes live in ``themes/``; a user's theme is a path to a ``.toml`` file, or a name found
in extra folders passed as ``search``.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from galleryforge.errors import GalleryforgeError, InputError, unknown_name
from galleryforge.resources import data_dir
from galleryforge.themes.spec import SECTIONS, Theme
from galleryforge.themes.values import build_theme

__all__ = ["BASE", "Theme", "available_themes", "builtin_dir", "load_theme", "theme_description"]

BASE = "base"
_TOP_KEYS = {"extends", "description", *SECTIONS}


def builtin_dir() -> Path:
    return data_dir("themes")


def available_themes(search: Sequence[Path] = ()) -> dict[str, Path]:
    """Theme names (``base`` excluded) → file, user folders first so they can shadow built-ins."""
    found: dict[str, Path] = {}
    for folder in [*search, builtin_dir()]:
        for path in sorted(Path(folder).glob("*.toml")):
            if path.stem != BASE:
                found.setdefault(path.stem, path)
    return found


def theme_description(path: Path) -> str:
    """The theme file's ``description`` (read without building the theme)."""
    return str(_read(path).get("description", ""))


def load_theme(
    name: str | Path,
    overrides: Mapping[str, Any] | None = None,
    search: Sequence[Path] = (),
) -> Theme:
    """The named (or file) theme over its parents and ``base``, with ``overrides`` on top."""
    path = _locate(name, search)
    layers = _layer_chain(path, search)
    merged: dict[str, Any] = {}
    for layer_path, layer in layers:
        _check_keys(layer, layer_path)
        merged = _merge(merged, layer)
    if overrides:
        _check_keys(dict(overrides), Path("<overrides>"))
        merged = _merge(merged, dict(overrides))
    return build_theme(path.stem, merged, path)


def _locate(name: str | Path, search: Sequence[Path]) -> Path:
    text = str(name)
    if text.endswith(".toml") or "/" in text or Path(text).is_file():
        path = Path(text)
        if not path.is_file():
            raise GalleryforgeError(f"{path}: no such theme file")
        return path
    known = available_themes(search)
    if text == BASE:
        return builtin_dir() / "base.toml"
    if text not in known:
        raise unknown_name("theme", text, known)
    return known[text]


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(path, f"cannot read the theme ({error})") from error


def _layer_chain(path: Path, search: Sequence[Path]) -> list[tuple[Path, dict[str, Any]]]:
    """[(base), ..., parent, theme]: each file once, parents before children."""
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if resolved in seen:
            cycle = " -> ".join(p.stem for p in [*seen, resolved])
            raise InputError(
                path, f"themes extend each other in a cycle ({cycle})", field="extends"
            )
        seen.append(resolved)
        data = _read(current)
        chain.append((current, data))
        parent = data.get("extends", BASE if current.stem != BASE else None)
        if parent is None:
            break
        if not isinstance(parent, str):
            raise InputError(current, f"expected a theme name, got {parent!r}", field="extends")
        sibling = current.parent / f"{parent}.toml"
        current = sibling if sibling.is_file() else _locate(parent, search)
    return list(reversed(chain))


def _check_keys(data: Mapping[str, Any], source: Path) -> None:
    for key, value in data.items():
        if key not in _TOP_KEYS:
            raise _unknown_key(source, key, sorted(_TOP_KEYS))
        if key in SECTIONS:
            if not isinstance(value, Mapping):
                raise InputError(source, f"expected a table, got {value!r}", field=key)
            allowed = [f.name for f in fields(SECTIONS[key])]
            for sub in value:
                if sub not in allowed:
                    raise _unknown_key(source, f"{key}.{sub}", [f"{key}.{a}" for a in allowed])


def _unknown_key(source: Path, key: str, allowed: Sequence[str]) -> InputError:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return InputError(source, f"unknown key{hint}", field=key)


def _merge(under: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(under)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
