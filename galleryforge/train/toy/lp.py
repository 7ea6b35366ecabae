"""The ``lp`` read-out's solver: non-negative basis pursuit, one linear programme per sample.

    x̂ = argmin 1ᵀz subject to W z = W x, z ≥ 0,

solved by scipy's HiGHS dual simplex. Always feasible (z = x) and bounded (1ᵀz ≥ 0). For a
Gaussian W with d_S rows, x k-sparse and non-negative is its unique solution with high probability
once d_S exceeds δ(k, F), the statistical dimension of the problem's descent cone, and almost
never below it (``kd.toy_delta``; Amelunxen, Lotz, McCoy and Tropp, "Living on the edge", 2014):
the exact reference whose transition has a known law.

HiGHS's presolve is off: on these dense problems it finds nothing to remove and costs three
quarters of the time (measured on F = 1,024 and 4,096; docs/benchmarks.md). For small F the cost
of a call is mostly scipy's own, so up to 8 samples are solved as one block-diagonal programme
(``block_size``): its objective is the sum of theirs and its constraints never couple them, so
its optimum is each sample's optimum side by side (measured: the same solutions to 1e-12, in a
third of the time at F = 64).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import block_diag, csc_array

OPTIONS = {"presolve": False}


def block_size(features: int) -> int:
    """Samples per programme: 8 up to F = 128, fewer above, one from F = 1,024 (where HiGHS's own
    time dominates and a block gains nothing)."""
    return min(8, max(1, 1024 // features))


class BasisPursuit:
    """The solver for one W [d, F]: ``solve_many(B)`` is, for each row b of B, argmin 1ᵀz
    subject to W z = b, z ≥ 0, or None where HiGHS does not report an optimum."""

    def __init__(self, W: np.ndarray) -> None:
        self.W = csc_array(W)  # converted once, not once per sample
        self.size = block_size(W.shape[1])
        self.blocks = {self.size: self._stack(self.size), 1: self.W}

    def _stack(self, count: int) -> csc_array:
        return csc_array(block_diag([self.W] * count, format="csc"))

    def _solve(self, B: np.ndarray) -> np.ndarray | None:
        A = self.blocks.get(len(B))
        if A is None:
            A = self.blocks[len(B)] = self._stack(len(B))
        found = linprog(
            np.ones(A.shape[1]),
            A_eq=A,
            b_eq=B.ravel(),
            bounds=(0, None),
            method="highs-ds",
            options=OPTIONS,
        )
        return np.asarray(found.x).reshape(len(B), -1) if found.status == 0 else None

    def solve_many(self, B: np.ndarray) -> list[np.ndarray | None]:
        out: list[np.ndarray | None] = []
        for start in range(0, len(B), self.size):
            block = B[start : start + self.size]
            solved = self._solve(block)
            if solved is None and len(block) > 1:  # find which sample failed, one at a time
                out += [None if (z := self._solve(b[None])) is None else z[0] for b in block]
            else:
                out += [None] * len(block) if solved is None else list(solved)
        return out
