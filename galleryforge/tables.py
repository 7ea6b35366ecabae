"""Metric tables: load a run directory into one frozen, validated object per trial.

A run directory (``runs/<trial>/``) holds ``tables/layers.parquet`` (one row per layer and
checkpoint) and, optionally, ``tables/curves.parquet`` (one row per layer and logged step),
``trial.toml`` and ``provenance.json``. CSV files with the same columns are accepted in place of
Parquet. The toy run (``runs/toy/``) holds ``tables/sweep.parquet`` and ``tables/summary.parquet``.

Every reader validates what it loads and raises ``InputError`` naming the file, the column and the
row (rows are counted from 1, the header excluded, as a spreadsheet shows them).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from galleryforge import kd
from galleryforge.atomic import write_with
from galleryforge.errors import GalleryforgeError, InputError
from galleryforge.labels import METRIC_ORDER
from galleryforge.runs import table_path


@dataclass(frozen=True)
class Column:
    name: str
    # "text", "count" (non-negative integer), "real" (finite), "nonneg" (finite, >= 0),
    # "measured" (finite, or empty where it was not measured: downstream metrics before the last
    # checkpoint of a training run)
    kind: str


@dataclass(frozen=True)
class Schema:
    """Columns a table must hold, the columns that identify a row, and optional derived columns."""

    name: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...]
    optional: tuple[Column, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _cols(spec: str) -> tuple[Column, ...]:
    return tuple(Column(*item.split(":")) for item in spec.split())


LAYERS = Schema(
    "layers",
    _cols(
        "trial:text layer:count tokens:count width:count l1_coef:nonneg mse:nonneg fvu:nonneg "
        "l1:nonneg loss:nonneg l0:nonneg dead:count explained_variance:real"
    ),
    keys=("trial", "layer", "tokens"),
    # Computed with kd.py when a table made elsewhere leaves them out; then the metrics train and
    # evaluate add (train/reconstruction.py, train/downstream.py).
    optional=_cols(
        "alive_frac:nonneg alpha:nonneg g_alpha:nonneg d_star:nonneg cosine_similarity:real "
        "l2_ratio:nonneg relative_reconstruction_bias:real dense:count ce_clean:measured "
        "ce_spliced:measured ce_ablated:measured ce_loss_score:measured kl_div:measured "
        "embedding_cos_spliced:measured embedding_cos_ablated:measured "
        "embedding_recovered:measured"
    ),
)
CURVES = Schema(
    "curves",
    _cols(
        "trial:text layer:count step:count tokens:count mse:nonneg l1:nonneg loss:nonneg "
        "l0:nonneg l1_coef:nonneg"
    ),
    keys=("trial", "layer", "step"),
)
# Per-latent tables (train/latent_tables.py; docs/evaluate.md documents every column).
FEATURES = Schema(
    "features",
    _cols(
        "trial:text layer:count latent:count frequency:nonneg fired_tokens:count "
        "mean_activation:real max_activation:real decoder_norm:nonneg"
    ),
    keys=("trial", "layer", "latent"),
)
EXAMPLES = Schema(
    "examples",
    _cols(
        "trial:text layer:count latent:count kind:text rank:count activation:real "
        "context:count position:count focus:count"
    ),
    keys=("trial", "layer", "latent", "kind", "rank"),
)
EXAMPLE_KINDS = ("top", "random")
TOY_SWEEP = Schema(
    "sweep",
    _cols(
        "decoder:text alpha:nonneg features:count seed:count width:count loss:nonneg "
        "normalised_loss:nonneg"
    ),
    keys=("decoder", "alpha", "features", "seed", "width"),
    optional=_cols("steps:count converged:nonneg"),
)
TOY_SUMMARY = Schema(
    "summary",
    _cols(
        "decoder:text alpha:nonneg features:count k:nonneg d_star:nonneg "
        "transition_width:nonneg censored:count ratio:nonneg"
    ),
    keys=("decoder", "alpha", "features"),
    # Written by ``galleryforge toy``; a summary made elsewhere may leave them out. The per-read-out
    # fit (c, c_low, c_high, slope) is empty (NaN) where a read-out has no uncensored cell.
    optional=_cols(
        "onset_width:nonneg onset_censored:count epsilon:nonneg onset_level:nonneg "
        "narrowest_width:count widest_width:count widths_per_octave:count zero_loss:nonneg "
        "converged_frac:nonneg fitted_cells:count "
        "c:measured c_low:measured c_high:measured slope:measured"
    ),
)
TOY_READOUTS = ("nnls", "untied", "tied")
"""The toy read-outs in display order (a table may hold others, shown after these)."""

# --------------------------------------------------------------------------------------- reading


def read_table(path: Path, schema: Schema) -> pd.DataFrame:
    """Read and validate one table; raise ``InputError`` at the first problem found."""
    try:
        frame = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
    except Exception as error:  # pyarrow and the CSV parser raise many types
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(path, f"cannot read the table ({reason})") from error
    return validate(frame, schema, path)


def validate(frame: pd.DataFrame, schema: Schema, source: str | Path) -> pd.DataFrame:
    """Check columns, types, values and keys; return a clean copy with the schema's dtypes."""
    if frame.empty:
        raise InputError(source, "the table is empty")
    frame = frame.reset_index(drop=True).copy()
    for column in schema.columns:
        if column.name not in frame.columns:
            present = ", ".join(map(str, frame.columns))
            raise InputError(source, f"missing required column '{column.name}' (has: {present})")
        frame[column.name] = _checked(frame[column.name], column, source)
    for column in schema.optional:
        if column.name in frame.columns:
            frame[column.name] = _checked(frame[column.name], column, source)
    _check_keys(frame, schema, source)
    return frame


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _checked(series: pd.Series, column: Column, source: str | Path) -> pd.Series:
    name = column.name
    if column.kind == "text":
        missing = series.isna().to_numpy()
        if missing.any():
            raise InputError(source, "empty value", field=name, row=_first(missing))
        return series.astype(str)
    if not _is_number(series):
        bad = pd.to_numeric(series, errors="coerce").isna() & series.notna()
        row = _first(bad.to_numpy()) if bad.any() else 1
        value = series.iloc[row - 1]
        raise InputError(source, f"expected a number, got {value!r}", field=name, row=row)
    values = series.to_numpy(dtype=np.float64)
    not_finite = ~np.isfinite(values)
    if column.kind == "measured":
        not_finite &= ~np.isnan(values)  # empty: not measured there
    if not_finite.any():
        row = _first(not_finite)
        raise InputError(
            source, f"expected a finite number, got {values[row - 1]}", field=name, row=row
        )
    if column.kind in ("count", "nonneg"):
        negative = values < 0
        if negative.any():
            row = _first(negative)
            what = "count" if column.kind == "count" else "value"
            raise InputError(
                source, f"negative {what} {_fmt(values[row - 1])}", field=name, row=row
            )
    if column.kind == "count":
        fractional = values != np.round(values)
        if fractional.any():
            row = _first(fractional)
            raise InputError(
                source, f"expected a whole number, got {_fmt(values[row - 1])}", field=name, row=row
            )
        return pd.Series(values.astype(np.int64), index=series.index, name=name)
    return pd.Series(values, index=series.index, name=name)


