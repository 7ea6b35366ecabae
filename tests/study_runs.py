"""Run directories shaped like the demo's, for tests of what pages and cards say about a study.

Generated here, never shown by the product: each trial's ``trial.toml`` is the resolved small
preset (so model, corpus and regime are the ones the demo trains), ``provenance.json`` records the
model and its width, and the tables come from ``tests/factories.py`` at the preset's width and
checkpoints.
"""

from __future__ import annotations

import json
from pathlib import Path

from galleryforge.tables import write_table
from galleryforge.train.config_values import dumps_toml
from galleryforge.train.training.presets import load_preset
from tests.factories import build_layers, write_toy, write_trial

SMALL_TRIALS = ("A-small", "B-small", "C-small")
MINILM_LAYERS = 6
MINILM_D_MODEL = 384


def write_preset_trial(
    runs: Path, preset: str, n_layers: int, d_model: int, name: str | None = None
) -> Path:
    """``runs/<name>/`` for ``preset``: its resolved config, a provenance and generated tables."""
    config = load_preset(preset).to_dict()
    if name is not None:
        config["name"] = name
    steps = load_preset(preset).milestone_steps()
    checkpoints = tuple(step * config["batch_tokens"] for step in steps)
    root = write_trial(runs, config["name"], n_layers, curves=False)
    # The regime's shape (A, B or C) at the preset's width and checkpoints, under the trial's name.
    layers = build_layers(preset[0], n_layers, width=config["width"], checkpoints=checkpoints)
    write_table(layers.assign(trial=config["name"]), root / "tables" / "layers.parquet")
    (root / "trial.toml").write_text(dumps_toml(config, header="resolved config"), "utf-8")
    provenance = {"model": config["model"], "d_model": d_model, "corpus": config["dataset"]}
    (root / "provenance.json").write_text(json.dumps(provenance), "utf-8")
    return root


def write_demo_runs(runs: Path) -> Path:
    """The three small trials on all-MiniLM-L6-v2 and a small toy run, as the demo leaves them."""
    for preset in SMALL_TRIALS:
        write_preset_trial(runs, preset, MINILM_LAYERS, MINILM_D_MODEL)
    write_toy(runs, ks=(2, 8), features=(64, 256))
    return runs
