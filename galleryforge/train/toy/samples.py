"""Toy data: x ∈ R^F with k active features per sample, each with a magnitude drawn from U(0, 1).

Two conventions (the config's ``data``): ``exact-k``, exactly k features active, chosen uniformly
at random (compressed sensing's k-sparse signals, for which δ(k, F) is the law), and
``bernoulli``, each feature active independently with probability k / F = 1 − α (k on average).
Every random stream (training data per seed, model initialisation per seed and width, an exact
read-out's W per seed and width, the held-out set per cell) has its own generator, seeded from
its name and coordinates, so adding a width, a seed or a read-out never changes another model's
numbers.
"""

from __future__ import annotations

import numpy as np
import torch

from galleryforge.train.toy.config import DATA, Cell

# Independent random streams, so that e.g. adding a width never changes another model's data.
DATA_STREAM, INIT_STREAM, EVAL_STREAM, PROJECTION_STREAM = 0, 1, 2, 3


def generator(stream: int, cell: Cell, data: str, *parts: int) -> torch.Generator:
    """A torch generator seeded from (stream, data, k, F, parts) through numpy's SeedSequence."""
    entropy = [stream, DATA.index(data), round(cell.k * 1_000_000), cell.features, *parts]
    low, high = np.random.SeedSequence(entropy).generate_state(2)
    return torch.Generator().manual_seed(int(low) | (int(high) & 0x7FFFFFFF) << 32)


def sample(gen: torch.Generator, n: int, cell: Cell, data: str) -> torch.Tensor:
    """``n`` samples [n, F] of ``cell`` under the ``data`` convention, magnitudes U(0, 1)."""
    if data == "exact-k":
        # The k largest of F uniforms are a uniformly random k-subset; magnitudes drawn apart.
        chosen = torch.rand(n, cell.features, generator=gen).topk(int(cell.k), dim=1).indices
        magnitudes = torch.rand(n, int(cell.k), generator=gen)
        return torch.zeros(n, cell.features).scatter_(1, chosen, magnitudes)
    # One uniform u per entry: the feature is active when u < k / F, and then u / (k / F) is
    # uniform on [0, 1), so it serves as the magnitude.
    scaled = torch.rand(n, cell.features, generator=gen).div_(cell.k / cell.features)
    return scaled.mul_(scaled < 1)


def held_out(cell: Cell, data: str, n: int) -> torch.Tensor:
    """The fixed held-out set of one cell, shared by every read-out, width and seed."""
    return sample(generator(EVAL_STREAM, cell, data), n, cell, data)


def zero_loss(x: torch.Tensor) -> float:
    """The loss of predicting x̂ = 0 on ``x``: mean of x² (expected value k / (3F)).

    Dividing a held-out loss by it gives the normalised loss: 1 means nothing recovered.
    """
    return float(x.double().pow(2).mean())
