"""The transition rule on curves with a known crossing, and the summary's fitted constant."""

from __future__ import annotations

import numpy as np
import pytest

from galleryforge import kd
from galleryforge.train.toy.summary import summarise
from galleryforge.train.toy.transition import transition_widths
from tests.factories import TOY_CONSTANTS, build_toy
from tests.galleryforge.train.toy.toy_helpers import build_toy_cfg


def test_interpolates_in_log_log_between_the_widths_around_the_crossing() -> None:
    # Between (4, 0.04) and (8, 0.0025) log loss falls by 4 ln 2 per ln 2 of width: it reaches
    # 0.01 at ln(0.04 / 0.01) / (4 ln 2) = half an octave past 4, i.e. 4·√2.
    crossing = transition_widths([1, 2, 4, 8, 16], [1.0, 0.5, 0.04, 0.0025, 0.0], 0.01)
    assert crossing.width[0] == pytest.approx(4 * np.sqrt(2))
    assert not crossing.censored[0]


def test_a_power_law_crossing_is_found_exactly_whatever_the_grid() -> None:
    def curve(widths: np.ndarray) -> np.ndarray:
        return np.minimum(1.0, 0.01 * (37.0 / widths) ** 3)  # reaches 0.01 at 37

    for widths in (np.arange(1, 129), np.geomspace(1, 128, 12), np.array([2, 30, 45, 128])):
        found = transition_widths(widths, curve(widths.astype(float)), 0.01)
        assert found.width[0] == pytest.approx(37.0)


def test_a_curve_that_never_reaches_epsilon_is_censored_at_the_widest_width() -> None:
    found = transition_widths([1, 2, 4, 8], [1.0, 0.6, 0.2, 0.05], 0.01)
    assert found.censored[0] and found.width[0] == 8


def test_the_first_crossing_counts_and_rows_are_independent() -> None:
    curves = [
        [1.0, 0.005, 0.5, 0.001],  # dips below at 2, back up, down again
        [1.0, 0.5, 0.2, 0.1],  # never
        [0.001, 0.001, 0.001, 0.001],  # already below at the narrowest width
    ]
    found = transition_widths([1, 2, 4, 8], curves, 0.01)
    assert found.width[0] == pytest.approx(2 ** (np.log(100) / np.log(200)))
    assert found.censored.tolist() == [False, True, False]
    assert found.width[1:].tolist() == [8, 1]


def test_exact_recovery_zero_loss_is_not_a_log_error() -> None:
    found = transition_widths([1, 2, 4], [1.0, 0.1, 0.0], 0.01)
    assert 2 < found.width[0] < 4 and not found.censored[0]


def test_summary_finds_the_known_constant_and_censors_beyond_f() -> None:
    """The factory builds curves whose transition is c·d*_S by construction (tests/factories)."""
    alphas, features = (0.8, 0.9, 0.95), (32, 64, 128)
    sweep, _expected = build_toy(alphas, features, seeds=3)
    config = build_toy_cfg(alphas=alphas, features=features, seeds=(0, 1, 2), bootstrap=200)
    zero = {(a, f): (1 - a) / 3 for a in alphas for f in features}
    summary = summarise(sweep, config, zero)
    for decoder, constant in TOY_CONSTANTS.items():
        rows = summary[summary["decoder"] == decoder]
        target = constant * kd.toy_d_star(rows["alpha"], rows["features"])
        censored = target > rows["features"]
        assert rows["censored"].tolist() == censored.astype(int).tolist()
        measured = rows[~censored.to_numpy()]
        np.testing.assert_allclose(measured["transition_width"], target[~censored], rtol=1e-9)
        np.testing.assert_allclose(measured["ratio"], constant, rtol=1e-9)
        assert (rows[censored.to_numpy()]["transition_width"] == rows["features"][censored]).all()
        assert rows["c"].iloc[0] == pytest.approx(constant)
        assert rows["slope"].iloc[0] == pytest.approx(1.0)
        assert rows["c_low"].iloc[0] <= constant <= rows["c_high"].iloc[0]
        assert rows["fitted_cells"].iloc[0] == len(measured)
    assert summary[summary["decoder"] == "tied"]["censored"].sum() > 0  # 4 × d*_S > F somewhere
    assert (summary["onset_width"] < summary["transition_width"]).all()


def test_a_read_out_with_every_cell_censored_has_no_constant() -> None:
    sweep, _ = build_toy((0.8,), (16, 32), seeds=2, constants={"tied": 50.0})
    config = build_toy_cfg(alphas=(0.8,), features=(16, 32))
    summary = summarise(sweep, config, {(0.8, 16): 0.1, (0.8, 32): 0.1})
    assert summary["censored"].tolist() == [1, 1]
    assert summary[["c", "c_low", "c_high", "slope"]].isna().all().all()