def _check_keys(frame: pd.DataFrame, schema: Schema, source: str | Path) -> None:
    duplicated = frame.duplicated(subset=list(schema.keys), keep="first").to_numpy()
    if duplicated.any():
        row = _first(duplicated)
        key = ", ".join(f"{k}={frame[k].iloc[row - 1]}" for k in schema.keys)
        raise InputError(source, f"duplicate row for ({key})", field=schema.keys[-1], row=row)


def _check_layer_values(frame: pd.DataFrame, source: str | Path) -> None:
    above = (frame["l0"] > frame["width"]).to_numpy()
    if above.any():
        row = _first(above)
        raise InputError(
            source,
            f"L0 {_fmt(frame['l0'].iloc[row - 1])} is above the width "
            f"{frame['width'].iloc[row - 1]}",
            field="l0",
            row=row,
        )
    too_dead = (frame["dead"] > frame["width"]).to_numpy()
    if too_dead.any():
        row = _first(too_dead)
        raise InputError(
            source,
            f"{frame['dead'].iloc[row - 1]} dead latents in a width of "
            f"{frame['width'].iloc[row - 1]}",
            field="dead",
            row=row,
        )
    _check_alpha(frame, source)
    trials = frame["trial"].unique()
    if len(trials) > 1:
        row = _first((frame["trial"] != trials[0]).to_numpy())
        raise InputError(
            source, f"one trial per table, found {sorted(trials)!r}", field="trial", row=row
        )


