"""The exact read-outs: ``active-set`` (KKT, brute force over supports) and ``lp`` (vertices by
brute force, exact recovery above δ(k, F) and its 50% width at δ)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from galleryforge import kd
from galleryforge.train.toy.config import Cell, ToyConfig
from galleryforge.train.toy.exact import decode, random_projection
from galleryforge.train.toy.measure import _exact_measure
from galleryforge.train.toy.samples import held_out, sample
from galleryforge.train.toy.search import Level, search
from galleryforge.train.toy.transition import transition_widths

K1_F32 = Cell(32, 1.0, 1 - 1 / 32)


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


def brute_force_basis_pursuit(A: np.ndarray, b: np.ndarray) -> float:
    """min 1ᵀz subject to Az = b, z ≥ 0, by trying every vertex (tiny problems only).

    A bounded feasible LP attains its minimum at a vertex: z supported on d linearly independent
    columns with A_S z_S = b and z_S ≥ 0. The least 1ᵀz over those is the optimum.
    """
    best = np.inf
    for support in itertools.combinations(range(A.shape[1]), A.shape[0]):
        columns = A[:, support]
        if abs(np.linalg.det(columns)) < 1e-12:
            continue
        coef = np.linalg.solve(columns, b)
        if (coef >= -1e-12).all():
            best = min(best, float(coef.sum()))
    return best


def test_active_set_attains_the_brute_force_optimum_when_the_constraint_binds() -> None:
    gen = torch.Generator().manual_seed(0)
    W = torch.randn(4, 7, generator=gen) / 2
    x = torch.randn(20, 7, generator=gen)  # negative entries: x itself is infeasible
    found = decode("active-set", W, x)
    assert found.solved == 1.0 and found.exact == 0.0
    A = W.double().numpy()
    for z, xi in zip(found.recovered.numpy(), x.double().numpy(), strict=True):
        assert (z >= 0).all()
        b = A @ xi
        assert float(np.sum((A @ z - b) ** 2)) == pytest.approx(brute_force_nnls(A, b), abs=1e-9)


def test_active_set_meets_the_kkt_conditions_in_the_underdetermined_regime() -> None:
    cell = Cell(32, 1.0, 1 - 1 / 32)
    x = sample(torch.Generator().manual_seed(2), 300, Cell(32, 3.0, 1 - 3 / 32), "bernoulli")
    W = random_projection(13, cell, "exact-k", 0)
    z = decode("active-set", W, x).recovered.numpy()
    A = W.double().numpy()
    gradient = (z - x.double().numpy()) @ A.T @ A  # ∇ of ½‖Wz − Wx‖² per sample
    assert (z >= 0).all()
    assert gradient.min() > -1e-9  # no descent direction into z ≥ 0
    assert np.abs(gradient[z > 0]).max() < 1e-9  # stationary on the support
    # Lawson–Hanson ends on a basic solution: never more non-zeros than measurements.
    assert (z > 0).sum(1).max() <= 13


def test_lp_attains_the_brute_force_vertex_optimum() -> None:
    gen = torch.Generator().manual_seed(1)
    W = torch.randn(4, 9, generator=gen)
    x = torch.rand(12, 9, generator=gen) * (torch.rand(12, 9, generator=gen) < 0.5)
    found = decode("lp", W, x)
    assert found.solved == 1.0
    A = W.double().numpy()
    for z, xi in zip(found.recovered.numpy(), x.double().numpy(), strict=True):
        b = A @ xi
        assert (z >= -1e-9).all()
        np.testing.assert_allclose(A @ z, b, atol=1e-7)
        assert z.sum() == pytest.approx(brute_force_basis_pursuit(A, b), abs=1e-7)


def test_lp_recovers_sparse_vectors_exactly_well_above_delta_and_not_well_below() -> None:
    cell = Cell(128, 4.0, 1 - 4 / 128)  # δ(4, 128) = 15.4
    x = held_out(cell, "exact-k", 60)
    wide = decode("lp", random_projection(40, cell, "exact-k", 0), x)
    assert wide.exact == 1.0
    assert float((wide.recovered - x.double()).abs().max()) < 1e-7
    narrow = decode("lp", random_projection(6, cell, "exact-k", 0), x)
    assert narrow.exact == 0.0


def test_one_active_feature_is_recovered_from_thirteen_measurements_of_thirty_two() -> None:
    # Where an old gradient solver left 29–32 non-zeros: x with one active feature is the unique
    # non-negative fit of Wx for a generic W with d_S ≥ 2, so both exact read-outs recover it.
    x = torch.zeros(1, 32)
    x[0, 5] = 0.7
    for readout in ("active-set", "lp"):
        found = decode(readout, random_projection(13, K1_F32, "exact-k", 0), x)
        assert found.recovered[0, 5].item() == pytest.approx(float(x[0, 5]), abs=1e-9)
        assert int((found.recovered > 1e-9).sum()) == 1 and found.exact == 1.0


def test_lp_half_width_is_delta_within_ten_percent() -> None:
    """The exact reference against its law: at F = 256, k = 8, where δ = 30.8, the width at which
    half the samples are recovered exactly (two W per width, 64 samples) is within 10% of δ."""
    config = ToyConfig(ks=(8.0,), features=(256,), seeds=(0, 1), exact_samples=64)
    (cell,) = config.cells()
    measure = _exact_measure(config, cell, "lp")
    groups = [[w] for w in config.coarse_widths(cell)]
    points = search(measure, groups, [Level("missed", 0.5)], config.bracket)
    widths = sorted(points)
    missed = [float(np.mean(points[w]["missed"])) for w in widths]
    half = float(transition_widths(widths, missed, 0.5).width[0])
    assert half == pytest.approx(float(kd.toy_delta(8, 256)), rel=0.10)


def test_projection_entries_have_variance_one_over_width() -> None:
    W = random_projection(200, Cell(400, 40.0, 0.9), "exact-k", 0)
    assert float(W.var()) == pytest.approx(1 / 200, rel=0.02)
    assert torch.equal(W, random_projection(200, Cell(400, 40.0, 0.9), "exact-k", 0))
    assert not torch.equal(W, random_projection(200, Cell(400, 40.0, 0.9), "exact-k", 1))
