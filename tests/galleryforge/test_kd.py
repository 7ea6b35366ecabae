"""The KD width model against the study's published summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from galleryforge import kd

F = 32_768


def test_trial_c_adaptive_published_summary() -> None:
    # L0 = 152 with about 7,000 dead of 32,768: alpha ≈ 0.994, d*_S ≈ 780 (published 781).
    assert kd.sparsity_alpha(152, F, 7_000) == pytest.approx(0.9941, abs=5e-4)
    assert kd.d_star(152, F, 7_000) == pytest.approx(781, abs=2)


def test_trial_b_paper_exact_published_summary() -> None:
    # L0 = 1,962, none dead: d*_S ≈ 5,520 (published 5,487 is a mean over layers).
    assert kd.sparsity_alpha(1_962, F) == pytest.approx(0.94, abs=5e-3)
    assert kd.d_star(1_962, F) == pytest.approx(5_524, abs=5)
    assert kd.d_star(1_962, F) == pytest.approx(5_487, rel=0.01)


def test_trial_a_dense_published_summary() -> None:
    # L0 = 6,184 with 98% alive: d*_S ≈ 10,190 (published 9,963, a mean over layers).
    assert kd.sparsity_alpha(6_184, F, 0.02 * F) == pytest.approx(0.81, abs=0.01)
    assert kd.d_star(6_184, F, 0.02 * F) == pytest.approx(10_190, abs=10)


def test_per_layer_values_at_hand_computed_points() -> None:
    # L0 = 100 of F = 1,000, none dead: alpha = 0.9, g = 0.1 ln 10 = 0.2302585, d*_S = 230.2585.
    assert kd.sparsity_alpha(100, 1_000) == pytest.approx(0.9)
    assert kd.capacity_g(0.9) == pytest.approx(0.2302585, abs=1e-7)
    assert kd.d_star(100, 1_000) == pytest.approx(230.2585, abs=1e-4)
    # Dead latents leave the dictionary: L0 = 152, F_alive = 32,768 - 7,000 = 25,768, so
    # alpha = 1 - 152 / 25,768 = 0.9941012 and d*_S = 152 ln(25,768 / 152) = 780.22.
    assert kd.alive_width(32_768, 7_000) == 25_768
    assert kd.sparsity_alpha(152, 32_768, 7_000) == pytest.approx(0.9941012, abs=1e-7)
    assert kd.d_star(152, 32_768, 7_000) == pytest.approx(780.22, abs=0.01)
    # Arrays work element-wise: the same two layers side by side.
    np.testing.assert_allclose(
        kd.d_star(np.array([100.0, 152.0]), np.array([1_000, 32_768]), np.array([0, 7_000])),
        [230.2585, 780.22],
        atol=0.01,
    )


def test_capacity_function_limits() -> None:
    assert kd.capacity_g(1.0) == 0.0
    assert kd.capacity_g(0.0) == 0.0
    # Maximum at 1 - alpha = 1/e, where g = 1/e; at alpha = 0.5, g = 0.5 ln 2 = 0.3465736.
    assert kd.capacity_g(1 - 1 / np.e) == pytest.approx(1 / np.e)
    assert kd.capacity_g(0.5) == pytest.approx(0.3465736, abs=1e-7)


def test_toy_d_star_at_hand_computed_points() -> None:
    # F = 256 features at alpha = 0.95: k = 12.8 active, d*_S = 12.8 ln 20 = 38.34537.
    assert kd.toy_d_star(0.95, 256) == pytest.approx(38.34537, abs=1e-5)
    # F = 1,000 at alpha = 0.9: k = 100, d*_S = 100 ln 10 = 230.2585 (the layer case above).
    assert kd.toy_d_star(0.9, 1_000) == pytest.approx(230.2585, abs=1e-4)


def _delta_by_quadrature(k: float, features: float) -> float:
    """delta(k, F) from its definition: E[(g − τ)₊²] by numerical integration, then the infimum
    over τ by a bounded scalar search (nothing shared with kd.toy_delta's closed form)."""
    from scipy.integrate import quad
    from scipy.optimize import minimize_scalar

    def objective(tau: float) -> float:
        def integrand(u: float) -> float:
            return (u - tau) ** 2 * np.exp(-u * u / 2) / np.sqrt(2 * np.pi)

        excess = quad(integrand, tau, np.inf, epsabs=1e-13, epsrel=1e-12)[0]
        return k * (1 + tau * tau) + (features - k) * excess

    best = minimize_scalar(objective, bounds=(0.0, 12.0), method="bounded", options={"xatol": 1e-9})
    return float(best.fun)


@pytest.mark.parametrize(("k", "features"), [(2, 64), (8, 256), (16, 64), (4, 1_024), (16, 4_096)])
def test_toy_delta_matches_numerical_integration(k: int, features: int) -> None:
    assert float(kd.toy_delta(k, features)) == pytest.approx(
        _delta_by_quadrature(k, features), rel=1e-7
    )


def test_toy_delta_approaches_two_k_log_f_over_k_as_k_over_f_vanishes() -> None:
    ratios = [
        float(kd.toy_delta(1.0, 10.0**e)) / (2 * np.log(10.0**e)) for e in (3, 12, 50, 100, 300)
    ]
    assert ratios == sorted(ratios)  # rising toward 1 ...
    assert 0.95 < ratios[-2] < ratios[-1] < 1  # ... slowly: within 4% at F/k = 1e100
    # In the toy grid's range it is well below the limit: 0.56 of 2k ln(F/k) at F/k = 32.
    assert float(kd.toy_delta(8, 256)) / (16 * np.log(32)) == pytest.approx(0.5559, abs=1e-4)


def test_toy_delta_broadcasts_and_refuses_k_at_or_above_f() -> None:
    grid = kd.toy_delta([[2], [4]], [64, 256])
    assert grid.shape == (2, 2)
    assert grid[1, 0] == pytest.approx(float(kd.toy_delta(4, 64)))
    with pytest.raises(ValueError, match="0 < k < F"):
        kd.toy_delta(64, 64)


def test_toy_power_law_recovers_a_planted_line() -> None:
    d_star = np.array([5.0, 10.0, 40.0, 90.0])
    a, b = kd.toy_power_law(d_star, np.exp(0.7) * d_star**0.8)
    assert (a, b) == pytest.approx((0.7, 0.8))
    assert np.isnan(kd.toy_power_law([5.0, 5.0], [7.0, 8.0])).all()


def test_trial_figures_are_means_of_layer_values_not_formula_of_means() -> None:
    final = pd.DataFrame(
        {"l0": [10.0, 1_000.0], "width": [4_096, 4_096], "dead": [0, 0], "mse": [0.1, 0.3]}
    )
    summary = kd.trial_kd(final)
    # Per layer: 10 ln(4,096 / 10) = 60.152 and 1,000 ln(4.096) = 1,410.011; their mean is
    # 735.081, whereas the formula at the mean L0 (505) would give 505 ln(4,096 / 505) = 1,057.07.
    assert summary.d_star == pytest.approx(735.081, abs=1e-3)
    assert summary.l0 == 505.0 and summary.mse == pytest.approx(0.2)
