"""The ``lp`` read-out's solver: non-negative basis pursuit, one linear programme per sample.

    x̂ = argmin 1ᵀz subject to W z = W x, z ≥ 0,

solved by scipy's HiGHS dual simplex. Always feasible (z = x) and bounded (1ᵀz ≥ 0). For a
Gaussian W with d_S rows, x k-sparse and non-negative is its unique solution with high probability
once d_S exceeds δ(k, F), the statistical dimension of the problem's descent cone, and almost
never below it (``kd.toy_delta``; Amelunxen, Lotz, McCoy and Tropp, "Living on the edge", 2014):
the exact reference whose transition has a known law.

HiGHS's presolve is off: on these dense problems it finds nothing to remove and costs three
quarters of the time (measured on F = 1,024 and 4,096; docs/benchmarks.md).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csc_array

OPTIONS = {"presolve": False}


class BasisPursuit:
    """The solver for one W [d, F]: ``solve(b)`` is argmin 1ᵀz subject to W z = b, z ≥ 0, or
    None when HiGHS does not report an optimum."""

    def __init__(self, W: np.ndarray) -> None:
        self.W = csc_array(W)  # converted once, not once per sample
        self.cost = np.ones(W.shape[1])

    def solve(self, b: np.ndarray) -> np.ndarray | None:
        found = linprog(
            self.cost, A_eq=self.W, b_eq=b, bounds=(0, None), method="highs-ds", options=OPTIONS
        )
        return np.asarray(found.x) if found.status == 0 else None
