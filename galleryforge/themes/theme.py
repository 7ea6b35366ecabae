"""Load, layer and validate themes.

A theme is a TOML file of sizes, fonts, colours and palettes. It starts from ``base.toml``, then
``extends`` (another theme, by name or path) is merged under it, then the theme itself, then the
caller's overrides: a later layer replaces only the keys it names (the plotnine rule for partial
themes). Unknown keys and wrong types are errors that name the file and the key.

Built-in themes live in ``themes/``; a user's theme is a path to a ``.toml`` file, or a name found
in extra folders passed as ``search``.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from galleryforge.errors import GalleryforgeError, InputError, unknown_name
from galleryforge.resources import data_dir

BASE = "base"
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


@dataclass(frozen=True)
class FigureSpec:
    width_in: float
    """Canvas width in inches."""
    aspect: float
    """Height / width for an ordinary figure; renderings may ask for taller canvases."""
    dpi: float
    """Raster resolution (pixels per inch) for PNG output."""
    formats: tuple[str, ...]
    """Formats written when the caller names none."""
    tight: bool = False
    """Crop to the drawn content (changes the canvas size; never for fixed-size cards)."""
    height_in: float | None = None
    """A fixed height: every rendering gets exactly width_in × height_in (social cards)."""

    @property
    def fixed_size(self) -> bool:
        return self.height_in is not None


@dataclass(frozen=True)
class FontSpec:
    family: tuple[str, ...]
    size: float
    title_size: float
    label_size: float
    tick_size: float
    annotation_size: float
    weight_title: str = "bold"


@dataclass(frozen=True)
class ColorSpec:
    background: str
    panel: str
    text: str
    muted: str
    axes: str
    grid: str
    accent: str
    highlight: str
    reference: str
    annotation_light: str
    """Text drawn on dark cells."""
    annotation_dark: str
    """Text drawn on light cells."""


@dataclass(frozen=True)
class PaletteSpec:
    sequential: str | tuple[str, ...]
    """A matplotlib colormap name or a list of colours from low to high."""
    diverging: str | tuple[str, ...]
    categorical: tuple[str, ...]


@dataclass(frozen=True)
class LineSpec:
    width: float
    marker_size: float
    grid: bool = True
    grid_width: float = 0.6
    spine_width: float = 0.8


@dataclass(frozen=True)
class OutputSpec:
    embed_fonts: bool = True


@dataclass(frozen=True)
class Theme:
    name: str
    description: str
    figure: FigureSpec
    font: FontSpec
    colors: ColorSpec
    palette: PaletteSpec
    lines: LineSpec
    output: OutputSpec = field(default_factory=OutputSpec)
    source: str = ""
    """The file the theme came from (for messages and the manifest)."""

    @property
    def is_dark(self) -> bool:
        return _luminance(self.colors.background) < 0.4

    def figsize(self, aspect: float | None = None) -> tuple[float, float]:
        """(width, height) in inches: the fixed card size, else width × the requested aspect."""
        if self.figure.height_in is not None:
            return (self.figure.width_in, self.figure.height_in)
        return (self.figure.width_in, self.figure.width_in * (aspect or self.figure.aspect))

    def categorical(self, n: int) -> list[str]:
        """n colours from the categorical palette, cycling when n exceeds it."""
        palette = self.palette.categorical
        return [palette[i % len(palette)] for i in range(n)]


_SECTIONS: dict[str, type] = {
    "figure": FigureSpec,
    "font": FontSpec,
    "colors": ColorSpec,
    "palette": PaletteSpec,
    "lines": LineSpec,
    "output": OutputSpec,
}
_TOP_KEYS = {"extends", "description", *_SECTIONS}


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
    return _build(path.stem, merged, path)


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
        if key in _SECTIONS:
            if not isinstance(value, Mapping):
                raise InputError(source, f"expected a table, got {value!r}", field=key)
            allowed = [f.name for f in fields(_SECTIONS[key])]
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


def _build(name: str, merged: Mapping[str, Any], source: Path) -> Theme:
    sections: dict[str, Any] = {}
    for section, spec in _SECTIONS.items():
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


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
