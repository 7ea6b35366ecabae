"""The transition rule on curves with a known crossing, and the summary's fitted constant."""

from __future__ import annotations

import numpy as np
import pytest

from galleryforge import kd
from galleryforge.train.toy.summary import summarise
from galleryforge.train.toy.transition import transition_widths
from tests.factories import TOY_LAWS, TOY_LEVELS, build_toy, toy_crossing
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


def test_summary_finds_the_planted_laws_and_censors_beyond_the_widest_width() -> None:
    """The factory builds curves whose transition is e^a · d*_S^b by construction."""
    ks, features = (2.0, 4.0, 8.0), (64, 256, 1024)
    sweep, _expected = build_toy(ks, features, seeds=3)
    config = build_toy_cfg(ks=ks, features=features, seeds=(0, 1, 2), bootstrap=200)
    summary = summarise(sweep, config)
    for decoder, (a, b) in TOY_LAWS.items():
        rows = summary[summary["decoder"] == decoder]
        d_star = kd.toy_d_star(rows["alpha"], rows["features"])
        target = np.exp(a) * d_star**b
        widest = rows["widest_width"].to_numpy()
        censored = target > widest
        assert rows["censored"].tolist() == censored.astype(int).tolist()
        measured = rows[~censored]
        np.testing.assert_allclose(measured["transition_width"], target[~censored], rtol=1e-9)
        assert (rows[censored]["transition_width"] == widest[censored]).all()
        for suffix, level in TOY_LEVELS.items():
            at = toy_crossing(target, level)
            assert rows[f"censored_{suffix}"].tolist() == (at > widest).astype(int).tolist()
            # Exact but at 0.1, where the bracket may straddle the curve's kink at T / 2.
            np.testing.assert_allclose(
                rows[f"transition_{suffix}"], np.minimum(at, widest), rtol=0.03
            )
        first = rows.iloc[0]
        assert (first["a"], first["b"]) == pytest.approx((a, b))
        assert first["a_low"] <= a <= first["a_high"] and first["b_low"] <= b <= first["b_high"]
        assert first["c"] == pytest.approx(np.exp(np.log(measured["ratio"]).mean()))
        assert first["fitted_cells"] == len(measured)
        half = rows["exact_half_width"].to_numpy()
        if decoder in ("lp", "active-set"):  # half exact at T / 1.5 (a logistic: 3% off-grid)
            np.testing.assert_allclose(half, np.minimum(target / 1.5, widest), rtol=0.03)
        else:
            assert np.isnan(half).all()
        np.testing.assert_allclose(
            rows["delta"], [kd.toy_delta(r.k, r.features) for r in rows.itertuples()]
        )
    assert summary[summary["decoder"] == "tied"]["censored"].sum() > 0  # beyond F/2 somewhere
    assert (summary["onset_width"] < summary["transition_width"]).all()


def test_a_read_out_with_every_cell_censored_has_no_fit() -> None:
    sweep, _ = build_toy((2.0,), (16, 32), seeds=2, laws={"tied": (4.0, 1.0)})
    config = build_toy_cfg(ks=(2.0,), features=(16, 32))
    summary = summarise(sweep, config)
    assert summary["censored"].tolist() == [1, 1]
    columns = ["c", "c_low", "c_high", "a", "a_low", "a_high", "b", "b_low", "b_high"]
    assert summary[columns].isna().all().all()
