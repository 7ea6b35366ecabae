"""The toy experiment's config: one frozen dataclass, loaded from a TOML preset plus overrides.

A preset is ``toy`` or ``toy-quick`` (files in ``presets/``) or a path to a TOML file of
``ToyConfig`` fields. ``--set key=value`` overrides are parsed against the field's type
(``alphas=0.9,0.99`` is a tuple of floats, ``max_steps=2e3`` an int, ``decoders=nnls,tied`` a
tuple of read-out names); unknown keys, in a file or an
override, are an error that names the close matches.
"""

from __future__ import annotations

import math
import tomllib
import typing
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from galleryforge.errors import GalleryforgeError, InputError, unknown_name
from galleryforge.resources import data_dir
from galleryforge.train.config_values import coerce as coerce_value
from galleryforge.train.config_values import dumps_toml, split_assignment

READOUTS = ("nnls", "untied", "tied")


@dataclass(frozen=True)
class ToyConfig:
    """What the toy sweep measures, how the trained read-outs train, and the transition rule."""

    alphas: tuple[float, ...] = (0.8, 0.9, 0.95, 0.98)
    """Sparsity coefficients α: each feature is active with probability 1 − α."""
    features: tuple[int, ...] = (32, 64)
    """Numbers of ground-truth features F (the input dimension)."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """Seeds: each one fixes a model's initialisation (or nnls's random W) and its training data."""
    decoders: tuple[str, ...] = READOUTS
    """Read-outs measured on the same data and held-out set: ``nnls`` (compressed-sensing
    reference, untrained), ``untied`` and ``tied`` (trained one-step ReLU read-outs)."""
    widths_per_octave: int = 4
    """Density of the log width grid: widths round(2^(i / widths_per_octave)) from 1 up to F."""
    epsilon: float = 0.01
    """The transition width is where the seed-mean normalised loss first falls to this."""
    onset: float = 0.5
    """The onset width is where the seed-mean normalised loss first falls to this (sharpness)."""
    batch_size: int = 256
    """Fresh samples drawn per training step (per seed)."""
    lr: float = 0.01
    """Adam's starting learning rate (betas 0.9, 0.999, eps 1e-8)."""
    lr_drop: float = 0.1
    """Factor applied to a model's learning rate each time its held-out loss plateaus."""
    lr_drops: int = 2
    """Rate drops before the next plateau ends training (the rate ends at lr × lr_drop^lr_drops)."""
    eval_samples: int = 2048
    """Size of the fixed held-out set, one per (α, F), shared by every read-out, width and seed."""
    eval_every: int = 50
    """Training steps between two held-out evaluations."""
    patience: int = 3
    """Evaluations without enough improvement after which a model has plateaued."""
    rel_tol: float = 0.01
    """Enough improvement: more than rel_tol times the best normalised loss before the window..."""
    abs_tol: float = 1e-4
    """... or more than abs_tol in normalised loss (so a loss heading to 0 can plateau)."""
    max_steps: int = 6000
    """Cap on training steps; a model that reaches it is recorded as not converged."""
    bootstrap: int = 1000
    """Bootstrap resamples (of seeds, within each cell) for the interval on the constant c."""

    def __post_init__(self) -> None:
        _check(len(self.alphas) > 0, "alphas", "needs at least one value")
        for alpha in self.alphas:
            _check(0 < alpha < 1, "alphas", f"{alpha} is outside (0, 1)")
        _check(len(self.features) > 0, "features", "needs at least one value")
        for f in self.features:
            _check(f >= 2, "features", f"{f} is below 2")
        _check(len(self.seeds) > 0, "seeds", "needs at least one value")
        _check(min(self.seeds) >= 0, "seeds", "must be non-negative")
        _check(len(self.decoders) > 0, "decoders", "needs at least one read-out")
        for decoder in self.decoders:
            if decoder not in READOUTS:
                raise unknown_name("read-out in decoders", decoder, READOUTS)
        for name, values in (
            ("alphas", self.alphas),
            ("features", self.features),
            ("seeds", self.seeds),
            ("decoders", self.decoders),
        ):
            _check(len(set(values)) == len(values), name, f"repeats a value in {list(values)}")
        for name in (
            "widths_per_octave",
            "batch_size",
            "eval_samples",
            "eval_every",
            "patience",
            "max_steps",
        ):
            _check(getattr(self, name) >= 1, name, f"must be at least 1, got {getattr(self, name)}")
        _check(self.lr_drops >= 0, "lr_drops", f"must be non-negative, got {self.lr_drops}")
        _check(self.bootstrap >= 0, "bootstrap", f"must be non-negative, got {self.bootstrap}")
        _check(math.isfinite(self.lr) and self.lr > 0, "lr", f"must be positive, got {self.lr}")
        for name in ("epsilon", "onset", "lr_drop"):
            value = getattr(self, name)
            _check(0 < value < 1, name, f"must be in (0, 1), got {value}")
        _check(self.epsilon < self.onset, "epsilon", "must be below onset")
        _check(0 <= self.rel_tol < 1, "rel_tol", f"must be in [0, 1), got {self.rel_tol}")
        _check(self.abs_tol >= 0, "abs_tol", f"must be non-negative, got {self.abs_tol}")

    def widths(self, features: int) -> tuple[int, ...]:
        """The log grid of bottleneck widths swept for ``features`` input features, up to F."""
        steps = math.floor(self.widths_per_octave * math.log2(features) + 1e-9)
        grid = {round(2 ** (i / self.widths_per_octave)) for i in range(steps + 1)}
        return tuple(sorted({*(w for w in grid if w <= features), features}))

    def to_toml(self) -> str:
        """The resolved config as TOML (what ``trial.toml`` holds)."""
        header = "Toy experiment: the resolved config that produced this run."
        return dumps_toml(asdict(self), header=header, table="toy")


