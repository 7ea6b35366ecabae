"""Toy data: x ∈ R^F, each feature active independently with probability 1 − α, magnitude U(0, 1).

k = F (1 − α) features are active on average. Every random stream (training data per seed, model
initialisation per seed and width, the held-out set per (α, F)) has its own generator, seeded from
its name and coordinates, so adding a width, a seed or a read-out never changes another model's
numbers.
"""

from __future__ import annotations

import numpy as np
import torch

# Independent random streams, so that e.g. adding a width never changes another model's data.
DATA_STREAM, INIT_STREAM, EVAL_STREAM, NNLS_STREAM = 0, 1, 2, 3


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


def held_out(alpha: float, features: int, n: int) -> torch.Tensor:
    """The fixed held-out set of one (α, F) cell, shared by every read-out, width and seed."""
    return sample(generator(EVAL_STREAM, alpha, features), n, features, alpha)


def zero_loss(x: torch.Tensor) -> float:
    """The loss of predicting x̂ = 0 on ``x``: mean of x² (expected value (1 − α) / 3).

    Dividing a held-out loss by it gives the normalised loss: 1 means nothing recovered.
    """
    return float(x.double().pow(2).mean())
