"""The compressed-sensing reference read-out: non-negative least squares on a random projection.

W: [d_S, F] with i.i.d. N(0, 1/d_S) entries, never trained; the read-out of x is

    x̂ = argmin over z ≥ 0 of ‖W z − W x‖²,

the recovery for which k·ln(F/k) measurements are the known scaling: above a sharp transition in
d_S a k-sparse non-negative x is the unique solution, so x̂ = x exactly.

Solver: the Lawson–Hanson active-set method (``scipy.optimize.nnls``), per sample, in float64. It
is exact — it ends on a point that meets the KKT conditions to rounding — and, unlike a gradient
method, it walks from z = 0 through supports of growing size, so below full width it returns a
sparse minimiser (at most d_S non-zeros) rather than a dense point of the flat valley that
surrounds it. A gradient method with a KKT-residual stopping rule (FISTA, the solver before this
one) stopped in that valley with 29–32 non-zeros where the sparse x was the answer
(docs/toy.md). Its cost is about 25–150 µs a sample for F ≤ 64 on one core.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.optimize import nnls as lawson_hanson

from galleryforge.train.toy.samples import NNLS_STREAM, generator

# Lawson–Hanson adds one index to the support per outer iteration and rarely removes any; scipy's
# default cap (3F) is reached on some rank-deficient problems, 30F on none we have seen.
MAX_ITER_PER_FEATURE = 30


@dataclass(frozen=True)
class NnlsResult:
    """The read-out of every sample, x̂ [n, F] (float64), and the share of samples solved.

    A sample whose solver reached its iteration cap is read out as 0 (the worst case, so the
    loss is never flattered) and counts against ``converged``.
    """

    recovered: torch.Tensor
    converged: float


def random_projection(width: int, features: int, alpha: float, seed: int) -> torch.Tensor:
    """W [d_S, F], entries i.i.d. N(0, 1/d_S), from its own stream per (α, F, seed, width)."""
    gen = generator(NNLS_STREAM, alpha, features, seed, width)
    return torch.randn(width, features, generator=gen) / width**0.5


def nnls(W: torch.Tensor, x: torch.Tensor) -> NnlsResult:
    """argmin_{z ≥ 0} ‖W z − W x‖² for one projection W [d, F] and every sample x [n, F]."""
    A = W.double().numpy()
    samples = x.double().numpy()
    measured = samples @ A.T  # [n, d]: Wx per sample
    out = np.zeros_like(samples)
    cap = MAX_ITER_PER_FEATURE * A.shape[1]
    failed = 0
    for i, b in enumerate(measured):
        try:
            out[i] = lawson_hanson(A, b, maxiter=cap)[0]
        except RuntimeError:  # scipy's "Maximum number of iterations reached"
            failed += 1
    return NnlsResult(torch.from_numpy(out), 1 - failed / max(len(samples), 1))