def _check_alpha(frame: pd.DataFrame, source: str | Path) -> None:
    if "alpha" not in frame.columns:
        return
    outside = ((frame["alpha"] < 0) | (frame["alpha"] > 1)).to_numpy()
    if outside.any():
        row = _first(outside)
        raise InputError(
            source,
            f"alpha {_fmt(frame['alpha'].iloc[row - 1])} is outside [0, 1]",
            field="alpha",
            row=row,
        )


def _first(mask: np.ndarray) -> int:
    """1-based row number of the first True."""
    return int(np.flatnonzero(mask)[0]) + 1


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# ---------------------------------------------------------------------------------- trial tables


@dataclass(frozen=True)
class TrialTables:
    """Everything the renderings know about one trial, loaded and validated once.

    ``layers`` always carries the KD columns (``alive_frac, alpha, g_alpha, d_star``), computed
    with ``kd.py`` when the table left them out. Treat the frames as read-only.
    """

    trial: str
    root: Path
    layers: pd.DataFrame
    curves: pd.DataFrame | None = None
    config: Mapping[str, Any] = field(default_factory=dict)
    provenance: Mapping[str, Any] = field(default_factory=dict)
    features: pd.DataFrame | None = None
    """The per-latent table (``tables/features.parquet``), when the run has one."""
    examples_path: Path | None = None
    """Where the examples table is; it is read on first use of ``examples`` (it is the large one,
    and only the feature views need it)."""

    @cached_property
    def examples(self) -> pd.DataFrame | None:
        """Top and random examples per latent (``tables/examples.parquet``), or None."""
        if self.examples_path is None:
            return None
        return read_examples(self.examples_path)

    @cached_property
    def checkpoints(self) -> tuple[int, ...]:
        return tuple(int(t) for t in sorted(self.layers["tokens"].unique()))

    @cached_property
    def final(self) -> pd.DataFrame:
        """One row per layer: each layer's last checkpoint, ordered by layer."""
        last = self.layers.sort_values(["layer", "tokens"]).groupby("layer").tail(1)
        return last.sort_values("layer").reset_index(drop=True)

    @cached_property
    def layer_ids(self) -> tuple[int, ...]:
        return tuple(int(x) for x in sorted(self.layers["layer"].unique()))

    @property
    def n_layers(self) -> int:
        return len(self.layer_ids)

    @cached_property
    def metrics(self) -> tuple[str, ...]:
        """Numeric metric columns in display order, known ones first, then extras."""
        keys = set(LAYERS.keys) | {"width"}
        numeric = [c for c in self.layers.columns if c not in keys and _is_number(self.layers[c])]
        known = [m for m in METRIC_ORDER if m in numeric]
        return tuple(known + [c for c in numeric if c not in METRIC_ORDER])

    @cached_property
    def kd(self) -> kd.TrialKD:
        return kd.trial_kd(self.final)


@dataclass(frozen=True)
class ToyTables:
    """The toy experiment's sweep (held-out loss per read-out, cell, seed and width) and summary
    (per read-out and cell: predicted d*_S, transition width, censoring, ratio, the fit)."""

    root: Path
    sweep: pd.DataFrame
    summary: pd.DataFrame
    config: Mapping[str, Any] = field(default_factory=dict)
    provenance: Mapping[str, Any] = field(default_factory=dict)

    trial = "toy"


