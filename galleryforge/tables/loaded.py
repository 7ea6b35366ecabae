"""A run directory loaded into one frozen, validated object: ``TrialTables`` or ``ToyTables``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from galleryforge import kd
from galleryforge.errors import GalleryforgeError, InputError
from galleryforge.labels import METRIC_ORDER
from galleryforge.runs import table_path
from galleryforge.tables.checks import check_layer_values, check_toy_values, is_number
from galleryforge.tables.files import (
    read_config,
    read_examples,
    read_features,
    read_logits,
    read_provenance,
    read_table,
)
from galleryforge.tables.schema import CURVES, LAYERS, TOY_SUMMARY, TOY_SWEEP


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

    logits_path: Path | None = None
    """Where the logit-effects table is (causal LMs only), read on first use of ``logits``."""

    @cached_property
    def examples(self) -> pd.DataFrame | None:
        """Top, random and activation-bin examples per latent (``tables/examples.parquet``), or
        None."""
        if self.examples_path is None:
            return None
        return read_examples(self.examples_path)

    @cached_property
    def logits(self) -> pd.DataFrame | None:
        """Each latent's top logit effects (``tables/logits.parquet``), or None: a run on a model
        without an LM head has none."""
        if self.logits_path is None:
            return None
        return read_logits(self.logits_path)

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
        numeric = [c for c in self.layers.columns if c not in keys and is_number(self.layers[c])]
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
    check_layer_values(layers, layers_path)
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
        logits_path=table_path(tables, "logits"),
    )


def load_toy_tables(run_dir: str | Path) -> ToyTables:
    """Load ``runs/toy/``: the validated sweep and summary, config and provenance."""
    run_dir = Path(run_dir)
    tables = run_dir / "tables"
    found = {}
    for stem, schema in (("sweep", TOY_SWEEP), ("summary", TOY_SUMMARY)):
        path = table_path(tables, stem)
        if path is None:
            raise InputError(tables / f"{stem}.parquet", f"missing (nor is there a {stem}.csv)")
        frame = read_table(path, schema)
        check_toy_values(frame, path)
        found[stem] = frame.sort_values(list(schema.keys)).reset_index(drop=True)
    return ToyTables(
        root=run_dir,
        sweep=found["sweep"],
        summary=found["summary"],
        config=read_config(run_dir / "trial.toml"),
        provenance=read_provenance(run_dir / "provenance.json"),
    )
