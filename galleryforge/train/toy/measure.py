"""One read-out in one cell: the widths the search asks for, measured for every seed.

The unit of work of a toy run (``toy.experiment`` runs them in parallel and keeps the finished
ones on disk). Trained read-outs train every (width, seed) model of a request together
(``toy.fit.train_cell``); exact read-outs solve the first ``exact_samples`` held-out samples per
(width, seed) (``toy.exact``). Either way each width's point holds, per seed, the held-out loss,
the normalised loss, training steps, convergence and, for an exact read-out, the share of samples
recovered exactly (NaN for a trained one: its output is never exact).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from galleryforge.train.toy.config import EPSILONS, EXACT_HALF, EXACT_READOUTS, Cell, ToyConfig
from galleryforge.train.toy.exact import decode, random_projection
from galleryforge.train.toy.fit import octaves, train_cell
from galleryforge.train.toy.samples import held_out, zero_loss
from galleryforge.train.toy.search import Level, Point, search

QUANTITIES = ("loss", "normalised_loss", "steps", "converged", "exact_frac", "missed")


class UnitResult(NamedTuple):
    """A unit's sweep rows, one per (measured width, seed), and the CPU seconds it took."""

    rows: list[dict[str, Any]]
    cpu_s: float


def levels(config: ToyConfig, readout: str) -> list[Level]:
    """The levels searched for: the loss at every ε and the onset; the 50% exact width."""
    values = sorted({*EPSILONS, config.epsilon, config.onset}, reverse=True)
    found = [Level("normalised_loss", v) for v in values]
    if readout in EXACT_READOUTS:
        found.append(Level("missed", 1 - EXACT_HALF))
    return found


def measure_unit(config: ToyConfig, cell: Cell, readout: str) -> UnitResult:
    """``readout`` measured in ``cell`` at every width the search asks for."""
    cpu = time.process_time()
    if readout in EXACT_READOUTS:
        measure = _exact_measure(config, cell, readout)
    else:
        measure = _trained_measure(config, cell, readout)
    full = cell.features in config.full_curves
    initial = config.full_widths(cell) if full else config.coarse_widths(cell)
    points = search(measure, octaves(initial), levels(config, readout), config.bracket, not full)
    rows = []
    for width in sorted(points):
        point = points[width]
        for i, seed in enumerate(config.seeds):
            rows.append(
                {
                    "decoder": readout,
                    "alpha": cell.alpha,
                    "features": cell.features,
                    "seed": seed,
                    "width": width,
                    "k": cell.k,
                    "loss": float(point["loss"][i]),
                    "normalised_loss": float(point["normalised_loss"][i]),
                    "steps": int(point["steps"][i]),
                    "converged": float(point["converged"][i]),
                    "exact_frac": float(point["exact_frac"][i]),
                }
            )
    return UnitResult(rows, time.process_time() - cpu)


def _exact_measure(config: ToyConfig, cell: Cell, readout: str) -> Any:
    evaluation = held_out(cell, config.data, config.eval_samples)[: config.exact_samples].double()
    scale = zero_loss(evaluation)

    def measure(widths: list[int]) -> Mapping[int, Point]:
        found = {}
        for width in widths:
            values: dict[str, list[float]] = {q: [] for q in QUANTITIES}
            for seed in config.seeds:
                W = random_projection(width, cell, config.data, seed)
                result = decode(readout, W, evaluation)
                loss = float((result.recovered - evaluation).pow(2).mean())
                values["loss"].append(loss)
                values["normalised_loss"].append(loss / scale)
                values["steps"].append(0)  # solved, not trained
                values["converged"].append(result.solved)
                values["exact_frac"].append(result.exact)
                values["missed"].append(1 - result.exact)
            found[width] = {q: np.asarray(v, dtype=np.float64) for q, v in values.items()}
        return found

    return measure


def _trained_measure(config: ToyConfig, cell: Cell, readout: str) -> Any:
    seeds = list(config.seeds)

    def measure(widths: list[int]) -> Mapping[int, Point]:
        results = train_cell(config, cell, widths, seeds, (readout,))
        found = {}
        for width in widths:
            mine = sorted(
                (r for r in results if r.width == width), key=lambda r: seeds.index(r.seed)
            )
            nan = np.full(len(mine), np.nan)
            found[width] = {
                "loss": np.array([r.loss for r in mine]),
                "normalised_loss": np.array([r.normalised_loss for r in mine]),
                "steps": np.array([r.steps for r in mine], dtype=np.float64),
                "converged": np.array([float(r.converged) for r in mine]),
                "exact_frac": nan,
                "missed": nan,
            }
        return found

    return measure
