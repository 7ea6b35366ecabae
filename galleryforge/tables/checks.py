"""Validation: a table's columns, kinds and keys, and the rules between its values.

Each failure raises ``InputError`` naming the file, the column and the row (rows counted from 1,
the header excluded, as a spreadsheet shows them) at the first problem found.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from galleryforge.errors import InputError
from galleryforge.tables.schema import Column, Schema

Source = str | Path


def validate(frame: pd.DataFrame, schema: Schema, source: Source) -> pd.DataFrame:
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


def is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def reject_rows(
    bad: np.ndarray | pd.Series,
    source: Source,
    field: str,
    message: Callable[[int], str],
) -> None:
    """Raise for the first row where ``bad`` holds; ``message`` gets its 0-based position."""
    mask = np.asarray(bad, dtype=bool)
    if mask.any():
        position = int(np.flatnonzero(mask)[0])
        raise InputError(source, message(position), field=field, row=position + 1)


def fmt(value: float) -> str:
    """A value as an error message shows it: whole numbers without a decimal point."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _checked(series: pd.Series, column: Column, source: Source) -> pd.Series:
    name = column.name
    if column.kind == "text":
        reject_rows(series.isna(), source, name, lambda _: "empty value")
        return series.astype(str)
    if not is_number(series):
        bad = pd.to_numeric(series, errors="coerce").isna() & series.notna()
        # A column of all-empty cells is not numeric either; name its first row then.
        reject_rows(
            bad if bad.any() else np.arange(len(series)) == 0,
            source,
            name,
            lambda i: f"expected a number, got {series.iloc[i]!r}",
        )
    values = series.to_numpy(dtype=np.float64)
    not_finite = ~np.isfinite(values)
    if column.kind == "measured":
        not_finite &= ~np.isnan(values)  # empty: not measured there
    reject_rows(not_finite, source, name, lambda i: f"expected a finite number, got {values[i]}")
    if column.kind in ("count", "nonneg"):
        what = "count" if column.kind == "count" else "value"
        reject_rows(values < 0, source, name, lambda i: f"negative {what} {fmt(values[i])}")
    if column.kind == "count":
        reject_rows(
            values != np.round(values),
            source,
            name,
            lambda i: f"expected a whole number, got {fmt(values[i])}",
        )
        return pd.Series(values.astype(np.int64), index=series.index, name=name)
    return pd.Series(values, index=series.index, name=name)


def _check_keys(frame: pd.DataFrame, schema: Schema, source: Source) -> None:
    def duplicate(i: int) -> str:
        key = ", ".join(f"{k}={frame[k].iloc[i]}" for k in schema.keys)
        return f"duplicate row for ({key})"

    duplicated = frame.duplicated(subset=list(schema.keys), keep="first")
    reject_rows(duplicated, source, schema.keys[-1], duplicate)


def check_layer_values(frame: pd.DataFrame, source: Source) -> None:
    """L0 and dead latents within the width, alpha in [0, 1], one trial per table."""
    l0, dead, width = frame["l0"], frame["dead"], frame["width"]
    reject_rows(
        l0 > width,
        source,
        "l0",
        lambda i: f"L0 {fmt(l0.iloc[i])} is above the width {width.iloc[i]}",
    )
    reject_rows(
        dead > width,
        source,
        "dead",
        lambda i: f"{dead.iloc[i]} dead latents in a width of {width.iloc[i]}",
    )
    check_alpha(frame, source)
    trials = frame["trial"].unique()
    reject_rows(
        frame["trial"] != trials[0],
        source,
        "trial",
        lambda _: f"one trial per table, found {sorted(trials)!r}",
    )


def check_alpha(frame: pd.DataFrame, source: Source) -> None:
    if "alpha" in frame.columns:
        alpha = frame["alpha"]
        reject_rows(
            (alpha < 0) | (alpha > 1),
            source,
            "alpha",
            lambda i: f"alpha {fmt(alpha.iloc[i])} is outside [0, 1]",
        )


_TOY_RULES: tuple[tuple[str, Callable[[pd.Series], pd.Series], str], ...] = (
    ("censored", lambda v: (v == 0) | (v == 1), "expected 0 or 1"),
    ("onset_censored", lambda v: (v == 0) | (v == 1), "expected 0 or 1"),
    ("censored_e1", lambda v: (v == 0) | (v == 1), "expected 0 or 1"),
    ("censored_e2", lambda v: (v == 0) | (v == 1), "expected 0 or 1"),
    ("censored_e3", lambda v: (v == 0) | (v == 1), "expected 0 or 1"),
    ("exact_half_censored", lambda v: v.isna() | (v == 0) | (v == 1), "expected 0, 1 or empty"),
    ("exact_frac", lambda v: v.isna() | ((v >= 0) & (v <= 1)), "expected a share in [0, 1]"),
    ("converged", lambda v: v <= 1, "expected a share in [0, 1]"),
    ("converged_frac", lambda v: v <= 1, "expected a share in [0, 1]"),
    ("width", lambda v: v >= 1, "expected a width of at least 1"),
    ("transition_width", lambda v: v > 0, "expected a positive width"),
    ("d_star", lambda v: v > 0, "expected a positive d*_S"),
    ("delta", lambda v: v > 0, "expected a positive δ(k, F)"),
    ("width_cap", lambda v: v >= 1, "expected a width cap of at least 1"),
)


def _got(message: str, values: pd.Series) -> Callable[[int], str]:
    return lambda i: f"{message}, got {fmt(values.iloc[i])}"


def check_toy_values(frame: pd.DataFrame, source: Source) -> None:
    """Flags are 0 or 1, shares at most 1, widths and d*_S positive, alpha in [0, 1]."""
    check_alpha(frame, source)
    for name, ok, message in _TOY_RULES:
        if name in frame.columns:
            values = frame[name]
            reject_rows(~ok(values), source, name, _got(message, values))
