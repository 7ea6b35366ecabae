"""The toy experiment: does recovery of sparse data switch on at the width d*_S = k ln(F / k)?

For each cell (k, F) of the grid, every read-out (``decoders``: ``lp``, ``active-set``,
``untied``, ``tied``) recovers x from a width-d_S embedding, all measured on the same fixed
held-out set, at the widths a search picks (``toy.search``: a coarse log grid up to the cell's
widest width, then bisection around each level's crossing). One read-out in one cell is a *unit*
(``toy.measure``); units run in parallel worker processes and, given a folder, each is kept on
disk as it finishes (``toy.store``), so a stopped run resumes. The sweep table holds every
measured (width, seed); the summary (``toy.summary``) the transitions, censoring and each
read-out's fit. Nothing is fitted to the theory: the tables say what was measured.

``run_toy`` computes; ``write_toy_run`` writes ``runs/toy/`` (``trial.toml``, ``provenance.json``,
``tables/sweep.parquet``, ``tables/summary.parquet``) in one atomic rename.
"""

from __future__ import annotations

import json
import multiprocessing
import platform
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
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
from galleryforge.train.toy.config import EXACT_READOUTS, Cell, ToyConfig
from galleryforge.train.toy.measure import UnitResult, measure_unit
from galleryforge.train.toy.store import UnitStore
from galleryforge.train.toy.summary import summarise

Unit = tuple[Cell, str]
"""One read-out in one cell."""
CELLS_FOLDER = "toy.cells"
"""Beside ``runs/toy/``: the finished units of a run in progress."""


class UnitDone(NamedTuple):
    """Progress report: ``done`` of ``total`` units finished, the last one ``readout`` in ``cell``
    (``kept``: it was on disk from an earlier, stopped run)."""

    done: int
    total: int
    readout: str
    cell: Cell
    kept: bool


@dataclass(frozen=True)
class ToyResult:
    """The sweep and summary tables of one toy run, with its config and timing."""

    config: ToyConfig
    sweep: pd.DataFrame
    summary: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)


def units(config: ToyConfig) -> list[Unit]:
    """Every (cell, read-out) of the grid that is measured (``ToyConfig.measures``), smallest F
    first: a stopped run has whole small cells."""
    return [
        (cell, readout)
        for cell in config.cells()
        for readout in config.decoders
        if config.measures(cell, readout)
    ]


def cells_folder(out: str | Path) -> Path:
    """Where ``galleryforge toy --out <out>`` keeps finished units until the run is written."""
    return Path(out) / CELLS_FOLDER


def run_toy(
    config: ToyConfig,
    on_unit: Callable[[UnitDone], None] | None = None,
    jobs: int = 1,
    keep: Path | None = None,
) -> ToyResult:
    """Measure every unit of the grid and summarise; ``on_unit`` after each one.

    With ``jobs`` > 1 the units run in that many worker processes (each on one thread). A unit's
    result depends only on its seeds, never on which process ran it, so the tables are the same
    for any ``jobs``. With ``keep``, finished units are read from and written to that folder.
    """
    started, clock, cpu = datetime.now(UTC), time.perf_counter(), time.process_time()
    todo = units(config)
    store = UnitStore(keep, config) if keep is not None else None
    results: dict[Unit, UnitResult] = {}
    for unit in todo:
        found = store.load(*unit) if store is not None else None
        if found is not None:
            results[unit] = found
            if on_unit is not None:
                on_unit(UnitDone(len(results), len(todo), unit[1], unit[0], True))
    pending = [unit for unit in todo if unit not in results]
    for unit, result in _unit_results(config, pending, jobs):
        if store is not None:
            store.save(*unit, result)
        results[unit] = result
        if on_unit is not None:
            on_unit(UnitDone(len(results), len(todo), unit[1], unit[0], False))
    sweep = pd.DataFrame([row for unit in todo for row in results[unit].rows])
    sweep = ordered(sweep.sort_values(list(TOY_SWEEP.keys)).reset_index(drop=True), TOY_SWEEP)
    cpu_s = {
        (readout, cell.features, cell.k): results[cell, readout].cpu_s for cell, readout in todo
    }
    summary = summarise(sweep, config, cpu_s)
    wall, cpu = time.perf_counter() - clock, time.process_time() - cpu
    provenance = _provenance(started, datetime.now(UTC), wall, cpu, jobs)
    return ToyResult(config, sweep, summary, provenance)


def _unit_results(
    config: ToyConfig, pending: list[Unit], jobs: int
) -> Iterator[tuple[Unit, UnitResult]]:
    """Each pending unit's result, as it finishes."""
    if jobs <= 1 or len(pending) <= 1:
        for unit in pending:
            yield unit, measure_unit(config, *unit)
        return
    # spawn, not fork: torch's thread pools do not survive a fork of a process that used them.
    context = multiprocessing.get_context("spawn")
    # The costliest units first (longest processing time first): started last, one of them
    # would leave the other workers idle at the end of the run.
    costliest_first = sorted(pending, key=_expected_cost, reverse=True)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {
            pool.submit(partial(measure_unit, config, *unit)): unit for unit in costliest_first
        }
        for future in as_completed(futures):
            yield futures[future], future.result()


def _expected_cost(unit: Unit) -> float:
    """A unit's cost relative to the others: it grows with F, and a trained read-out costs about
    four times an exact one of the same F (the ``cpu_s`` of the default grid's units)."""
    cell, readout = unit
    return cell.features * (1.0 if readout in EXACT_READOUTS else 4.0)


def write_toy_run(result: ToyResult, out: str | Path, keep_units: bool = False) -> Path:
    """Write ``<out>/toy/`` whole (a temporary folder renamed into place) and, unless
    ``keep_units``, drop the finished units kept beside it (``cells_folder``); return its path.

    Keeping them lets a later run over a larger grid, or with more read-outs, reuse them: a long
    grid can be measured a part at a time."""
    target = Path(out) / "toy"
    with atomic_dir(target) as tmp:
        (tmp / "trial.toml").write_text(result.config.to_toml(), encoding="utf-8")
        (tmp / "provenance.json").write_text(
            json.dumps(result.provenance, indent=2) + "\n", encoding="utf-8"
        )
        write_table(result.sweep, tmp / "tables" / "sweep.parquet")
        write_table(result.summary, tmp / "tables" / "summary.parquet")
    if not keep_units:
        shutil.rmtree(cells_folder(out), ignore_errors=True)
    return target


def _provenance(
    started: datetime, finished: datetime, wall_s: float, cpu_s: float, jobs: int
) -> dict[str, Any]:
    return {
        "experiment": "toy",
        "galleryforge_version": __version__,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "device": "cpu",
        "torch_threads": 1,
        "jobs": jobs,
        "git_commit": git_commit(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "wall_s": round(wall_s, 3),
        "cpu_s": round(cpu_s, 3),  # this process only: the workers' time is not in it
    }
