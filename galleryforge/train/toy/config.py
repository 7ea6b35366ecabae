"""The toy experiment's config: one frozen dataclass, loaded from a TOML preset plus overrides.

A preset is ``toy``, ``toy-quick``, ``toy-study`` or ``toy-alpha`` (files in ``presets/``) or a
path to a TOML file of ``ToyConfig`` fields. ``--set key=value`` overrides are parsed against the
field's type (``ks=2,4`` is a tuple of floats, ``max_steps=2e3`` an int, ``decoders=lp,tied`` a
tuple of read-out names); unknown keys, in a file or an override, are an error that names the
close matches, and a bad value one line naming the field (and the file it came from).
"""

from __future__ import annotations

import math
import tomllib
import typing
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from galleryforge import kd
from galleryforge.errors import GalleryforgeError, InputError, unknown_name
from galleryforge.resources import data_dir
from galleryforge.train.config_values import coerce as coerce_value
from galleryforge.train.config_values import dumps_toml, split_assignment

READOUTS = ("lp", "active-set", "untied", "tied")
EXACT_READOUTS = ("lp", "active-set")
"""The untrained read-outs that solve a problem per sample and can recover x exactly."""
DATA = ("exact-k", "bernoulli")
EPSILONS = (0.1, 0.01, 0.001)
"""The levels every transition is recorded at (columns of the summary), beside ``epsilon``."""
EXACT_HALF = 0.5
"""The share of samples recovered exactly that defines an exact read-out's 50% width."""
RENAMED = {"nnls": "active-set"}


@dataclass(frozen=True, order=True)
class Cell:
    """One (k, F) setting of the grid: F features, k of them active per sample (exactly, or on
    average with bernoulli data), α = 1 − k / F."""

    features: int
    k: float
    alpha: float

    @property
    def label(self) -> str:
        return f"k={self.k:g} F={self.features}"


