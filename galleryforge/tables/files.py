"""Reading and writing the table files of a run: Parquet (or CSV with the same columns), the
run's ``trial.toml`` and ``provenance.json``, and the per-latent tables."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from galleryforge.atomic import write_with
from galleryforge.errors import InputError
from galleryforge.tables.checks import fmt, reject_rows, validate
from galleryforge.tables.schema import (
    EXAMPLE_KINDS,
    EXAMPLES,
    FEATURES,
    LOGIT_SIGNS,
    LOGITS,
    Schema,
)


def read_table(path: Path, schema: Schema) -> pd.DataFrame:
    """Read and validate one table; raise ``InputError`` at the first problem found."""
    try:
        frame = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
    except Exception as error:  # pyarrow and the CSV parser raise many types
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(path, f"cannot read the table ({reason})") from error
    return validate(frame, schema, path)


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a table atomically (Parquet, or CSV by suffix), without the index."""
    path = Path(path)
    if path.suffix == ".csv":
        write_with(path, lambda tmp: frame.to_csv(tmp, index=False))
    else:
        write_with(path, lambda tmp: frame.to_parquet(tmp, index=False))


def read_config(path: Path) -> dict[str, Any]:
    """A run's ``trial.toml``, or {} when there is none."""
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, f"not valid TOML ({error})") from error


def read_provenance(path: Path) -> dict[str, Any]:
    """A run's ``provenance.json`` (a JSON object), or {} when there is none."""
    return read_json_object(path) if path.exists() else {}


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON file holding one object; anything else is an error naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, f"not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise InputError(path, "expected a JSON object")
    return data


def read_features(path: Path) -> pd.DataFrame:
    """``features.parquet``: one row per (layer, latent); a frequency above 1, no tokens counted,
    or more fired tokens than were counted is an error."""
    frame = read_table(path, FEATURES)
    frequency = frame["frequency"]
    reject_rows(
        frequency > 1, path, "frequency", lambda i: f"frequency {fmt(frequency.iloc[i])} is above 1"
    )
    counted, fired = frame["latent_tokens"], frame["fired_tokens"]
    reject_rows(
        counted == 0, path, "latent_tokens", lambda i: "0: no tokens counted, no frequency known"
    )
    reject_rows(
        fired > counted,
        path,
        "fired_tokens",
        lambda i: f"{fired.iloc[i]:,} is more than the {counted.iloc[i]:,} tokens counted",
    )
    return frame


def read_examples(path: Path) -> pd.DataFrame:
    """``examples.parquet``: each row's token window and its activations, one per token; a
    ``bin`` row's activation within its bin (``bin_low``, ``bin_high``]."""
    frame = read_table(path, EXAMPLES)
    kinds = ", ".join(EXAMPLE_KINDS)
    reject_rows(
        ~frame["kind"].isin(EXAMPLE_KINDS),
        path,
        "kind",
        lambda i: f"{frame['kind'].iloc[i]!r}: expected one of {kinds}",
    )
    _check_bins(frame, path)
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


def _check_bins(frame: pd.DataFrame, path: Path) -> None:
    binned = (frame["kind"] == "bin").to_numpy()
    if not binned.any():
        return  # a table from before the bins, or of latents that never fired
    for name in ("bin_low", "bin_high"):
        if name not in frame.columns:
            raise InputError(path, f"missing column '{name}' (the table has bin rows)")
        values = frame[name]
        reject_rows(binned & values.isna().to_numpy(), path, name, lambda i: "empty on a bin row")
    low, high, activation = frame["bin_low"], frame["bin_high"], frame["activation"]
    reject_rows(
        binned & (low < 0).to_numpy(), path, "bin_low", lambda i: f"negative edge {fmt(low[i])}"
    )
    reject_rows(
        binned & ~((low < activation) & (activation <= high)).to_numpy(),
        path,
        "activation",
        lambda i: f"{fmt(activation[i])} is outside its bin ({fmt(low[i])}, {fmt(high[i])}]",
    )


def read_logits(path: Path) -> pd.DataFrame:
    """``logits.parquet``: each latent's strongest logit effects each way; a sign other than
    positive or negative, or effects out of rank order (the positive ones falling, the negative
    ones rising, from rank 0), is an error."""
    frame = read_table(path, LOGITS)
    signs = ", ".join(LOGIT_SIGNS)
    sign = frame["sign"]
    reject_rows(
        ~sign.isin(LOGIT_SIGNS), path, "sign", lambda i: f"{sign[i]!r}: expected one of {signs}"
    )
    ranked = frame.sort_values(["trial", "layer", "latent", "sign", "rank"])
    same = (
        ranked[["trial", "layer", "latent", "sign"]]
        .eq(ranked.shift()[["trial", "layer", "latent", "sign"]])
        .all(axis=1)
    )
    step = ranked["effect"].diff() * ranked["sign"].map({"positive": 1.0, "negative": -1.0})
    bad = pd.Series(False, index=frame.index)
    bad[ranked.index] = (same & (step > 0)).to_numpy()
    effect = frame["effect"]
    reject_rows(
        bad,
        path,
        "effect",
        lambda i: f"{fmt(effect[i])} is stronger than the effect ranked before it",
    )
    return frame
