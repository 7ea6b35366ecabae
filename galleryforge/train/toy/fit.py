"""The training loop of the trained read-outs (``toy.stack``), for one cell of the grid.

Every (read-out, width, seed) model of a cell trains at once on the same data, one
``ModelStack`` per read-out and octave of widths. Adam with a learning rate that steps down on
plateaus: when a model's held-out loss stops improving (``plateaued``) its rate is multiplied by
``lr_drop``; after ``lr_drops`` drops, the next plateau ends its training and it counts as
converged. A model that reaches ``max_steps`` first is recorded as not converged. Each model's
initialisation and data depend only on (seed, cell) and its width, so a model trained alone
reproduces its batched twin up to floating-point summation order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from galleryforge.train.toy.config import Cell, ToyConfig
from galleryforge.train.toy.samples import DATA_STREAM, Batches, generator, held_out, zero_loss
from galleryforge.train.toy.stack import ModelStack

TRAINED = ("tied", "untied")


def plateaued(history: Sequence[float], rel_tol: float, abs_tol: float, patience: int) -> bool:
    """True when the best of the last ``patience`` losses is not below the best loss before them
    by more than max(rel_tol × that best, abs_tol): the held-out loss stopped improving.

    ``abs_tol`` (in normalised-loss units) keeps a loss that is heading to 0 from counting as
    improving for ever by ever smaller absolute amounts.
    """
    if len(history) <= patience:
        return False
    before = min(history[:-patience])
    return min(history[-patience:]) > before - max(rel_tol * before, abs_tol)


def octaves(widths: Sequence[int]) -> list[list[int]]:
    """Widths grouped for stacking: one group per octave, everything below 16 in one."""
    groups: dict[int, list[int]] = {}
    for width in sorted(widths):
        groups.setdefault(max(width.bit_length(), 4), []).append(width)
    return list(groups.values())


@dataclass(frozen=True)
class ModelResult:
    """One model's held-out loss when it stopped (raw and normalised), after how many steps, and
    whether it converged (stopped by the plateau rule at its lowest rate, not by the step cap)."""

    readout: str
    seed: int
    width: int
    loss: float
    normalised_loss: float
    steps: int
    converged: bool


@contextmanager
def cpu_settings() -> Iterator[None]:
    # One intra-op thread: these matrices are small, and a second thread costs more in
    # synchronisation than it saves (ten times more on a busy machine, where it spins).
    # Flush denormals: Adam moments of inactive units decay geometrically into denormal floats,
    # which the CPU handles a hundred times slower; flushing them changes nothing measurable.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)
        torch.set_num_threads(threads)


def train_cell(
    config: ToyConfig,
    cell: Cell,
    widths: Sequence[int],
    seeds: Sequence[int],
    readouts: Sequence[str] = TRAINED,
    on_eval: Callable[[int], None] | None = None,
) -> list[ModelResult]:
    """Train every (read-out, width, seed) model of one cell together until each stops.

    Each seed draws ``batch_size`` fresh samples a step from its own generator; every model of
    that seed trains on them. Every ``eval_every`` steps each model's normalised held-out loss is
    appended to its history; on a plateau its rate drops, or, after the last drop, it is recorded
    and removed. ``on_eval(step)`` is called after each evaluation.
    """
    evaluation = held_out(cell, config.data, config.eval_samples)
    scale = zero_loss(evaluation)
    streams = {
        s: Batches(
            generator(DATA_STREAM, cell, config.data, s),
            cell,
            config.data,
            config.batch_size,
            config.eval_every,
        )
        for s in seeds
    }
    stacks = [
        ModelStack(r, [(w, s) for w in group for s in seeds], cell, config.data, config.lr)
        for r in readouts
        for group in octaves(widths)
    ]
    results: list[ModelResult] = []
    with cpu_settings():
        for step in range(1, config.max_steps + 1):
            live = [s for s in seeds if any(s in stack.seeds for stack in stacks)]
            batch = torch.stack([streams[s].next_batch() for s in live])
            for stack in stacks:
                stack.train_step(batch[[live.index(s) for s in stack.seeds]])
            if step % config.eval_every and step < config.max_steps:
                continue
            for stack in stacks:
                results += _evaluate(stack, evaluation, scale, step, config)
            stacks = [stack for stack in stacks if stack.seeds]
            if on_eval is not None:
                on_eval(step)
            if not stacks:
                break
    return sorted(results, key=lambda r: (r.readout, r.seed, r.width))


def _evaluate(
    stack: ModelStack, evaluation: torch.Tensor, scale: float, step: int, config: ToyConfig
) -> list[ModelResult]:
    """Append each model's held-out loss; drop rates on plateaus; return the models that stop."""
    stopped, keep = [], []
    for i, loss in enumerate(stack.losses(evaluation).tolist()):
        history = stack.history[i]
        history.append(loss / scale)
        done = False
        if plateaued(history, config.rel_tol, config.abs_tol, config.patience):
            if stack.drops[i] < config.lr_drops:
                stack.drops[i] += 1
                stack.lr[i] *= config.lr_drop
                del history[:-1]  # judge the new rate on its own evaluations
            else:
                done = True
        if done or step == config.max_steps:
            stopped.append(
                ModelResult(
                    stack.readout, stack.seeds[i], stack.widths[i], loss, loss / scale, step, done
                )
            )
        keep.append(not done and step < config.max_steps)
    stack.keep(keep)
    return stopped
