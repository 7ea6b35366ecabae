"""Toy sweep: what each read-out costs, batched training, LP solver settings, a study estimate.

1. ``readouts``: every unit (read-out in a cell) of a grid measured in this process, with the
   default search and training rules; prints each unit's CPU seconds and widths measured, and each
   read-out's total.
2. ``batched``: every (read-out, width, seed) model of a cell stacked and trained together
   (``galleryforge.train.toy.fit.train_cell``) against one ``train_cell`` call per (read-out,
   width, seed), for the same fixed number of steps with no early stopping, so both do the same
   arithmetic. Prints both wall times, their ratio, and the largest relative difference between
   the two sides' held-out losses (summation order only).
3. ``lp``: one basis-pursuit programme per sample against HiGHS with presolve, and blocks of
   samples as one block-diagonal programme, at F = 64, 256 and 1,024 (ms a sample).
4. ``estimate``: given a folder of finished units (``runs/toy.cells`` of a ``toy-study`` run that
   was stopped, or kept with ``--keep-units``), each read-out's CPU seconds per unit against F at
   each k, the power of F it grows with (least squares over the F measured), and the CPU seconds
   the units not yet measured would take at that rate.

    .venv/bin/python benchmarks/toy_sweep.py                    # parts 1-3, minutes on 2 cores
    .venv/bin/python benchmarks/toy_sweep.py --only lp
    .venv/bin/python benchmarks/toy_sweep.py --only estimate --units runs/toy.cells \\
        --preset toy-study
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from galleryforge.train.toy.config import Cell, ToyConfig, load_toy_config
from galleryforge.train.toy.exact import random_projection
from galleryforge.train.toy.fit import train_cell
from galleryforge.train.toy.lp import BasisPursuit
from galleryforge.train.toy.measure import measure_unit
from galleryforge.train.toy.samples import held_out

Losses = dict[tuple[str, float, int, int, int], float]  # (read-out, k, F, seed, width) -> loss


def per_unit(config: ToyConfig) -> None:
    """Part 1: each unit's CPU seconds and widths measured, and each read-out's total."""
    totals: dict[str, float] = defaultdict(float)
    for cell in config.cells():
        for decoder in config.decoders:
            result = measure_unit(config, cell, decoder)
            widths = len({row["width"] for row in result.rows})
            totals[decoder] += result.cpu_s
            print(f"{decoder:10s} {cell.label:12s} {result.cpu_s:8.1f} CPU s  {widths:3d} widths")
    for decoder, cpu in totals.items():
        print(f"{decoder:10s} total {cpu:8.1f} CPU s")


def batched(config: ToyConfig) -> Losses:
    losses: Losses = {}
    for cell in config.cells():
        for r in train_cell(config, cell, config.full_widths(cell), config.seeds):
            losses[r.readout, cell.k, cell.features, r.seed, r.width] = r.loss
    return losses


def sequential(config: ToyConfig) -> Losses:
    losses: Losses = {}
    for cell in config.cells():
        for readout in ("untied", "tied"):
            for width in config.full_widths(cell):
                for seed in config.seeds:
                    (r,) = train_cell(config, cell, (width,), (seed,), (readout,))
                    losses[readout, cell.k, cell.features, r.seed, r.width] = r.loss
    return losses


def compare_batched(grid: ToyConfig) -> None:
    """Part 2: the trained read-outs batched against one model at a time, same arithmetic."""
    steps = 200  # one evaluation, at the end: both sides train every model fully
    fixed = replace(grid, max_steps=steps, eval_every=steps)
    start = time.perf_counter()
    together = batched(fixed)
    batched_s = time.perf_counter() - start
    start = time.perf_counter()
    alone = sequential(fixed)
    sequential_s = time.perf_counter() - start
    print(f"trained read-outs, {len(alone)} models, {steps} steps each:")
    print(f"batched    {batched_s:8.2f} s")
    print(f"sequential {sequential_s:8.2f} s")
    print(f"speed-up   {sequential_s / batched_s:8.2f}x (sequential / batched)")
    worst = max(abs(together[key] - loss) / loss for key, loss in alone.items())
    print(f"largest relative loss difference, batched vs alone: {worst:.2e}")


def lp_settings(samples: int) -> None:
    """Part 3: ms a sample of basis pursuit, one programme a sample or blocks of them."""
    for features, k in ((64, 4), (256, 8), (1024, 8)):
        cell = Cell(features, float(k), 1 - k / features)
        width = round(1.2 * k * np.log(features / k))  # near δ: the widths the search measures
        W = random_projection(width, cell, "exact-k", 0).double().numpy()
        B = held_out(cell, "exact-k", samples).double().numpy() @ W.T
        solver = BasisPursuit(W)
        for size in (1, 8):
            solver.size = size
            start = time.perf_counter()
            solver.solve_many(B)
            ms = (time.perf_counter() - start) / samples * 1e3
            print(f"lp F={features:5d} d={width:3d} block {size}: {ms:7.2f} ms a sample")
        from scipy.optimize import linprog

        start = time.perf_counter()
        for b in B:
            linprog(np.ones(features), A_eq=W, b_eq=b, bounds=(0, None), method="highs-ds")
        ms = (time.perf_counter() - start) / samples * 1e3
        print(f"lp F={features:5d} d={width:3d} with presolve, dense A: {ms:7.2f} ms a sample")


def estimate(units: Path, config: ToyConfig) -> None:
    """Part 4: the CPU seconds of the units not measured yet, from those that were."""
    measured: dict[tuple[str, float], dict[int, float]] = defaultdict(dict)
    for path in sorted(units.glob("*.parquet")):
        frame = pd.read_parquet(path)
        decoder, k, f = (
            str(frame["decoder"].iloc[0]),
            float(frame["k"].iloc[0]),
            int(frame["features"].iloc[0]),
        )
        measured[decoder, k][f] = float(frame["unit_cpu_s"].iloc[0])
    done = todo = 0.0
    for decoder in config.decoders:
        for k in sorted({c.k for c in config.cells()}):
            have = measured.get((decoder, k), {})
            wanted = sorted(c.features for c in config.cells() if c.k == k)
            done += sum(have.values())
            if len(have) < 2:
                print(
                    f"{decoder:10s} k={k:g}: {len(have)} unit(s) measured, too few to extrapolate"
                )
                continue
            f, cpu = np.log(list(have)), np.log(list(have.values()))
            power, scale = np.polyfit(f, cpu, 1)
            rest = {n: float(np.exp(scale) * n**power) for n in wanted if n not in have}
            todo += sum(rest.values())
            shown = ", ".join(f"F={n}: {s:,.0f}" for n, s in rest.items()) or "none left"
            print(f"{decoder:10s} k={k:g}: CPU s ∝ F^{power:.2f} over F = {sorted(have)}; {shown}")
    print(f"measured {done:,.0f} CPU s; the rest at these rates {todo:,.0f} CPU s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("readouts", "batched", "lp", "estimate"))
    parser.add_argument("--units", type=Path, default=Path("runs/toy.cells"))
    parser.add_argument("--preset", default="toy-study")
    args = parser.parse_args()
    if args.only == "estimate":
        estimate(args.units, load_toy_config(args.preset))
        return
    grid = ToyConfig(ks=(2.0, 4.0), features=(64, 256), seeds=(0, 1, 2), bootstrap=0)
    print(f"grid: {', '.join(c.label for c in grid.cells())}, {len(grid.seeds)} seeds")
    if args.only in (None, "readouts"):
        per_unit(grid)
    if args.only in (None, "batched"):
        compare_batched(replace(grid, ks=(2.0,), features=(64,)))
    if args.only in (None, "lp"):
        lp_settings(64)


if __name__ == "__main__":
    main()
