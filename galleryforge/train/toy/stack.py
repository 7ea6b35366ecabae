"""The trained read-outs of one (α, F) cell, stacked: weights, hand-written gradients and Adam.

Read-outs (the held-out loss is the mean over samples and features of (x̂ − x)²):

- ``tied``:   x̂ = ReLU(Wᵀ W x + b), W: [d_S, F], b: [F] (the classic toy model of superposition);
- ``untied``: x̂ = ReLU(D W x + b) with its own decoder D: [F, d_S], initialised to Wᵀ, so it
  starts where ``tied`` starts and can only add freedom: the most a one-step ReLU read-out can do.

The models of one read-out and octave of widths are stacked along a leading axis
(``W: [models, widest, F]``, the narrower ones padded with rows of zeros) and stepped with
batched matrix products. A zero row stays exactly zero (its gradient is zero, so Adam never moves
it), so padding changes no result; it only trades a few wasted multiplications for far fewer
small operations, which dominate the cost at these sizes. Adam: betas 0.9, 0.999, eps 1e-8.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from galleryforge.train.toy.config import Cell
from galleryforge.train.toy.samples import INIT_STREAM, generator

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


class ModelStack:
    """The still-training models of one read-out and width group: weights, Adam state, rates.

    Model i has width ``widths[i]`` and seed ``seeds[i]``; its rows beyond its width are zero.
    """

    def __init__(
        self,
        readout: str,
        models: Sequence[tuple[int, int]],
        cell: Cell,
        data: str,
        lr: float,
    ) -> None:
        features = cell.features
        self.readout = readout
        self.widths = [w for w, _ in models]
        self.seeds = [s for _, s in models]
        self.W = torch.zeros(len(models), max(self.widths), features)
        for i, (width, seed) in enumerate(models):
            gen = generator(INIT_STREAM, cell, data, seed, width)
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