@dataclass(frozen=True)
class ToyConfig:
    """What the toy sweep measures, how the read-outs are searched and trained, and the rules."""

    data: str = "exact-k"
    """Which features a sample has active: ``exact-k``, exactly k chosen uniformly at random (the
    compressed-sensing convention), or ``bernoulli``, each independently with probability k / F.
    Magnitudes are U(0, 1) either way."""
    ks: tuple[float, ...] = (2.0, 4.0)
    """Active features per sample k (whole numbers with exact-k data); every k with every F is a
    cell. Leave empty and set ``alphas`` for the (α, F) grid."""
    alphas: tuple[float, ...] = ()
    """Sparsities α instead of ``ks``: every (α, F) is a cell with k = F(1 − α)."""
    features: tuple[int, ...] = (64, 128, 256, 512, 1024)
    """Numbers of ground-truth features F (the input dimension)."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """Seeds: each one fixes a model's initialisation (or an exact read-out's random W) and its
    training data."""
    decoders: tuple[str, ...] = READOUTS
    """Read-outs measured on the same held-out set: ``lp`` (non-negative basis pursuit, the exact
    reference with a known transition), ``active-set`` (a greedy active-set non-negative least
    squares), ``untied`` and ``tied`` (trained one-step ReLU read-outs)."""
    trained_max_features: int = 256
    """The trained read-outs (``untied``, ``tied``) run only in cells with F at most this (0: in
    every cell). Their cost grows about as F² (steps × F × width), the exact read-outs' far less
    at these sizes, so a grid can reach a larger F with the exact reference alone."""
    width_cap: float = 8.0
    """The widest width swept is min(F / 2, width_cap × max(d*_S, δ(k, F))): wide enough to see
    a transition several times the predictions, short of widths near F where a read-out can
    learn the identity."""
    coarse_per_octave: int = 1
    """Density of the coarse log grid the search starts from (widths round(2^(i / n)) from 1)."""
    widths_per_octave: int = 4
    """Density of the full curves measured for the F in ``full_curves``."""
    full_curves: tuple[int, ...] = ()
    """Feature counts F whose cells are measured on the whole ``widths_per_octave`` grid up to
    the cap (the curves toy-loss-floor draws), before the search; other cells get the coarse grid,
    stopped once every level is crossed, and the bisection."""
    bracket: float = 1.05
    """The bisection stops when the widths around each crossing are within this ratio (or are
    neighbouring whole numbers)."""
    epsilon: float = 0.01
    """The level the figures use: the transition width is where the seed-mean normalised loss
    first falls to it (transitions at 0.1, 0.01 and 0.001 are recorded too)."""
    onset: float = 0.5
    """The onset width is where the seed-mean normalised loss first falls to this (sharpness)."""
    exact_samples: int = 96
    """Held-out samples the exact read-outs solve (the first of the held-out set): one linear
    programme or active-set solve each per width and seed."""
    batch_size: int = 256
    """Fresh samples drawn per training step (per seed)."""
    lr: float = 0.01
    """Adam's starting learning rate (betas 0.9, 0.999, eps 1e-8)."""
    lr_drop: float = 0.1
    """Factor applied to a model's learning rate each time its held-out loss plateaus."""
    lr_drops: int = 2
    """Rate drops before the next plateau ends training (the rate ends at lr × lr_drop^lr_drops)."""
    eval_samples: int = 2048
    """Size of the fixed held-out set, one per cell, shared by every read-out, width and seed."""
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
    """Bootstrap resamples (of cells, and of seeds within each cell) for the fit's intervals."""

    def __post_init__(self) -> None:
        _check(self.data in DATA, "data", f"{self.data!r} is not one of {', '.join(DATA)}")
        _check(
            bool(self.ks) != bool(self.alphas), "ks", "set exactly one of ks and alphas (a grid)"
        )
        for alpha in self.alphas:
            _check(0 < alpha < 1, "alphas", f"{alpha} is outside (0, 1)")
        for k in self.ks:
            _check(k > 0, "ks", f"k = {k:g} is not positive")
            if self.data == "exact-k":
                _check(k == round(k), "ks", f"k = {k:g} is not whole (exact-k data)")
        _check(len(self.features) > 0, "features", "needs at least one value")
        for f in self.features:
            _check(f >= 2, "features", f"{f} is below 2")
        _check(len(self.seeds) > 0, "seeds", "needs at least one value")
        _check(min(self.seeds) >= 0, "seeds", "must be non-negative")
        _check(len(self.decoders) > 0, "decoders", "needs at least one read-out")
        for decoder in self.decoders:
            if decoder in RENAMED:
                _check(False, "decoders", f"{decoder!r} is now called {RENAMED[decoder]!r}")
            if decoder not in READOUTS:
                raise unknown_name("read-out in decoders", decoder, READOUTS)
        for name, values in (
            ("ks", self.ks),
            ("alphas", self.alphas),
            ("features", self.features),
            ("seeds", self.seeds),
            ("decoders", self.decoders),
            ("full_curves", self.full_curves),
        ):
            _check(len(set(values)) == len(values), name, f"repeats a value in {list(values)}")
        for f in self.full_curves:
            _check(f in self.features, "full_curves", f"{f} is not one of features")
        for name in (
            "coarse_per_octave",
            "widths_per_octave",
            "exact_samples",
            "batch_size",
            "eval_samples",
            "eval_every",
            "patience",
            "max_steps",
        ):
            _check(getattr(self, name) >= 1, name, f"must be at least 1, got {getattr(self, name)}")
        _check(
            self.exact_samples <= self.eval_samples,
            "exact_samples",
            f"{self.exact_samples} is more than eval_samples ({self.eval_samples})",
        )
        _check(
            math.isfinite(self.width_cap) and self.width_cap >= 1,
            "width_cap",
            f"must be at least 1, got {self.width_cap:g}",
        )
        _check(
            math.isfinite(self.bracket) and self.bracket > 1,
            "bracket",
            f"must be above 1, got {self.bracket:g}",
        )
        _check(
            self.trained_max_features >= 0,
            "trained_max_features",
            f"must be non-negative, got {self.trained_max_features}",
        )
        _check(self.lr_drops >= 0, "lr_drops", f"must be non-negative, got {self.lr_drops}")
        _check(self.bootstrap >= 0, "bootstrap", f"must be non-negative, got {self.bootstrap}")
        _check(math.isfinite(self.lr) and self.lr > 0, "lr", f"must be positive, got {self.lr}")
        for name in ("epsilon", "onset", "lr_drop"):
            value = getattr(self, name)
            _check(0 < value < 1, name, f"must be in (0, 1), got {value:g}")
        _check(self.epsilon < self.onset, "epsilon", "must be below onset")
        _check(0 <= self.rel_tol < 1, "rel_tol", f"must be in [0, 1), got {self.rel_tol}")
        _check(self.abs_tol >= 0, "abs_tol", f"must be non-negative, got {self.abs_tol}")
        self.cells()  # k < F in every cell, whole with exact-k data

    def cells(self) -> list[Cell]:
        """The grid's cells, by F then k."""
        found = []
        for f in self.features:
            for k in self.ks:
                _check(k < f, "ks", f"k = {k:g} is not below F = {f}")
                found.append(Cell(f, k, 1 - k / f))
            for alpha in self.alphas:
                k = f * (1 - alpha)
                if self.data == "exact-k":
                    what = f"α = {alpha:g} at F = {f} gives k = {k:g}, not whole (exact-k data)"
                    _check(abs(k - round(k)) < 1e-9, "alphas", what)
                    k = float(round(k))
                found.append(Cell(f, k, alpha))
        return sorted(found, key=lambda c: (c.features, c.k))

    def measures(self, cell: Cell, readout: str) -> bool:
        """Whether ``readout`` is measured in ``cell`` (``trained_max_features``)."""
        limit = self.trained_max_features
        return readout in EXACT_READOUTS or not limit or cell.features <= limit

    def widest(self, cell: Cell) -> int:
        """The widest width swept in ``cell``: min(F / 2, width_cap × max(d*_S, δ(k, F)))."""
        reference = max(float(kd.toy_d_star(cell.alpha, cell.features)), delta(cell))
        return max(1, min(cell.features // 2, math.floor(self.width_cap * reference)))

    def coarse_widths(self, cell: Cell) -> tuple[int, ...]:
        """The coarse log grid the search starts from, 1 up to the widest width."""
        return log_grid(self.widest(cell), self.coarse_per_octave)

    def full_widths(self, cell: Cell) -> tuple[int, ...]:
        """The full curve's log grid, 1 up to the widest width."""
        return log_grid(self.widest(cell), self.widths_per_octave)

    def to_toml(self) -> str:
        """The resolved config as TOML (what ``trial.toml`` holds)."""
        header = "Toy experiment: the resolved config that produced this run."
        return dumps_toml(asdict(self), header=header, table="toy")


def delta(cell: Cell) -> float:
    """δ(k, F) of a cell (``kd.toy_delta``)."""
    return float(kd.toy_delta(cell.k, cell.features))


def log_grid(widest: int, per_octave: int) -> tuple[int, ...]:
    """Widths round(2^(i / per_octave)) from 1 up to ``widest``, which is always included."""
    steps = math.floor(per_octave * math.log2(widest) + 1e-9)
    grid = {round(2 ** (i / per_octave)) for i in range(steps + 1)}
    return tuple(sorted({*(w for w in grid if w <= widest), widest}))


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
    values = _one_grid(values)
    try:
        ToyConfig(**values)
    except GalleryforgeError as error:
        raise InputError(path, str(error)) from None
    values.update(_one_grid(parse_overrides(overrides)))
    return ToyConfig(**values)


def _one_grid(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the other grid emptied when it sets one grid alone: ``alphas`` in a file
    or an override replaces the default (or the preset's) ``ks``, and the other way round."""
    if "alphas" in values and "ks" not in values:
        return {**values, "ks": ()}
    if "ks" in values and "alphas" not in values:
        return {**values, "alphas": ()}
    return values


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