def load_trial_tables(run_dir: str | Path) -> TrialTables:
    """Load ``runs/<trial>/``: validated layer table, curves if present, config and provenance."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise GalleryforgeError(f"{run_dir}: no such run directory")
    tables = run_dir / "tables"
    layers_path = table_path(tables, "layers")
    if layers_path is None:
        raise InputError(tables / "layers.parquet", "missing (nor is there a layers.csv)")
    layers = read_table(layers_path, LAYERS)
    _check_layer_values(layers, layers_path)
    missing_kd = [c for c in kd.KD_COLUMNS if c not in layers.columns]
    if missing_kd:
        derived = kd.with_kd_columns(layers)
        layers = layers.assign(**{c: derived[c] for c in missing_kd})
    layers = layers.sort_values(["layer", "tokens"]).reset_index(drop=True)
    curves_path = table_path(tables, "curves")
    curves = None
    if curves_path is not None:
        curves = read_table(curves_path, CURVES).sort_values(["layer", "step"])
        curves = curves.reset_index(drop=True)
    features_path = table_path(tables, "features")
    return TrialTables(
        trial=str(layers["trial"].iloc[0]),
        root=run_dir,
        layers=layers,
        curves=curves,
        config=read_config(run_dir / "trial.toml"),
        provenance=read_provenance(run_dir / "provenance.json"),
        features=read_features(features_path) if features_path is not None else None,
        examples_path=table_path(tables, "examples"),
    )


def load_toy_tables(run_dir: str | Path) -> ToyTables:
    run_dir = Path(run_dir)
    tables = run_dir / "tables"
    found = {}
    for stem, schema in (("sweep", TOY_SWEEP), ("summary", TOY_SUMMARY)):
        path = table_path(tables, stem)
        if path is None:
            raise InputError(tables / f"{stem}.parquet", f"missing (nor is there a {stem}.csv)")
        frame = read_table(path, schema)
        _check_alpha(frame, path)
        _check_toy_values(frame, path)
        found[stem] = frame.sort_values(list(schema.keys)).reset_index(drop=True)
    return ToyTables(
        root=run_dir,
        sweep=found["sweep"],
        summary=found["summary"],
        config=read_config(run_dir / "trial.toml"),
        provenance=read_provenance(run_dir / "provenance.json"),
    )


def _check_toy_values(frame: pd.DataFrame, source: str | Path) -> None:
    """Flags are 0 or 1, shares at most 1, widths and d*_S positive."""
    checks = (
        ("censored", lambda v: (v == 0) | (v == 1), "expected 0 or 1"),
        ("onset_censored", lambda v: (v == 0) | (v == 1), "expected 0 or 1"),
        ("converged", lambda v: v <= 1, "expected a share in [0, 1]"),
        ("converged_frac", lambda v: v <= 1, "expected a share in [0, 1]"),
        ("width", lambda v: v >= 1, "expected a width of at least 1"),
        ("transition_width", lambda v: v > 0, "expected a positive width"),
        ("d_star", lambda v: v > 0, "expected a positive d*_S"),
    )
    for name, ok, message in checks:
        if name not in frame.columns:
            continue
        bad = ~ok(frame[name]).to_numpy()
        if bad.any():
            row = _first(bad)
            value = _fmt(frame[name].iloc[row - 1])
            raise InputError(source, f"{message}, got {value}", field=name, row=row)


def read_config(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, f"not valid TOML ({error})") from error


def read_provenance(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, f"not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise InputError(path, "expected a JSON object")
    return data


def read_features(path: Path) -> pd.DataFrame:
    """``features.parquet``: one row per (layer, latent); a frequency above 1 is an error."""
    frame = read_table(path, FEATURES)
    above = (frame["frequency"] > 1).to_numpy()
    if above.any():
        row = _first(above)
        value = _fmt(frame["frequency"].iloc[row - 1])
        raise InputError(path, f"frequency {value} is above 1", field="frequency", row=row)
    return frame


def read_examples(path: Path) -> pd.DataFrame:
    """``examples.parquet``: each row's token window and its activations, one per token."""
    frame = read_table(path, EXAMPLES)
    bad_kind = (~frame["kind"].isin(EXAMPLE_KINDS)).to_numpy()
    if bad_kind.any():
        row = _first(bad_kind)
        raise InputError(
            path,
            f"{frame['kind'].iloc[row - 1]!r}: expected one of {', '.join(EXAMPLE_KINDS)}",
            field="kind",
            row=row,
        )
    for name in ("tokens", "token_activations"):
        if name not in frame.columns:
            raise InputError(path, f"missing required column '{name}'")
    for row, (tokens, acts, focus) in enumerate(
        zip(frame["tokens"], frame["token_activations"], frame["focus"], strict=True), 1
    ):
        if len(tokens) != len(acts):
            raise InputError(
                path,
                f"{len(acts)} activations for {len(tokens)} tokens",
                field="token_activations",
                row=row,
            )
        if focus >= len(tokens):
            raise InputError(path, f"{focus} is outside the window", field="focus", row=row)
    return frame


# --------------------------------------------------------------------------------------- writing


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a table atomically (Parquet, or CSV by suffix), without the index."""
    path = Path(path)
    if path.suffix == ".csv":
        write_with(path, lambda tmp: frame.to_csv(tmp, index=False))
    else:
        write_with(path, lambda tmp: frame.to_parquet(tmp, index=False))


def ordered(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Schema columns first in contract order, then optional ones, then any extras."""
    first = [*schema.names, *(c.name for c in schema.optional if c.name in frame.columns)]
    return frame[first + [c for c in frame.columns if c not in first]]
