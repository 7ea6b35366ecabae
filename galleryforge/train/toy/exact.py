"""The exact read-outs (``lp`` and ``active-set``): a random W, one solve per held-out sample.

W: [d_S, F] with i.i.d. N(0, 1/d_S) entries, never trained, drawn per (cell, seed, width). Each
sample x is measured as W x and read out by the read-out's solver (``toy.lp``, ``toy.active_set``)
in float64. A sample counts as *recovered exactly* when ‖x̂ − x‖ ≤ 1e-6 ‖x‖: the solvers' own
tolerances are near 1e-9, and a read-out that is not exact is off by far more than 1e-6.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from galleryforge.train.toy.active_set import ActiveSet
from galleryforge.train.toy.config import Cell
from galleryforge.train.toy.lp import BasisPursuit
from galleryforge.train.toy.samples import PROJECTION_STREAM, generator

EXACT_TOLERANCE = 1e-6
SOLVERS: dict[str, type[BasisPursuit] | type[ActiveSet]] = {
    "lp": BasisPursuit,
    "active-set": ActiveSet,
}


@dataclass(frozen=True)
class ExactResult:
    """The read-out of every sample, x̂ [n, F] (float64), the share of samples the solver
    finished, and the share recovered exactly.

    A sample whose solver failed (an iteration cap, or no optimum reported) is read out as 0 (the
    worst case, so the loss is never flattered) and counts against ``solved``.
    """

    recovered: torch.Tensor
    solved: float
    exact: float


def random_projection(width: int, cell: Cell, data: str, seed: int) -> torch.Tensor:
    """W [d_S, F], entries i.i.d. N(0, 1/d_S), from its own stream per (cell, seed, width)."""
    gen = generator(PROJECTION_STREAM, cell, data, seed, width)
    return torch.randn(width, cell.features, generator=gen) / width**0.5


def decode(readout: str, W: torch.Tensor, x: torch.Tensor) -> ExactResult:
    """Read out every sample x [n, F] from W x with ``readout``'s solver."""
    A = W.double().numpy()
    samples = x.double().numpy()
    solver = SOLVERS[readout](A)
    out = np.zeros_like(samples)
    failed = 0
    for i, z in enumerate(solver.solve_many(samples @ A.T)):  # from W x per sample
        if z is None:
            failed += 1
        else:
            out[i] = z
    errors = np.linalg.norm(out - samples, axis=1)
    exact = errors <= EXACT_TOLERANCE * np.linalg.norm(samples, axis=1)
    n = max(len(samples), 1)
    return ExactResult(torch.from_numpy(out), 1 - failed / n, float(exact.sum()) / n)
