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
    """One row per (layer, checkpoint) with every column of the layer table (docs/tables.md)."""
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


TOY_CONSTANTS = {"nnls": 1.3, "untied": 2.5, "tied": 4.0}
"""The made-up transition / d*_S of each read-out in ``build_toy``'s tables."""
TOY_EPSILON = 0.01


def toy_widths(features: int, per_octave: int = 4) -> list[int]:
    steps = int(np.floor(per_octave * np.log2(features) + 1e-9))
    return sorted({round(2 ** (i / per_octave)) for i in range(steps + 1)} | {features})


def toy_curve(width: float, transition: float) -> float:
    """The factory's normalised loss at ``width`` for a curve that reaches ε at ``transition``."""
    if width >= transition / 2:
        return TOY_EPSILON * (transition / width) ** 4
    return min(1.0, 16 * TOY_EPSILON * transition / (2 * width))


def build_toy(
    alphas: tuple[float, ...] = (0.8, 0.9, 0.95, 0.99),
    features: tuple[int, ...] = (64, 128, 256),
    seeds: int = 2,
    constants: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sweep, summary) shaped like the toy experiment's, with transitions known by construction.

    Each read-out's seed-mean normalised loss is ε·(T/d_S)^4 from T/2 on and 16ε·T/(2 d_S) below
    (capped at 1), with T = c·d*_S, c from ``constants``: power laws, so the log-log interpolation
    of the transition rule finds T (and the onset at 0.5, 16ε·T) exactly. Seeds scale the curve
    by factors that average to 1. T beyond F is censored (the summary then holds the widest width,
    a lower bound). The summary's c is the geometric mean of the uncensored ratios, the slope a
    least-squares fit, and the "interval" c ± 5%: made up.
    """
    constants = constants or TOY_CONSTANTS
    sweep_rows, summary_rows = [], []
    for decoder, constant in constants.items():
        for alpha in alphas:
            for n in features:
                widths = toy_widths(n)
                star = float(kd.toy_d_star(alpha, n))
                zero = (1 - alpha) / 3
                target = constant * star
                for seed in range(seeds):
                    scale = 1 + 0.05 * (seed - (seeds - 1) / 2)
                    for width in widths:
                        normalised = toy_curve(width, target) * scale
                        sweep_rows.append(
                            {
                                "decoder": decoder,
                                "alpha": alpha,
                                "features": n,
                                "seed": seed,
                                "width": width,
                                "loss": normalised * zero,
                                "normalised_loss": normalised,
                                "steps": 500,
                                "converged": 1.0,
                            }
                        )
                censored = target > widths[-1]
                transition = float(widths[-1]) if censored else target
                summary_rows.append(
                    {
                        "decoder": decoder,
                        "alpha": alpha,
                        "features": n,
                        "k": n * (1 - alpha),
                        "d_star": star,
                        "transition_width": transition,
                        "censored": int(censored),
                        "ratio": transition / star,
                        "onset_width": 16 * TOY_EPSILON * target,
                        "onset_censored": 0,
                        "epsilon": TOY_EPSILON,
                        "onset_level": 0.5,
                        "widest_width": widths[-1],
                        "zero_loss": zero,
                        "converged_frac": 1.0,
                    }
                )
    summary = pd.DataFrame(summary_rows)
    fits = []
    for decoder, rows in summary.groupby("decoder"):
        measured = rows[rows["censored"] == 0]
        c = float(np.exp(np.log(measured["ratio"]).mean())) if len(measured) else np.nan
        slope = (
            float(
                np.polyfit(np.log(measured["d_star"]), np.log(measured["transition_width"]), 1)[0]
            )
            if measured["d_star"].nunique() > 1
            else np.nan
        )
        fits.append(
            {"decoder": decoder, "c": c, "c_low": c * 0.95, "c_high": c * 1.05, "slope": slope}
        )
    summary = summary.merge(pd.DataFrame(fits), on="decoder")
    return ordered(pd.DataFrame(sweep_rows), TOY_SWEEP), ordered(summary, TOY_SUMMARY)


def write_toy(runs: Path, **kw: object) -> Path:
    root = runs / "toy"
    sweep, summary = build_toy(**kw)  # type: ignore[arg-type]
    write_table(sweep, root / "tables" / "sweep.parquet")
    write_table(summary, root / "tables" / "summary.parquet")
    (root / "trial.toml").write_text('experiment = "toy"\n')
    return root


def family_mse(layer: int, width: int, knee: int, falling: bool) -> float:
    """The made-up final MSE of ``write_family``: ∝ (knee/F)^0.8 below ``knee``, flat from it on;
    a ``falling`` layer instead loses 20% per doubling at every width (no knee)."""
    base = 0.02 * (1 + 0.1 * layer)
    if falling:
        return base * 0.8 ** np.log2(width / 128)
    return base * max(1.0, knee / width) ** 0.8


def write_family(
    runs: Path,
    family: str = "W",
    widths: tuple[int, ...] = (128, 256, 512, 1024, 2048),
    n_layers: int = 3,
    knee: int = 512,
    falling_layers: tuple[int, ...] = (2,),
) -> list[Path]:
    """A width family's member runs ``<family>-F<width>``, as ``galleryforge train`` names them,
    with ``family`` and ``widths`` in their ``trial.toml`` and MSEs from ``family_mse``."""
    roots = []
    for width in widths:
        name = f"{family}-F{width}"
        layers = build_layers(name, n_layers, width=width, checkpoints=(1024, 2048))
        layers["mse"] = [
            family_mse(int(layer), width, knee, int(layer) in falling_layers)
            for layer in layers["layer"]
        ]
        root = runs / name
        write_table(layers, root / "tables" / "layers.parquet")
        listed = ", ".join(str(w) for w in widths)
        (root / "trial.toml").write_text(
            f'name = "{name}"\nwidth = {width}\nfamily = "{family}"\nwidths = [{listed}]\n'
        )
        roots.append(root)
    return roots
