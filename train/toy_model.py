"""Toy data, the batched bottleneck autoencoder and its training loop, for one (α, F) cell.

Data: x ∈ R^F, each feature active independently with probability 1 − α, magnitude U(0, 1).
Model: x̂ = ReLU(Wᵀ W x + b), W: [d_S, F], b: [F]. Loss: the mean over samples and features of
(x̂ − x)² (per-element MSE, the ``mse`` of the data contract), on fresh data while training and on a
fixed held-out set for evaluation.

Every width and seed of a cell trains at once: the models of one width are stacked along a leading
axis (``W: [seeds, d_S, F]``) and stepped with batched matrix products, all widths in one loop on
the same data. A model stops when its held-out loss stops improving (``plateaued``); it is then
dropped from its stack, so the others go on exactly as if it had never been there. Each model's
initialisation and data stream depend only on (seed, α, F) and its width, so a model trained alone
reproduces its batched twin up to floating-point summation order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from train.toy_config import ToyConfig

# Independent random streams, so that e.g. adding a width never changes another model's data.
DATA_STREAM, INIT_STREAM, EVAL_STREAM = 0, 1, 2
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def generator(stream: int, alpha: float, features: int, *parts: int) -> torch.Generator:
    """A torch generator seeded from (stream, α, F, parts) through numpy's SeedSequence."""
    entropy = [stream, round(alpha * 1_000_000), features, *parts]
    low, high = np.random.SeedSequence(entropy).generate_state(2)
    return torch.Generator().manual_seed(int(low) | (int(high) & 0x7FFFFFFF) << 32)


def sample(gen: torch.Generator, n: int, features: int, alpha: float) -> torch.Tensor:
    """``n`` samples [n, F]: each feature active with probability 1 − α, magnitude U(0, 1).

    One uniform u per entry: the feature is active when u < 1 − α, and then u / (1 − α) is
    uniform on [0, 1), so it serves as the magnitude.
    """
    scaled = torch.rand(n, features, generator=gen).div_(1 - alpha)
    return scaled.mul_(scaled < 1)


def plateaued(history: Sequence[float], rel_tol: float, patience: int) -> bool:
    """True when the best of the last ``patience`` losses is not below (1 − rel_tol) × the best
    loss before them: the held-out loss stopped improving."""
    if len(history) <= patience:
        return False
    before = min(history[:-patience])
    return min(history[-patience:]) >= before * (1 - rel_tol)


