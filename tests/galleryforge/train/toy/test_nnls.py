"""The nnls read-out: exact (KKT conditions, brute force over supports) and recovering sparse x."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from galleryforge.train.toy.nnls import nnls, random_projection
from galleryforge.train.toy.samples import generator, sample


def brute_force_nnls(A: np.ndarray, b: np.ndarray) -> float:
    """The least residual ‖Az − b‖² over z ≥ 0, by trying every support (tiny problems only).

    The minimum over z ≥ 0 is attained at a least-squares solution on some support whose
    coefficients are all non-negative, so the best feasible one over all supports is the optimum.
    """
    best = float(b @ b)  # z = 0
    for size in range(1, A.shape[1] + 1):
        for support in itertools.combinations(range(A.shape[1]), size):
            coef = np.linalg.lstsq(A[:, support], b, rcond=None)[0]
            if (coef >= -1e-12).all():
                best = min(best, float(np.sum((A[:, support] @ coef - b) ** 2)))
    return best


def test_attains_the_brute_force_optimum_when_the_constraint_binds() -> None:
    gen = torch.Generator().manual_seed(0)
    W = torch.randn(4, 7, generator=gen) / 2
    x = torch.randn(20, 7, generator=gen)  # negative entries: x itself is infeasible
    found = nnls(W, x)
    assert found.converged == 1.0
    A = W.double().numpy()
    for z, xi in zip(found.recovered.numpy(), x.double().numpy(), strict=True):
        assert (z >= 0).all()
        b = A @ xi
        assert float(np.sum((A @ z - b) ** 2)) == pytest.approx(brute_force_nnls(A, b), abs=1e-9)


def test_meets_the_kkt_conditions_in_the_underdetermined_regime() -> None:
    # The case a gradient solver got wrong: α = 0.98, F = 32, d_S = 13.
    x = sample(generator(2, 0.98, 32), 2048, 32, 0.98)[:300]
    W = random_projection(13, 32, 0.98, 0)
    z = nnls(W, x).recovered.numpy()
    A = W.double().numpy()
    gradient = (z - x.double().numpy()) @ A.T @ A  # ∇ of ½‖Wz − Wx‖² per sample
    assert (z >= 0).all()
    assert gradient.min() > -1e-9  # no descent direction into z ≥ 0
    assert np.abs(gradient[z > 0]).max() < 1e-9  # stationary on the support
    # Lawson–Hanson ends on a basic solution: never more non-zeros than measurements.
    assert (z > 0).sum(1).max() <= 13


def test_recovers_sparse_vectors_exactly_above_the_transition_and_not_far_below() -> None:
    features, alpha = 64, 0.9375  # k = 4 active on average
    x = sample(generator(9, alpha, features), 200, features, alpha)
    x = x[(x > 0).sum(1) <= 6]  # at most 6 active: d = 40 is comfortably above 6 ln(64/6) ≈ 14
    energy = x.double().pow(2).sum(1).clamp(min=1e-12)
    wide = nnls(random_projection(40, features, alpha, 0), x)
    assert float(((wide.recovered - x.double()).pow(2).sum(1) / energy).max()) < 1e-20
    narrow = nnls(random_projection(3, features, alpha, 0), x)
    errors = (narrow.recovered - x.double()).pow(2).sum(1) / energy
    assert float(errors[(x > 0).sum(1) >= 2].mean()) > 0.2


def test_one_active_feature_is_recovered_from_thirteen_measurements_of_thirty_two() -> None:
    # Where the old gradient solver left 29–32 non-zeros: x with one active feature is the
    # unique non-negative solution for a generic W with d_S ≥ 2, so recovery is exact.
    x = torch.zeros(1, 32)
    x[0, 5] = 0.7
    z = nnls(random_projection(13, 32, 0.98, 0), x).recovered
    assert z[0, 5].item() == pytest.approx(float(x[0, 5]), abs=1e-12)
    assert int((z > 1e-12).sum()) == 1  # the rest is rounding, below 1e-15


def test_projection_entries_have_variance_one_over_width() -> None:
    W = random_projection(200, 400, 0.9, 0)
    assert float(W.var()) == pytest.approx(1 / 200, rel=0.02)
    assert torch.equal(W, random_projection(200, 400, 0.9, 0))
    assert not torch.equal(W, random_projection(200, 400, 0.9, 1))
