"""The ``active-set`` read-out's solver: Lawson–Hanson non-negative least squares, per sample.

x̂ = argmin over z ≥ 0 of ‖W z − W x‖², by ``scipy.optimize.nnls`` in float64. It is exact as a
least-squares solver (it ends on a point that meets the KKT conditions to rounding), but it is
not an exact *reference* for recovery: W has zero-mean Gaussian entries, so below
d_S ≈ (F + k) / 2 the set {z ≥ 0 : W z = W x} is unbounded and holds many exact fits, x is not
the unique minimiser, and which one comes back depends on the path. Lawson–Hanson walks from
z = 0 adding one index at a time, the most correlated with the residual: a greedy pursuit, which
returns a sparse fit (at most d_S non-zeros) and finds x only once the greedy path does.
Non-negative basis pursuit (``toy.lp``) is the reference with a known law; this read-out shows
what the greedy path costs on top of it.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import nnls as lawson_hanson

# Lawson–Hanson adds one index to the support per outer iteration and rarely removes any; scipy's
# default cap (3F) is reached on some rank-deficient problems, 30F on none we have seen.
MAX_ITER_PER_FEATURE = 30


class ActiveSet:
    """The solver for one W [d, F]: ``solve_many(B)`` is, for each row b of B, argmin over
    z ≥ 0 of ‖W z − b‖², or None where it reaches its iteration cap."""

    def __init__(self, W: np.ndarray) -> None:
        self.W = W
        self.cap = MAX_ITER_PER_FEATURE * W.shape[1]

    def solve(self, b: np.ndarray) -> np.ndarray | None:
        try:
            return np.asarray(lawson_hanson(self.W, b, maxiter=self.cap)[0])
        except RuntimeError:  # scipy's "Maximum number of iterations reached"
            return None

    def solve_many(self, B: np.ndarray) -> list[np.ndarray | None]:
        return [self.solve(b) for b in B]
