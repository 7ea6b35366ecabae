"""Finished units of a toy run kept on disk, so that a run that is stopped resumes where it was.

A unit is one read-out in one cell (``toy.measure``). Its sweep rows are written to
``<folder>/<read-out>_k<k>_F<F>.parquet`` as soon as it finishes (to a temporary name, then
renamed, so a file is whole or absent). ``measure.toml`` records the config fields a unit's
numbers depend on; a folder made under other values is emptied before use, since none of its
units would be what this config measures. The grid's extent (``ks``, ``alphas``, ``features``,
``trained_max_features``), ``decoders`` and ``bootstrap`` are not among them: a run with more
cells or read-outs reuses the units it shares with the one before.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from galleryforge.train.config_values import dumps_toml
from galleryforge.train.toy.config import Cell, ToyConfig
from galleryforge.train.toy.measure import UnitResult

GRID_FIELDS = ("ks", "alphas", "features", "decoders", "trained_max_features", "bootstrap")
MEASUREMENT = 1
"""The version of what a unit measures: raise it with any change to the sampling, the search, the
solvers or training that changes a unit's numbers, so kept units from before are measured again."""
RECORD = "measure.toml"
CPU_COLUMN = "unit_cpu_s"  # the unit's CPU seconds, on each of its rows


def measuring_fields(config: ToyConfig) -> str:
    """The fields a unit's numbers depend on, as TOML."""
    values = {k: v for k, v in asdict(config).items() if k not in GRID_FIELDS}
    values["measurement"] = MEASUREMENT
    return dumps_toml(
        values, header="The config fields the units in this folder were measured with."
    )


class UnitStore:
    """The finished units in ``folder`` for ``config``."""

    def __init__(self, folder: Path, config: ToyConfig) -> None:
        self.folder = folder
        record = folder / RECORD
        wanted = measuring_fields(config)
        if folder.exists() and (
            not record.exists() or record.read_text(encoding="utf-8") != wanted
        ):
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        record.write_text(wanted, encoding="utf-8")

    def path(self, cell: Cell, readout: str) -> Path:
        return self.folder / f"{readout}_k{cell.k:g}_F{cell.features}.parquet"

    def load(self, cell: Cell, readout: str) -> UnitResult | None:
        """The unit's result, or None when it has not finished."""
        path = self.path(cell, readout)
        if not path.exists():
            return None
        frame = pd.read_parquet(path)
        cpu_s = float(frame.pop(CPU_COLUMN).iloc[0])
        rows: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
        return UnitResult(rows, cpu_s)

    def save(self, cell: Cell, readout: str, result: UnitResult) -> None:
        path = self.path(cell, readout)
        partial = path.with_name(path.name + ".partial")
        pd.DataFrame(result.rows).assign(**{CPU_COLUMN: result.cpu_s}).to_parquet(
            partial, index=False
        )
        os.replace(partial, path)

    def discard(self) -> None:
        """Remove the folder (once the run it belongs to is written)."""
        shutil.rmtree(self.folder, ignore_errors=True)
