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
    extra_metrics: int = 0,
) -> pd.DataFrame:
    """One row per (layer, checkpoint) with every column of the layer table (docs/tables.md),
    and ``extra_metrics`` further metric columns (``feature_density_entropy``, then
    ``custom_metric_01``, … on scales from 1e-4 to 1e4)."""
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
    for index in range(1, extra_metrics):
        scale = 10.0 ** (index % 9 - 4)
        frame[f"custom_metric_{index:02d}"] = scale * rng.uniform(1, 9, len(frame))
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


TOY_LAWS = {"lp": (0.1, 1.0), "active-set": (0.45, 1.0), "untied": (0.6, 1.1), "tied": (0.3, 1.3)}
"""The made-up power law (a, b) of each read-out in ``build_toy``: transition = e^a · d*_S^b."""
TOY_EPSILON = 0.01
TOY_LEVELS = {"e1": 0.1, "e2": 0.01, "e3": 0.001}


def toy_widths(widest: int, per_octave: int = 4) -> list[int]:
    steps = int(np.floor(per_octave * np.log2(widest) + 1e-9))
    return sorted({round(2 ** (i / per_octave)) for i in range(steps + 1)} | {widest})


def toy_curve(width: float, transition: float) -> float:
    """The factory's normalised loss at ``width`` for a curve that reaches ε at ``transition``."""
    if width >= transition / 2:
        return TOY_EPSILON * (transition / width) ** 4
    return min(1.0, 16 * TOY_EPSILON * transition / (2 * width))


def toy_crossing(transition: float, level: float) -> float:
    """Where ``toy_curve`` falls to ``level`` (≤ 16 ε): ε (T/w)^4 = level."""
    return transition * (TOY_EPSILON / level) ** 0.25


