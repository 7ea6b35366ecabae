"""The fitted L(F) = a·F^(−b) + L∞ on planted curves: parameters recovered within their bootstrap
intervals, the knee where the planted excess is 5% of the floor, a curve that never flattens
reported as a lower bound."""

from __future__ import annotations

import math

import numpy as np
import pytest

from galleryforge.width_fit import Curve, fit_curve, fit_layer

WIDTHS = [128, 256, 512, 1024, 2048, 4096, 8192]


def _seeds(truth: Curve, n_seeds: int, noise: float, seed: int = 0) -> list[list[float]]:
    """Each width's losses over seeds: the planted curve times 1 + noise·z, z standard normal."""
    rng = np.random.default_rng(seed)
    return [list(float(truth(w)) * (1 + noise * rng.standard_normal(n_seeds))) for w in WIDTHS]


def test_an_exact_curve_is_recovered() -> None:
    truth = Curve(a=3.0, b=0.6, floor=0.05)
    fit = fit_curve(WIDTHS, [float(truth(w)) for w in WIDTHS])
    assert (fit.a, fit.b, fit.floor) == pytest.approx((3.0, 0.6, 0.05), rel=1e-3)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_parameters_lie_within_their_intervals(seed: int) -> None:
    # a = 2, b = 0.8, L∞ = 0.05: the knee, where 2·F^-0.8 = 0.05 · 0.05, is at
    # F = 800^(1/0.8) = 4,254 by hand; 2% noise a seed, 5 seeds a width.
    truth = Curve(a=2.0, b=0.8, floor=0.05)
    knee = (2.0 / (0.05 * 0.05)) ** (1 / 0.8)
    assert knee == pytest.approx(4254, abs=1)
    fit = fit_layer(WIDTHS, _seeds(truth, 5, 0.02, seed))
    assert fit.low is not None and fit.high is not None and fit.seeds == 5
    for name in ("a", "b", "floor"):
        low, high = getattr(fit.low, name), getattr(fit.high, name)
        assert low <= getattr(truth, name) <= high, (name, low, high)
    assert not fit.censored
    assert fit.knee_low <= knee <= fit.knee_high
    assert fit.knee == pytest.approx(knee, rel=0.5)


def test_a_knee_inside_the_widths_is_read_from_the_fit() -> None:
    # a = 1, b = 1, L∞ = 0.02: excess 1/F = 0.001 at F = 1,000.
    fit = fit_layer(WIDTHS, [[float(Curve(1.0, 1.0, 0.02)(w))] for w in WIDTHS])
    assert fit.knee == pytest.approx(1000, rel=1e-2)
    assert not fit.censored and not fit.below_narrowest
    assert math.isnan(fit.knee_low) and fit.low is None  # one seed: no interval


def test_a_curve_that_never_flattens_is_a_lower_bound() -> None:
    truth = Curve(a=0.5, b=0.3, floor=0.0)  # a pure power law: 19% lower per doubling, forever
    fit = fit_layer(WIDTHS, _seeds(truth, 3, 0.01))
    assert fit.censored
    assert fit.knee == 8192  # the widest width: the knee lies beyond it
    assert math.isinf(fit.knee_high)


def test_a_floor_beyond_the_widths_is_a_lower_bound_too() -> None:
    # L∞ = 0.01 but a = 5, b = 0.5: the excess reaches 5% of the floor at F = 10^8.
    fit = fit_layer(WIDTHS, [[float(Curve(5.0, 0.5, 0.01)(w))] for w in WIDTHS])
    assert fit.curve.floor == pytest.approx(0.01, rel=1e-3)
    assert fit.censored and fit.knee == 8192
