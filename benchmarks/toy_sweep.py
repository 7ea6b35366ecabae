"""Toy sweep: what each read-out costs, and batched training against one model at a time.

1. Per read-out: the same grid measured by each read-out alone (``decoders`` set to one), with
   the default training and stopping rules, in one process. Prints CPU seconds per read-out and
   each one's cost relative to ``tied`` (the baseline: the toy model the study started from).
2. Batched against sequential: every (read-out, width, seed) model of a cell stacked and trained
   together (``galleryforge.train.toy.fit.train_cell``) against one ``train_cell`` call per (width,
   seed), for the same fixed number of steps with no early stopping, so both do the same arithmetic.
   Prints both wall times, their ratio, and the largest relative difference between the two
   sides' held-out losses (summation order only).

    .venv/bin/python benchmarks/toy_sweep.py            # a few minutes on 2 CPU cores
    .venv/bin/python benchmarks/toy_sweep.py --quick    # under a minute
    .venv/bin/python benchmarks/toy_sweep.py --only readouts   # part 1 only
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from galleryforge.train.toy.config import READOUTS, ToyConfig
from galleryforge.train.toy.experiment import measure_cell
from galleryforge.train.toy.fit import train_cell

Losses = dict[tuple[str, float, int, int, int], float]  # (read-out, α, F, seed, width) -> loss


def per_readout(config: ToyConfig) -> dict[str, float]:
    """CPU seconds each read-out takes to measure the whole grid alone."""
    seconds = {}
    for decoder in READOUTS:
        alone = replace(config, decoders=(decoder,))
        start = time.process_time()
        for features in config.features:
            for alpha in config.alphas:
                measure_cell(alone, (alpha, features))
        seconds[decoder] = time.process_time() - start
    return seconds


def batched(config: ToyConfig) -> Losses:
    losses: Losses = {}
    for features in config.features:
        for alpha in config.alphas:
            for r in train_cell(config, alpha, features, config.widths(features), config.seeds):
                losses[r.readout, alpha, features, r.seed, r.width] = r.loss
    return losses


def sequential(config: ToyConfig) -> Losses:
    losses: Losses = {}
    for features in config.features:
        for alpha in config.alphas:
            for readout in ("untied", "tied"):
                for width in config.widths(features):
                    for seed in config.seeds:
                        (r,) = train_cell(config, alpha, features, (width,), (seed,), (readout,))
                        losses[readout, alpha, features, r.seed, r.width] = r.loss
    return losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller grid")
    parser.add_argument("--only", choices=("readouts", "batched"), help="run one part")
    args = parser.parse_args()
    quick = args.quick
    grid = ToyConfig(
        alphas=(0.8, 0.95),
        features=(16, 32) if quick else (32, 64),
        seeds=(0, 1) if quick else (0, 1, 2),
        bootstrap=0,
    )
    print(
        f"grid: alphas {list(grid.alphas)} x F {list(grid.features)}, {len(grid.seeds)} seeds, "
        f"widths 1..F at {grid.widths_per_octave} per octave"
    )
    if args.only != "batched":
        seconds = per_readout(grid)
        for decoder, cpu in seconds.items():
            print(f"{decoder:7s} {cpu:8.1f} CPU s  {cpu / seconds['tied']:5.2f}x tied")
    if args.only != "readouts":
        compare_batched(grid)


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


if __name__ == "__main__":
    main()
