"""Synthetic metric tables for tests. Generated here, never shown by the product.

The numbers follow the shape of real runs (L0 per regime, a dead count, loss falling with
tokens) so that renderings meet realistic ranges, but they are made up by these helpers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from galleryforge import kd
from galleryforge.tables import CURVES, LAYERS, TOY_SUMMARY, TOY_SWEEP, ordered, write_table

REGIMES = {  # trial -> (target L0 fraction of width, dead fraction, mse scale)
    "A": (0.19, 0.02, 0.002),
    "B": (0.06, 0.0, 0.02),
    "C": (0.005, 0.2, 0.2),
}


def build_layers(
    trial: str = "B",
    n_layers: int = 6,
    width: int = 4096,
    checkpoints: tuple[int, ...] = (50_000, 100_000, 150_000),
    seed: int = 0,
    extra_metrics: bool = False,
) -> pd.DataFrame:
    """One row per (layer, checkpoint) with every column of DESIGN.md's layer table."""
    rng = np.random.default_rng(seed)
    l0_frac, dead_frac, mse_scale = REGIMES.get(trial, REGIMES["B"])
    rows = []
    for layer in range(n_layers):
        depth = layer / max(n_layers - 1, 1)
        for i, tokens in enumerate(checkpoints):
            progress = (i + 1) / len(checkpoints)
            l0 = width * l0_frac * (0.8 + 0.4 * depth) * (1.3 - 0.3 * progress)
            l0 *= 1 + 0.05 * rng.standard_normal()
            dead = int(width * dead_frac * (0.5 + depth) * progress)
            mse = mse_scale * (0.6 + 0.8 * depth) * (1.4 - 0.4 * progress)
            fvu = mse * 1.7
            l1 = l0 * 0.3
            coef = 8e-5 if trial != "C" else 5e-4 * (1 + depth)
            rows.append(
                {
                    "trial": trial,
                    "layer": layer,
                    "tokens": tokens,
                    "width": width,
                    "l1_coef": coef,
                    "mse": mse,
                    "fvu": fvu,
                    "l1": l1,
                    "loss": mse + coef * l1,
                    "l0": l0,
                    "dead": dead,
                    "explained_variance": 1 - fvu,
                }
            )
    frame = kd.with_kd_columns(pd.DataFrame(rows))
    if extra_metrics:
        frame["feature_density_entropy"] = rng.uniform(3, 6, len(frame))
    return ordered(frame, LAYERS)


def build_curves(trial: str = "B", n_layers: int = 6, steps: int = 40) -> pd.DataFrame:
    rows = []
    for layer in range(n_layers):
        for step in range(1, steps + 1):
            decay = np.exp(-step / (steps / 4))
            rows.append(
                {
                    "trial": trial,
                    "layer": layer,
                    "step": step * 10,
                    "tokens": step * 10 * 512,
                    "mse": 0.02 * (1 + layer / n_layers) + 0.5 * decay,
                    "l1": 30 * (1 + decay),
                    "loss": 0.05 + 0.6 * decay,
                    "l0": 200 * (1 + 3 * decay),
                    "l1_coef": 8e-5,
                }
            )
    return ordered(pd.DataFrame(rows), CURVES)


def write_trial(
    runs: Path,
    trial: str = "B",
    n_layers: int = 6,
    curves: bool = True,
    fmt: str = "parquet",
    **layer_kw: object,
) -> Path:
    """A run directory ``runs/<trial>/`` with generated tables; returns it."""
    root = runs / trial
    write_table(build_layers(trial, n_layers, **layer_kw), root / "tables" / f"layers.{fmt}")  # type: ignore[arg-type]
    if curves:
        write_table(build_curves(trial, n_layers), root / "tables" / f"curves.{fmt}")
    (root / "trial.toml").write_text(f'trial = "{trial}"\nwidth = 4096\n')
    (root / "provenance.json").write_text(json.dumps({"generated_by": "tests/factories.py"}))
    return root


def build_toy(
    alphas: tuple[float, ...] = (0.8, 0.9, 0.95, 0.99),
    features: tuple[int, ...] = (64, 128, 256),
    seeds: int = 2,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sweep, summary) shaped like the toy experiment's: loss falls until near d*_S, then flat."""
    sweep_rows, summary_rows = [], []
    for alpha in alphas:
        for n in features:
            widths = sorted({int(w) for w in np.geomspace(2, n, 9).round()})
            star = float(kd.toy_d_star(alpha, n))
            floor = 0.01 * (1 - alpha)
            losses = {}
            for seed in range(seeds):
                for width in widths:
                    loss = floor * max(1.0, (star / width) ** 0.8) * (1 + 0.01 * seed)
                    losses.setdefault(width, []).append(loss)
                    sweep_rows.append(
                        {"alpha": alpha, "features": n, "seed": seed, "width": width, "loss": loss}
                    )
            mean = {w: float(np.mean(v)) for w, v in losses.items()}
            best = min(mean.values())
            floor_width = min(w for w, v in mean.items() if v <= best * 1.05)
            summary_rows.append(
                {
                    "alpha": alpha,
                    "features": n,
                    "k": n * (1 - alpha),
                    "d_star": star,
                    "floor_width": floor_width,
                    "floor_loss": best,
                }
            )
    return ordered(pd.DataFrame(sweep_rows), TOY_SWEEP), ordered(
        pd.DataFrame(summary_rows), TOY_SUMMARY
    )


def write_toy(runs: Path, **kw: object) -> Path:
    root = runs / "toy"
    sweep, summary = build_toy(**kw)  # type: ignore[arg-type]
    write_table(sweep, root / "tables" / "sweep.parquet")
    write_table(summary, root / "tables" / "summary.parquet")
    (root / "trial.toml").write_text('experiment = "toy"\n')
    return root