def build_toy(
    ks: tuple[float, ...] = (2, 4, 8),
    features: tuple[int, ...] = (64, 256, 1024),
    seeds: int = 2,
    laws: dict[str, tuple[float, float]] | None = None,
    alphas: tuple[float, ...] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sweep, summary) shaped like the toy experiment's, with transitions known by construction.

    Cells (k, F) for every k and F (or (α, F), k = F(1 − α), with ``alphas``). Each read-out's
    seed-mean normalised loss is ε·(T/d_S)^4 from T/2 on and 16ε·T/(2 d_S) below (capped at 1),
    with T = e^a · d*_S^b, (a, b) from ``laws``: power laws, so the log-log interpolation of the
    transition rule finds T (and every other level) exactly. Seeds scale the curve by factors that
    average to 1. Widths run up to min(F/2, 8·max(d*_S, δ)); T beyond is censored (the summary
    then holds the widest width, a lower bound). An exact read-out (lp, active-set) recovers half
    its samples exactly at T / 1.5. The summary's fit is c = geometric mean of the uncensored
    ratios and (a, b) by least squares; its "intervals" are ± 5%: made up.
    """
    laws = laws or TOY_LAWS
    pairs = [(f * (1 - a), a, f) for f in features for a in alphas] or [
        (k, 1 - k / f, f) for f in features for k in ks
    ]
    sweep_rows, summary_rows = [], []
    for decoder, (a, b) in laws.items():
        exact = decoder in ("lp", "active-set")
        for k, alpha, n in pairs:
            star = float(kd.toy_d_star(alpha, n))
            delta = float(kd.toy_delta(k, n))
            widest = max(1, min(n // 2, int(8 * max(star, delta))))
            widths = toy_widths(widest)
            zero = k / n / 3
            target = float(np.exp(a) * star**b)
            half = target / 1.5
            for seed in range(seeds):
                scale = 1 + 0.05 * (seed - (seeds - 1) / 2)
                for width in widths:
                    normalised = toy_curve(width, target) * scale
                    share = 1 / (1 + (half / width) ** 8) if exact else np.nan
                    sweep_rows.append(
                        {
                            "decoder": decoder,
                            "alpha": alpha,
                            "features": n,
                            "seed": seed,
                            "width": width,
                            "k": k,
                            "loss": normalised * zero,
                            "normalised_loss": normalised,
                            "steps": 0 if exact else 500,
                            "converged": 1.0,
                            "exact_frac": share,
                        }
                    )
            censored = target > widest
            transition = float(widest) if censored else target
            row = {
                "decoder": decoder,
                "alpha": alpha,
                "features": n,
                "k": k,
                "d_star": star,
                "transition_width": transition,
                "censored": int(censored),
                "ratio": transition / star,
                "data": "exact-k" if not alphas else "bernoulli",
                "delta": delta,
            }
            for suffix, level in TOY_LEVELS.items():
                at = toy_crossing(target, level)
                row[f"transition_{suffix}"] = min(at, widest)
                row[f"censored_{suffix}"] = int(at > widest)
            row["exact_half_width"] = min(half, widest) if exact else np.nan
            row["exact_half_censored"] = float(half > widest) if exact else np.nan
            row["exact_half_ratio"] = min(half, widest) / delta if exact else np.nan
            summary_rows.append(
                {
                    **row,
                    "onset_width": min(16 * TOY_EPSILON * target, widest),
                    "onset_censored": 0,
                    "epsilon": TOY_EPSILON,
                    "onset_level": 0.5,
                    "narrowest_width": 1,
                    "widest_width": widest,
                    "width_cap": 8.0,
                    "widths_measured": len(widths),
                    "zero_loss": zero,
                    "converged_frac": 1.0,
                    "cpu_s": 1.5,
                }
            )
    summary = pd.DataFrame(summary_rows)
    fits = []
    for decoder, rows in summary.groupby("decoder"):
        measured = rows[rows["censored"] == 0]
        c = float(np.exp(np.log(measured["ratio"]).mean())) if len(measured) else np.nan
        slope, intercept = (
            np.polyfit(np.log(measured["d_star"]), np.log(measured["transition_width"]), 1)
            if measured["d_star"].nunique() > 1
            else (np.nan, np.nan)
        )
        fit = {"decoder": decoder, "fitted_cells": len(measured)}
        for name, value in (("c", c), ("a", float(intercept)), ("b", float(slope))):
            fit |= {name: value, f"{name}_low": value - 0.05, f"{name}_high": value + 0.05}
        fits.append(fit)
    summary = summary.merge(pd.DataFrame(fits), on="decoder")
    return ordered(pd.DataFrame(sweep_rows), TOY_SWEEP), ordered(summary, TOY_SUMMARY)


def write_toy(runs: Path, **kw: object) -> Path:
    root = runs / "toy"
    sweep, summary = build_toy(**kw)  # type: ignore[arg-type]
    write_table(sweep, root / "tables" / "sweep.parquet")
    write_table(summary, root / "tables" / "summary.parquet")
    (root / "trial.toml").write_text('experiment = "toy"\n')
    return root


FAMILY_CURVE = (1.0, 1.0, 0.02)
"""(a, b, L∞) of ``write_family``'s planted curves: the knee, where a·F^(−b) = 5% of L∞, is at
F = a / (0.05 · L∞) = 1,000."""
FAMILY_KNEE = 1000.0


def family_mse(
    layer: int, width: int, falling: bool, seed: int | None = None, noise: float = 0.0
) -> float:
    """The made-up final MSE of ``write_family``: s·(a·F^(−b) + L∞) with s = 1 + 0.1·layer (the
    scale leaves the knee where it is), or, for a ``falling`` layer, s·0.1·F^(−0.3) (no floor: it
    never flattens); times 1 + ``noise``·z, z a standard normal fixed by (layer, width, seed)."""
    a, b, floor = FAMILY_CURVE
    scale = 1 + 0.1 * layer
    clean = scale * (0.1 * width**-0.3 if falling else a * width**-b + floor)
    if not noise:
        return float(clean)
    z = np.random.default_rng([layer, width, seed or 0]).standard_normal()
    return float(clean * (1 + noise * z))


def write_family(
    runs: Path,
    family: str = "W",
    widths: tuple[int, ...] = (128, 256, 512, 1024, 2048),
    n_layers: int = 3,
    falling_layers: tuple[int, ...] = (2,),
    seeds: tuple[int, ...] = (),
    noise: float = 0.0,
    config: str = "",
) -> list[Path]:
    """A width family's member runs ``<family>-F<width>`` (``<family>-F<width>-s<seed>`` given
    ``seeds``), as ``galleryforge train`` names them, with ``family``, ``widths`` (and
    ``sae_seed``, and the TOML lines ``config``) in their ``trial.toml`` and MSEs from
    ``family_mse``."""
    roots = []
    for width in widths:
        for seed in seeds or (None,):
            name = f"{family}-F{width}" + ("" if seed is None else f"-s{seed}")
            layers = build_layers(name, n_layers, width=width, checkpoints=(1024, 2048))
            layers["mse"] = [
                family_mse(int(layer), width, int(layer) in falling_layers, seed, noise)
                for layer in layers["layer"]
            ]
            root = runs / name
            write_table(layers, root / "tables" / "layers.parquet")
            listed = ", ".join(str(w) for w in widths)
            lines = [f'name = "{name}"', f"width = {width}", f'family = "{family}"']
            lines += [f"widths = [{listed}]", config]
            if seed is not None:
                lines.append(f"sae_seed = {seed}")
            (root / "trial.toml").write_text("\n".join(line for line in lines if line) + "\n")
            roots.append(root)
    return roots