class WidthStack:
    """The still-training models of one width: ``W [m, d, F]``, ``b [m, F]`` and Adam moments."""

    def __init__(self, width: int, seeds: Sequence[int], alpha: float, features: int) -> None:
        self.width = width
        self.seeds = list(seeds)
        std = math.sqrt(2 / (width + features))  # Xavier-normal, as for a linear layer
        self.W = torch.stack(
            [
                torch.randn(
                    width, features, generator=generator(INIT_STREAM, alpha, features, s, width)
                )
                * std
                for s in self.seeds
            ]
        )
        self.b = torch.zeros(len(self.seeds), features)
        self.moments = [torch.zeros_like(p) for p in (self.W, self.W, self.b, self.b)]
        self.t = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x̂ for ``x`` [m, n, F] (a batch per model) or [n, F] (one batch for all models)."""
        pattern = "nf,mdf->mnd" if x.dim() == 2 else "mnf,mdf->mnd"
        hidden = torch.einsum(pattern, x, self.W)
        return torch.relu(torch.bmm(hidden, self.W) + self.b[:, None, :])

    def losses(self, x: torch.Tensor) -> torch.Tensor:
        """Per-model loss [m]: the mean over samples and features of (x̂ − x)²."""
        return (self.forward(x) - x).pow(2).mean(dim=(-2, -1))

    def gradients(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """d loss / d (W, b) of every model on its own batch ``x`` [m, n, F].

        Written out rather than left to autograd: the element-wise passes over [m, n, F] cost more
        than the matrix products at these sizes, and this needs four of them instead of a dozen.
        """
        n, features = x.shape[1], x.shape[2]
        hidden = torch.bmm(x, self.W.transpose(1, 2))  # [m, n, d]
        z = torch.baddbmm(self.b[:, None, :], hidden, self.W)  # pre-activation [m, n, F]
        # d loss / d z = 2 (z - x) / (n F) where z > 0, else 0 (the 2 / (n F) is applied last).
        active = z > 0
        grad_z = z.sub_(x).mul_(active)
        grad_w = torch.bmm(hidden.transpose(1, 2), grad_z)  # through the decoder Wᵀ
        grad_hidden = torch.bmm(grad_z, self.W.transpose(1, 2))
        grad_w.baddbmm_(grad_hidden.transpose(1, 2), x)  # through the encoder W
        scale = 2 / (n * features)
        return grad_w.mul_(scale), grad_z.sum(dim=1).mul_(scale)

    def train_step(self, x: torch.Tensor, lr: float) -> None:
        """One Adam step of every model on its own batch ``x`` [m, batch, F]."""
        grad_w, grad_b = self.gradients(x)
        self.t += 1
        m_w, v_w, m_b, v_b = self.moments
        for param, grad, m, v in ((self.W, grad_w, m_w, v_w), (self.b, grad_b, m_b, v_b)):
            m.mul_(BETA1).add_(grad, alpha=1 - BETA1)
            v.mul_(BETA2).addcmul_(grad, grad, value=1 - BETA2)
            denom = (v / (1 - BETA2**self.t)).sqrt_().add_(EPS)
            param.addcdiv_(m, denom, value=-lr / (1 - BETA1**self.t))

    def keep(self, mask: Sequence[bool]) -> None:
        """Drop the models whose entry in ``mask`` is False."""
        index = torch.tensor([i for i, k in enumerate(mask) if k], dtype=torch.long)
        self.seeds = [s for s, k in zip(self.seeds, mask, strict=True) if k]
        self.W, self.b = self.W[index], self.b[index]
        self.moments = [m[index] for m in self.moments]


@dataclass(frozen=True)
class ModelResult:
    """One trained model: its held-out loss when it stopped, after how many steps, and why."""

    seed: int
    width: int
    loss: float
    steps: int
    converged: bool


@contextmanager
def _cpu_settings() -> Iterator[None]:
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
    alpha: float,
    features: int,
    widths: Sequence[int],
    seeds: Sequence[int],
    on_eval: Callable[[int], None] | None = None,
) -> list[ModelResult]:
    """Train every (width, seed) model of one (α, F) cell together until each one converges.

    Each seed draws ``batch_size`` fresh samples a step from its own generator; every model of that
    seed trains on them. Every ``eval_every`` steps each model's held-out loss is appended to its
    history; a model whose history has ``plateaued`` (or that reached ``max_steps``) is recorded
    with the held-out loss of that last evaluation, and removed. ``on_eval(step)`` is called after
    each evaluation.
    """
    held_out = sample(generator(EVAL_STREAM, alpha, features), config.eval_samples, features, alpha)
    streams = {s: generator(DATA_STREAM, alpha, features, s) for s in seeds}
    stacks = [WidthStack(w, seeds, alpha, features) for w in widths]
    history: dict[tuple[int, int], list[float]] = {(s, w): [] for s in seeds for w in widths}
    results: list[ModelResult] = []
    with _cpu_settings():
        for step in range(1, config.max_steps + 1):
            live = [s for s in seeds if any(s in stack.seeds for stack in stacks)]
            batch = torch.stack(
                [sample(streams[s], config.batch_size, features, alpha) for s in live]
            )
            for stack in stacks:
                rows = [live.index(s) for s in stack.seeds]
                stack.train_step(
                    batch if rows == list(range(len(live))) else batch[rows], config.lr
                )
            if step % config.eval_every and step < config.max_steps:
                continue
            for stack in stacks:
                losses = stack.losses(held_out).tolist()
                keep = []
                for seed, loss in zip(stack.seeds, losses, strict=True):
                    past = history[seed, stack.width]
                    past.append(loss)
                    done = plateaued(past, config.rel_tol, config.patience)
                    if done or step == config.max_steps:
                        results.append(ModelResult(seed, stack.width, loss, step, done))
                    keep.append(not done and step < config.max_steps)
                stack.keep(keep)
            stacks = [stack for stack in stacks if stack.seeds]
            if on_eval is not None:
                on_eval(step)
            if not stacks:
                break
    return sorted(results, key=lambda r: (r.seed, r.width))
