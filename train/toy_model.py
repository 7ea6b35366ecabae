"""The trained read-outs, batched, and their training loop, for one (α, F) cell.

Read-outs (the held-out loss is the mean over samples and features of (x̂ − x)²):

- ``tied``:   x̂ = ReLU(Wᵀ W x + b), W: [d_S, F], b: [F] (the classic toy model of superposition);
- ``untied``: x̂ = ReLU(D W x + b) with its own decoder D: [F, d_S], initialised to Wᵀ, so it
  starts where ``tied`` starts and can only add freedom: the most a one-step ReLU read-out can do.

Every (read-out, width, seed) model of a cell trains at once on the same data: the models of one
read-out and octave of widths are stacked along a leading axis (``W: [models, widest, F]``, the
narrower ones padded with rows of zeros) and stepped with batched matrix products. A zero row
stays exactly zero (its gradient is zero, so Adam never moves it), so padding changes no result;
it only trades a few wasted multiplications for far fewer small operations, which dominate the
cost at these sizes. Adam (betas 0.9, 0.999, eps 1e-8) with a learning rate that steps down on
plateaus: when a model's held-out loss stops improving (``plateaued``) its rate is multiplied by
``lr_drop``; after ``lr_drops`` drops, the next plateau ends its training and it counts as
converged. A model that reaches ``max_steps`` first is recorded as not converged. Each model's
initialisation and data depend only on (seed, α, F) and its width, so a model trained alone
reproduces its batched twin up to floating-point summation order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from train.toy_config import ToyConfig
from train.toy_data import DATA_STREAM, INIT_STREAM, generator, held_out, sample, zero_loss

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8
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


class ModelStack:
    """The still-training models of one read-out and width group: weights, Adam state, rates.

    Model i has width ``widths[i]`` and seed ``seeds[i]``; its rows beyond its width are zero.
    """

    def __init__(
        self,
        readout: str,
        models: Sequence[tuple[int, int]],
        alpha: float,
        features: int,
        lr: float,
    ) -> None:
        self.readout = readout
        self.widths = [w for w, _ in models]
        self.seeds = [s for _, s in models]
        self.W = torch.zeros(len(models), max(self.widths), features)
        for i, (width, seed) in enumerate(models):
            gen = generator(INIT_STREAM, alpha, features, seed, width)
            std = math.sqrt(2 / (width + features))  # Xavier-normal, as for a linear layer
            self.W[i, :width] = torch.randn(width, features, generator=gen) * std
        # The decoder, stored transposed ([m, d, F], like W): the same tensor when tied.
        self.D = self.W if readout == "tied" else self.W.clone()
        self.b = torch.zeros(len(models), features)
        self.moments = {
            name: (torch.zeros_like(p), torch.zeros_like(p)) for name, p in self._params()
        }
        self.lr = torch.full((len(models),), lr)
        self.drops = [0] * len(models)
        self.history: list[list[float]] = [[] for _ in models]
        self.t = 0

    def _params(self) -> list[tuple[str, torch.Tensor]]:
        params = [("W", self.W), ("b", self.b)]
        return params if self.readout == "tied" else [*params, ("D", self.D)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x̂ for ``x`` [n, F], one batch for every model: [m, n, F]."""
        hidden = torch.einsum("nf,mdf->mnd", x, self.W)
        return torch.relu(torch.baddbmm(self.b[:, None, :], hidden, self.D))

    def losses(self, x: torch.Tensor) -> torch.Tensor:
        """Per-model held-out loss [m]: the mean over samples and features of (x̂ − x)²."""
        return (self.forward(x) - x).pow(2).mean(dim=(-2, -1))

    def gradients(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """d loss / d parameter of every model on its own batch ``x`` [m, n, F].

        Written out rather than left to autograd: the element-wise passes over [m, n, F] cost more
        than the matrix products at these sizes, and this needs four of them instead of a dozen.
        """
        n, features = x.shape[1], x.shape[2]
        hidden = torch.bmm(x, self.W.transpose(1, 2))  # [m, n, d]
        z = torch.baddbmm(self.b[:, None, :], hidden, self.D)  # pre-activation [m, n, F]
        # d loss / d z = 2 (z - x) / (n F) where z > 0, else 0 (the 2 / (n F) is applied last).
        active = z > 0
        grad_z = z.sub_(x).mul_(active)
        scale = 2 / (n * features)
        grad_d = torch.bmm(hidden.transpose(1, 2), grad_z)  # through the decoder
        grad_hidden = torch.bmm(grad_z, self.D.transpose(1, 2))
        grad_w = torch.bmm(grad_hidden.transpose(1, 2), x)  # through the encoder W
        grads = {"b": grad_z.sum(dim=1).mul_(scale)}
        if self.readout == "tied":
            grads["W"] = grad_w.add_(grad_d).mul_(scale)
        else:
            grads["W"], grads["D"] = grad_w.mul_(scale), grad_d.mul_(scale)
        return grads

    def train_step(self, x: torch.Tensor) -> None:
        """One Adam step of every model on its own batch ``x`` [m, batch, F], at its own rate."""
        grads = self.gradients(x)
        self.t += 1
        step = self.lr / (1 - BETA1**self.t)
        for name, param in self._params():
            grad, (m, v) = grads[name], self.moments[name]
            m.mul_(BETA1).add_(grad, alpha=1 - BETA1)
            v.mul_(BETA2).addcmul_(grad, grad, value=1 - BETA2)
            denom = (v / (1 - BETA2**self.t)).sqrt_().add_(EPS)
            shape = (-1,) + (1,) * (param.dim() - 1)
            param.sub_(m / denom * step.view(shape))

    def keep(self, mask: Sequence[bool]) -> None:
        """Drop the models whose entry in ``mask`` is False."""
        index = torch.tensor([i for i, k in enumerate(mask) if k], dtype=torch.long)
        self.seeds = [s for s, k in zip(self.seeds, mask, strict=True) if k]
        self.widths = [w for w, k in zip(self.widths, mask, strict=True) if k]
        self.drops = [d for d, k in zip(self.drops, mask, strict=True) if k]
        self.history = [h for h, k in zip(self.history, mask, strict=True) if k]
        self.W, self.b, self.lr = self.W[index], self.b[index], self.lr[index]
        self.D = self.W if self.readout == "tied" else self.D[index]
        self.moments = {k: (m[index], v[index]) for k, (m, v) in self.moments.items()}


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
    alpha: float,
    features: int,
    widths: Sequence[int],
    seeds: Sequence[int],
    readouts: Sequence[str] = TRAINED,
    on_eval: Callable[[int], None] | None = None,
) -> list[ModelResult]:
    """Train every (read-out, width, seed) model of one (α, F) cell together until each stops.

    Each seed draws ``batch_size`` fresh samples a step from its own generator; every model of
    that seed trains on them. Every ``eval_every`` steps each model's normalised held-out loss is
    appended to its history; on a plateau its rate drops, or, after the last drop, it is recorded
    and removed. ``on_eval(step)`` is called after each evaluation.
    """
    evaluation = held_out(alpha, features, config.eval_samples)
    scale = zero_loss(evaluation)
    streams = {s: generator(DATA_STREAM, alpha, features, s) for s in seeds}
    stacks = [
        ModelStack(r, [(w, s) for w in group for s in seeds], alpha, features, config.lr)
        for r in readouts
        for group in octaves(widths)
    ]
    results: list[ModelResult] = []
    with cpu_settings():
        for step in range(1, config.max_steps + 1):
            live = [s for s in seeds if any(s in stack.seeds for stack in stacks)]
            batch = torch.stack(
                [sample(streams[s], config.batch_size, features, alpha) for s in live]
            )
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
