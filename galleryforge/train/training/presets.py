"""Presets: small TOML files of ``TrialConfig`` fields, with ``extends`` and typed overrides.

A preset is a name of a file in ``presets/`` (``A``, ``B-small``, ...) or a path to a TOML
file. ``extends = "A-small"`` starts from another preset; the trial name is the preset's own name
unless the file sets ``name``. ``--set key=value`` overrides are parsed against the field's type:
``tokens=2e4`` is an int, ``layers=0,2`` a list. Unknown keys name the close matches. A preset
with ``widths`` (or ``--set widths=128,256``) stands for a width family: ``load_trials`` gives one
trial per width. A preset holding only ``trials = ["topk-small", ...]`` is a group: the presets it
names, trained together from one forward pass.
"""

from __future__ import annotations

import difflib
import tomllib
import typing
from pathlib import Path
from typing import Any

from galleryforge.errors import GalleryforgeError, InputError, unknown_name
from galleryforge.resources import data_dir
from galleryforge.train.config_values import coerce as coerce_value
from galleryforge.train.config_values import split_assignment
from galleryforge.train.training.config import (
    FIELD_NAMES,
    ConfigValueError,
    TrialConfig,
    family_members,
)

_TYPES = typing.get_type_hints(TrialConfig)


def preset_names() -> list[str]:
    """Trial presets in ``presets/`` (those naming a model or extending another preset; the
    folder also holds the toy experiment's presets)."""
    folder = data_dir("presets")
    names = []
    for item in folder.iterdir():
        if item.name.endswith(".toml"):
            keys = tomllib.loads(item.read_text(encoding="utf-8")).keys()
            if "model" in keys or "extends" in keys or "trials" in keys:
                names.append(item.name.removesuffix(".toml"))
    return sorted(names)


def load_preset(preset: str, overrides: list[str] | None = None) -> TrialConfig:
    """The resolved config of one preset (name or TOML path) with ``key=value`` overrides."""
    values = _resolve(preset, seen=())
    given = parse_overrides(overrides or [])
    values.update(given)
    try:
        return TrialConfig(**values)
    except ConfigValueError as error:
        where = f"--set {error.field}" if error.field in given else _where(preset)
        raise GalleryforgeError(f"{where}: {error}") from None


def _where(preset: str) -> str:
    """A preset as an error names it: its file, or its packaged name."""
    return preset if Path(preset).suffix == ".toml" else f"preset {preset!r}"


def load_trials(preset: str, overrides: list[str] | None = None) -> list[TrialConfig]:
    """The trials one preset names: its config, each member of its width family, or each trial
    of a group's presets (the overrides apply to every one)."""
    group = _group(preset)
    if group:
        return [trial for name in group for trial in load_trials(name, overrides)]
    return family_members(load_preset(preset, overrides))


def _group(preset: str) -> list[str]:
    """The presets a group names (``trials = [...]``, nothing else), or [] for a trial preset."""
    name, text = _preset_file(preset)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(preset, f"not valid TOML ({error})") from error
    if "trials" not in data:
        return []
    trials = data["trials"]
    if set(data) != {"trials"} or not isinstance(trials, list) or not trials:
        raise InputError(preset, "a group holds only a non-empty list of presets", field="trials")
    if name in trials:
        raise InputError(preset, f"a group cannot name itself ({name!r})", field="trials")
    return [str(trial) for trial in trials]


def parse_overrides(overrides: list[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for item in overrides:
        key, raw = split_assignment(item)
        _check_key(key, f"--set {key}")
        parsed[key] = coerce(key, raw)
    return parsed


def coerce(key: str, value: Any) -> Any:
    """``value`` (a string from the command line, or a TOML value) as the type of field ``key``."""
    kind = _TYPES[key]
    try:
        return coerce_value(kind, value)
    except (TypeError, ValueError):
        name = getattr(kind, "__name__", str(kind)).replace("list", "list of int")
        raise GalleryforgeError(f"config '{key}' = {value!r}: expected {name}") from None


def _check_key(key: str, where: str) -> None:
    if key not in FIELD_NAMES:
        close = difflib.get_close_matches(key, FIELD_NAMES, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        raise GalleryforgeError(f"{where}: unknown config key {key!r}{hint}")


def _preset_file(preset: str) -> tuple[str, str]:
    """(trial name, TOML text) of a preset name or path."""
    path = Path(preset)
    if path.suffix == ".toml":
        if not path.is_file():
            raise GalleryforgeError(f"{preset}: no such preset file")
        return path.stem, path.read_text(encoding="utf-8")
    packaged = data_dir("presets") / f"{preset}.toml"
    if preset not in preset_names():
        raise unknown_name("preset", preset, preset_names())
    return preset, packaged.read_text(encoding="utf-8")


def _resolve(preset: str, seen: tuple[str, ...]) -> dict[str, Any]:
    if preset in seen:
        raise GalleryforgeError(f"preset {preset!r} extends itself ({' -> '.join(seen)})")
    name, text = _preset_file(preset)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(preset, f"not valid TOML ({error})") from error
    if "trials" in data:
        raise GalleryforgeError(
            f"preset {preset!r} is a group of trials ({', '.join(map(str, data['trials']))}): "
            "name it in --preset, or load it with load_trials"
        )
    parent = data.pop("extends", None)
    values = _resolve(str(parent), (*seen, preset)) if parent else {}
    values["name"] = name
    for key, value in data.items():
        _check_key(key, f"preset {preset!r}")
        values[key] = coerce(key, value)
    return values
