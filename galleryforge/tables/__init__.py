"""Metric tables: load a run directory into one frozen, validated object per trial.

A run directory (``runs/<trial>/``) holds ``tables/layers.parquet`` (one row per layer and
checkpoint) and, optionally, ``tables/curves.parquet`` (one row per layer and logged step),
``features.parquet``, ``examples.parquet`` and, for a causal LM, ``logits.parquet`` (per
latent), ``trial.toml`` and
``provenance.json``. CSV files with the same columns are accepted in place of Parquet. The toy
run (``runs/toy/``) holds ``tables/sweep.parquet`` and ``tables/summary.parquet``.

``schema`` says what each table holds, ``checks`` validates it (every problem an ``InputError``
naming the file, the column and the row), ``files`` reads and writes the files, ``loaded`` puts a
run together.
"""

from galleryforge.tables.checks import validate
from galleryforge.tables.files import (
    read_config,
    read_examples,
    read_features,
    read_logits,
    read_provenance,
    read_table,
    write_table,
)
from galleryforge.tables.loaded import ToyTables, TrialTables, load_toy_tables, load_trial_tables
from galleryforge.tables.schema import (
    CURVES,
    EXAMPLE_KINDS,
    EXAMPLES,
    FEATURES,
    LAYERS,
    LOGIT_SIGNS,
    LOGITS,
    TOY_READOUTS,
    TOY_SUMMARY,
    TOY_SWEEP,
    Column,
    Schema,
    ordered,
)

__all__ = [
    "CURVES",
    "EXAMPLES",
    "EXAMPLE_KINDS",
    "FEATURES",
    "LAYERS",
    "LOGITS",
    "LOGIT_SIGNS",
    "TOY_READOUTS",
    "TOY_SUMMARY",
    "TOY_SWEEP",
    "Column",
    "Schema",
    "ToyTables",
    "TrialTables",
    "load_toy_tables",
    "load_trial_tables",
    "ordered",
    "read_config",
    "read_examples",
    "read_features",
    "read_logits",
    "read_provenance",
    "read_table",
    "validate",
    "write_table",
]