FIELD_NAMES = tuple(f.name for f in fields(ToyConfig))
_TYPES = typing.get_type_hints(ToyConfig)


def _check(ok: bool, name: str, message: str) -> None:
    if not ok:
        raise GalleryforgeError(f"toy config: {name}: {message}")


def toy_preset_names() -> list[str]:
    folder = data_dir("presets")
    return sorted(
        p.name[:-5]
        for p in folder.iterdir()
        if p.name.startswith("toy") and p.name.endswith(".toml")
    )


def load_toy_config(preset: str | Path = "toy", overrides: Sequence[str] = ()) -> ToyConfig:
    """The config of a preset (a name or a TOML path) with ``key=value`` overrides applied."""
    path = _preset_path(preset)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(path, f"cannot read the preset ({error})") from error
    data = data.get("toy", data)  # trial.toml nests the fields under [toy]
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in FIELD_NAMES:
            raise InputError(path, str(unknown_name("toy config key", key, FIELD_NAMES)))
        values[key] = coerce(key, value, str(path))
    values.update(parse_overrides(overrides))
    return ToyConfig(**values)


def _preset_path(preset: str | Path) -> Path:
    name = str(preset)
    if name in toy_preset_names():
        return Path(str(data_dir("presets") / f"{name}.toml"))
    path = Path(name)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise GalleryforgeError(f"{path}: no such preset file")
        return path
    raise unknown_name("toy preset", name, toy_preset_names())


def parse_overrides(overrides: Sequence[str]) -> dict[str, Any]:
    """``["key=value", ...]`` as typed field values; unknown keys suggest close matches."""
    parsed: dict[str, Any] = {}
    for item in overrides:
        key, raw = split_assignment(item)
        if key not in FIELD_NAMES:
            raise unknown_name("toy config key", key, FIELD_NAMES)
        parsed[key] = coerce(key, raw, f"--set {key}")
    return parsed


def coerce(key: str, value: Any, where: str) -> Any:
    """``value`` (a command-line string or a TOML value) as the type of field ``key``."""
    kind = _TYPES[key]
    try:
        return coerce_value(kind, value)
    except (TypeError, ValueError):
        name = getattr(kind, "__name__", str(kind))
        raise GalleryforgeError(f"{where}: expected {name}, got {value!r}") from None
