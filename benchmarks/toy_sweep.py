"""Toy sweep: every width and seed of a cell trained together vs one model at a time.

Both sides run the same code (``train.toy_model.train_cell``) on the same grid for the same fixed
number of steps (no early stopping), so they do the same arithmetic; the batched side stacks the
models of one width and steps every width in one loop, the sequential side calls ``train_cell``
once per (width, seed). Prints both wall times, their ratio, and the largest relative difference
between the two sides' held-out losses (summation order only).

    .venv/bin/python benchmarks/toy_sweep.py            # ~2 minutes on 2 CPU cores
    .venv/bin/python benchmarks/toy_sweep.py --quick    # ~20 seconds
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from train.toy_config import ToyConfig
from train.toy_model import train_cell


def grid(quick: bool) -> ToyConfig:
    steps = 200
    return ToyConfig(
        alphas=(0.9, 0.99),
        features=(64, 128) if quick else (64, 128, 256),
        seeds=(0, 1) if quick else (0, 1, 2),
        max_steps=steps,
        eval_every=steps,  # one evaluation, at the end: both sides train every model fully
    )


Losses = dict[tuple[float, int, int, int], float]  # (alpha, F, seed, width) -> held-out loss


def batched(config: ToyConfig) -> Losses:
    losses: Losses = {}
    for features in config.features:
        for alpha in config.alphas:
            for r in train_cell(config, alpha, features, config.widths(features), config.seeds):
                losses[alpha, features, r.seed, r.width] = r.loss
    return losses


def sequential(config: ToyConfig) -> Losses:
    losses: Losses = {}
    for features in config.features:
        for alpha in config.alphas:
            for width in config.widths(features):
                for seed in config.seeds:
                    (r,) = train_cell(config, alpha, features, (width,), (seed,))
                    losses[alpha, features, r.seed, r.width] = r.loss
    return losses


def timed(run: Callable[[ToyConfig], Losses], config: ToyConfig) -> tuple[float, Losses]:
    start = time.perf_counter()
    losses = run(config)
    return time.perf_counter() - start, losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller grid (~20 s)")
    config = grid(parser.parse_args().quick)
    models = sum(len(config.widths(f)) for f in config.features) * len(config.alphas)
    models *= len(config.seeds)
    print(
        f"grid: alphas {list(config.alphas)} x F {list(config.features)}, "
        f"{len(config.seeds)} seeds, {models} models, {config.max_steps} steps each"
    )
    batched_s, together = timed(batched, config)
    print(f"batched    {batched_s:8.2f} s")
    sequential_s, alone = timed(sequential, config)
    print(f"sequential {sequential_s:8.2f} s")
    print(f"speed-up   {sequential_s / batched_s:8.2f}x (sequential / batched)")
    worst = max(abs(together[key] - loss) / loss for key, loss in alone.items())
    print(f"largest relative loss difference, batched vs alone: {worst:.2e}")


if __name__ == "__main__":
    main()
