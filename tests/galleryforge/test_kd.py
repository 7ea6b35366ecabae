"""The KD width model against the study's published summaries (DESIGN.md)."""

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


def test_d_star_equals_alive_width_times_capacity() -> None:
    l0, width, dead = np.array([10.0, 150.0, 900.0]), 4_096, np.array([0, 100, 400])
    alpha = kd.sparsity_alpha(l0, width, dead)
    np.testing.assert_allclose(kd.d_star(l0, width, dead), (width - dead) * kd.capacity_g(alpha))
    np.testing.assert_allclose(kd.d_star(l0, width, dead), l0 * np.log((width - dead) / l0))


def test_capacity_function_limits() -> None:
    assert kd.capacity_g(1.0) == 0.0
    assert kd.capacity_g(0.0) == 0.0
    # Maximum at 1 - alpha = 1/e, where g = 1/e.
    assert kd.capacity_g(1 - 1 / np.e) == pytest.approx(1 / np.e)


def test_toy_d_star_is_k_log_f_over_k() -> None:
    alpha, features = 0.95, 256
    k = features * (1 - alpha)
    assert kd.toy_d_star(alpha, features) == pytest.approx(k * np.log(features / k))


def test_trial_figures_are_means_of_layer_values_not_formula_of_means() -> None:
    final = pd.DataFrame(
        {"l0": [10.0, 1_000.0], "width": [4_096, 4_096], "dead": [0, 0], "mse": [0.1, 0.3]}
    )
    summary = kd.trial_kd(final)
    per_layer = kd.d_star(final["l0"], 4_096)
    assert summary.d_star == pytest.approx(per_layer.mean())
    assert summary.d_star != pytest.approx(float(kd.d_star(final["l0"].mean(), 4_096)))


def test_predicted_loss_floor_reaches_measured_loss_at_d_star_and_stays() -> None:
    widths = np.array([100.0, 390.0, 780.0, 1_500.0, 30_000.0])
    curve = kd.predicted_loss_floor(widths, d_star_value=780.0, floor_loss=0.23)
    np.testing.assert_allclose(curve[2:], 0.23)
    assert curve[0] > curve[1] > curve[2]
    assert curve[1] == pytest.approx(0.23 * 2.0)  # the default shape: loss ∝ 1 / d_S


def test_fit_power_law_shape_recovers_the_exponent() -> None:
    x = np.array([0.1, 0.2, 0.5, 0.9, 1.5])
    y = np.maximum(x**-0.7, 1.0)
    assert kd.fit_power_law_shape(x, y) == pytest.approx(0.7)
