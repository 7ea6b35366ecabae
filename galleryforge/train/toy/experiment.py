"""The toy experiment: does recovery of sparse data switch on at the width d*_S = k ln(F / k)?

For each (α, F) cell of the grid, every read-out (``decoders``: ``nnls``, ``untied``, ``tied``)
recovers x from a width-d_S embedding for every width of a log grid up to F and every seed, all
measured on the same fixed held-out set: the trained read-outs train together on the same data
(``toy.fit.train_cell``), nnls solves its problem per sample (``toy.nnls``). The
sweep table holds each model's raw and normalised held-out loss; the summary (``toy_summary``)
holds, per read-out and cell, the predicted d*_S, the transition width where the seed-mean
normalised loss falls to ε (``toy_transition``), censoring, and each read-out's fitted constant c
and slope. Nothing is fitted to the theory: the tables say what was measured.

``run_toy`` computes; ``write_toy_run`` writes ``runs/toy/`` (``trial.toml``, ``provenance.json``,
``tables/sweep.parquet``, ``tables/summary.parquet``) in one atomic rename.
"""

from __future__ import annotations

import json
import multiprocessing
import platform
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import torch

from galleryforge import __version__
from galleryforge.atomic import atomic_dir
from galleryforge.tables import TOY_SWEEP, ordered, write_table
from galleryforge.train.provenance import git_commit
from galleryforge.train.toy.config import ToyConfig
from galleryforge.train.toy.fit import TRAINED, train_cell
from galleryforge.train.toy.nnls import nnls, random_projection
from galleryforge.train.toy.samples import held_out, zero_loss
from galleryforge.train.toy.summary import summarise


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


def run_toy(
    config: ToyConfig, on_cell: Callable[[CellDone], None] | None = None, jobs: int = 1
) -> ToyResult:
    """Train the whole grid, each (alpha, F) cell one batched model; ``on_cell`` after each cell.

    With ``jobs`` > 1 the cells run in that many worker processes (each trains on one thread).
    A cell's result depends only on its seeds, never on which process ran it, so the tables are
    the same for any ``jobs``.
    """
    started, clock, cpu = datetime.now(UTC), time.perf_counter(), time.process_time()
    # Largest cells first: with several workers the long ones start early and none waits alone.
    cells = [(a, f) for f in sorted(config.features, reverse=True) for a in config.alphas]
    rows: list[dict[str, Any]] = []
    zero_losses: dict[tuple[float, int], float] = {}
    for done, (cell_rows, zero) in enumerate(_cell_results(config, cells, jobs), start=1):
        rows += cell_rows
        alpha, features = cells[done - 1]
        zero_losses[(alpha, features)] = zero
        if on_cell is not None:
            on_cell(CellDone(done, len(cells), alpha, features))
    sweep = pd.DataFrame(rows).sort_values(list(TOY_SWEEP.keys)).reset_index(drop=True)
    sweep = ordered(sweep, TOY_SWEEP)
    summary = summarise(sweep, config, zero_losses)
    wall, cpu = time.perf_counter() - clock, time.process_time() - cpu
    provenance = _provenance(started, datetime.now(UTC), wall, cpu)
    return ToyResult(config, sweep, summary, provenance)


def measure_cell(config: ToyConfig, cell: tuple[float, int]) -> tuple[list[dict[str, Any]], float]:
    """Every read-out's sweep rows for one (α, F) cell, and the cell's x̂ = 0 loss."""
    alpha, features = cell
    widths = config.widths(features)
    base = {"alpha": alpha, "features": features}
    rows = []
    trained = [d for d in config.decoders if d in TRAINED]
    if trained:
        for r in train_cell(config, alpha, features, widths, config.seeds, trained):
            rows.append(
                {
                    **base,
                    "decoder": r.readout,
                    "seed": r.seed,
                    "width": r.width,
                    "loss": r.loss,
                    "normalised_loss": r.normalised_loss,
                    "steps": r.steps,
                    "converged": float(r.converged),
                }
            )
    if "nnls" in config.decoders:
        rows += _nnls_rows(config, alpha, features, widths)
    return rows, zero_loss(held_out(alpha, features, config.eval_samples))


def _nnls_rows(
    config: ToyConfig, alpha: float, features: int, widths: tuple[int, ...]
) -> list[dict[str, Any]]:
    evaluation = held_out(alpha, features, config.eval_samples).double()
    scale = zero_loss(evaluation)
    rows = []
    for width in widths:
        for seed in config.seeds:
            result = nnls(random_projection(width, features, alpha, seed), evaluation)
            loss = float((result.recovered - evaluation).pow(2).mean())
            rows.append(
                {
                    "decoder": "nnls",
                    "alpha": alpha,
                    "features": features,
                    "seed": seed,
                    "width": width,
                    "loss": loss,
                    "normalised_loss": loss / scale,
                    "steps": 0,  # nnls is solved, not trained
                    "converged": result.converged,
                }
            )
    return rows


def _cell_results(
    config: ToyConfig, cells: list[tuple[float, int]], jobs: int
) -> Iterator[tuple[list[dict[str, Any]], float]]:
    """Each cell's rows, in grid order."""
    if jobs <= 1 or len(cells) <= 1:
        for cell in cells:
            yield measure_cell(config, cell)
        return
    # spawn, not fork: torch's thread pools do not survive a fork of a process that used them.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield from pool.map(partial(measure_cell, config), cells)


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
    return {
        "experiment": "toy",
        "galleryforge_version": __version__,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "device": "cpu",
        "torch_threads": 1,
        "git_commit": git_commit(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "wall_s": round(wall_s, 3),
        "cpu_s": round(cpu_s, 3),
    }
