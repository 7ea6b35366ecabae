"""The toy experiment: does a bottleneck autoencoder's loss floor start at d*_S = k ln(F / k)?

For each (α, F) cell of the grid, every width d_S of a log grid and every seed trains together
(``train.toy_model.train_cell``) until its held-out loss stops improving. The sweep table holds one
held-out loss per (α, F, seed, width); the summary holds, per cell, the predicted d*_S
(``galleryforge.kd.toy_d_star``) and the measured floor width: the smallest swept width whose
seed-mean loss is within the configured tolerance of the curve's floor (``floor_width``). Nothing
is fitted to the theory: the tables say what was measured.

``run_toy`` computes; ``write_toy_run`` writes ``runs/toy/`` (``trial.toml``, ``provenance.json``,
``tables/sweep.parquet``, ``tables/summary.parquet``) in one atomic rename.
"""

from __future__ import annotations

import json
import multiprocessing
import platform
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from galleryforge import __version__, kd
from galleryforge.atomic import atomic_dir
from galleryforge.tables import TOY_SUMMARY, TOY_SWEEP, ordered, write_table
from train.toy_config import ToyConfig
from train.toy_model import train_cell


class CellDone(NamedTuple):
    """Progress report: ``done`` of ``total`` cells finished, the last one being (alpha, F)."""

    done: int
    total: int
    alpha: float
    features: int


@dataclass(frozen=True)
class ToyResult:
    """The sweep and summary tables of one toy run, with its config and timing."""

    config: ToyConfig
    sweep: pd.DataFrame
    summary: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)


def floor_width(widths: Sequence[int], losses: Sequence[float], rule: str, tolerance: float) -> int:
    """The smallest width whose loss is at most the floor threshold (``floor_threshold``)."""
    threshold = floor_threshold(losses, rule, tolerance)
    return next(w for w, loss in zip(widths, losses, strict=True) if loss <= threshold)


def floor_threshold(losses: Sequence[float], rule: str, tolerance: float) -> float:
    """The loss a width must reach to be on the floor; the floor is the smallest loss.

    ``range``: floor + tolerance × (largest − smallest loss), i.e. the width has achieved at least
    1 − tolerance of the loss reduction the sweep shows. ``relative``: floor × (1 + tolerance).
    ``absolute``: floor + tolerance.
    """
    low, high = min(losses), max(losses)
    if rule == "range":
        return low + tolerance * (high - low)
    if rule == "relative":
        return low * (1 + tolerance)
    if rule == "absolute":
        return low + tolerance
    raise ValueError(f"unknown floor rule {rule!r}")


def run_toy(
    config: ToyConfig, on_cell: Callable[[CellDone], None] | None = None, jobs: int = 1
) -> ToyResult:
    """Train the whole grid, each (alpha, F) cell one batched model; ``on_cell`` after each cell.

    With ``jobs`` > 1 the cells run in that many worker processes (each trains on one thread).
    A cell's result depends only on its seeds, never on which process ran it, so the tables are
    the same for any ``jobs``.
    """
    started, clock, cpu = datetime.now(UTC), time.perf_counter(), time.process_time()
    cells = [(a, f) for f in config.features for a in config.alphas]
    rows: list[dict[str, Any]] = []
    for done, cell_rows in enumerate(_cell_results(config, cells, jobs), start=1):
        rows += cell_rows
        if on_cell is not None:
            alpha, features = cells[done - 1]
            on_cell(CellDone(done, len(cells), alpha, features))
    sweep = ordered(pd.DataFrame(rows), TOY_SWEEP)
    wall, cpu = time.perf_counter() - clock, time.process_time() - cpu
    provenance = _provenance(started, datetime.now(UTC), wall, cpu)
    return ToyResult(config, sweep, summarise(sweep, config), provenance)


def _cell_rows(config: ToyConfig, cell: tuple[float, int]) -> list[dict[str, Any]]:
    alpha, features = cell
    return [
        {
            "alpha": alpha,
            "features": features,
            "seed": r.seed,
            "width": r.width,
            "loss": r.loss,
            "steps": r.steps,
            "converged": int(r.converged),
        }
        for r in train_cell(config, alpha, features, config.widths(features), config.seeds)
    ]


def _cell_results(
    config: ToyConfig, cells: list[tuple[float, int]], jobs: int
) -> Iterator[list[dict[str, Any]]]:
    """Each cell's rows, in grid order."""
    if jobs <= 1 or len(cells) <= 1:
        for cell in cells:
            yield _cell_rows(config, cell)
        return
    # spawn, not fork: torch's thread pools do not survive a fork of a process that used them.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield from pool.map(partial(_cell_rows, config), cells)


def summarise(sweep: pd.DataFrame, config: ToyConfig) -> pd.DataFrame:
    """One row per (α, F): predicted d*_S and the measured floor width of the seed-mean curve.

    Extra columns: ``ratio`` (floor width / d*_S), ``threshold`` (the loss the floor width had to
    reach), ``zero_loss`` (the loss of predicting x̂ = 0, (1 − α) / 3, for scale),
    ``converged_frac`` (share of the cell's models stopped by the convergence rule, not the cap)
    and ``at_grid_edge`` (1 when the floor width is the widest swept width: the curve may still be
    falling there, so the true floor width may be larger).
    """
    rows = []
    for _, cell in sweep.groupby(["alpha", "features"], sort=True):
        alpha, features = float(cell["alpha"].iloc[0]), int(cell["features"].iloc[0])
        curve = cell.groupby("width", sort=True)["loss"].mean()
        widths, losses = curve.index.tolist(), curve.tolist()
        width = floor_width(widths, losses, config.floor_rule, config.floor_tolerance)
        d_star = float(kd.toy_d_star(alpha, features))
        rows.append(
            {
                "alpha": alpha,
                "features": features,
                "k": features * (1 - alpha),
                "d_star": d_star,
                "floor_width": width,
                "floor_loss": min(losses),
                "ratio": width / d_star,
                "threshold": floor_threshold(losses, config.floor_rule, config.floor_tolerance),
                "zero_loss": (1 - alpha) / 3,
                "converged_frac": float(cell["converged"].mean()),
                "at_grid_edge": int(width == widths[-1]),
            }
        )
    return ordered(pd.DataFrame(rows), TOY_SUMMARY)


def write_toy_run(result: ToyResult, out: str | Path) -> Path:
    """Write ``<out>/toy/`` whole (a temporary folder renamed into place); return its path."""
    target = Path(out) / "toy"
    with atomic_dir(target) as tmp:
        (tmp / "trial.toml").write_text(result.config.to_toml(), encoding="utf-8")
        (tmp / "provenance.json").write_text(
            json.dumps(result.provenance, indent=2) + "\n", encoding="utf-8"
        )
        write_table(result.sweep, tmp / "tables" / "sweep.parquet")
        write_table(result.summary, tmp / "tables" / "summary.parquet")
    return target


def _provenance(
    started: datetime, finished: datetime, wall_s: float, cpu_s: float
) -> dict[str, Any]:
    import torch

    return {
        "experiment": "toy",
        "galleryforge_version": __version__,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "device": "cpu",
        "torch_threads": 1,
        "git_commit": _git_commit(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "wall_s": round(wall_s, 3),
        "cpu_s": round(cpu_s, 3),
    }


def _git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and commit else None
