"""The search: a coarse grid then bisection, against known crossings and against a dense grid."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from galleryforge.train.toy.config import ToyConfig, log_grid
from galleryforge.train.toy.measure import _exact_measure, levels
from galleryforge.train.toy.search import Level, Measure, Point, crossing, midpoint, search
from galleryforge.train.toy.transition import transition_widths


def power_law(crossing_width: float, seeds: int = 3) -> tuple[list[int], Measure]:
    """A measure whose seed-mean loss is 0.01 · (T / w)^3, capped at 1: it reaches 0.01 at T."""
    asked: list[int] = []

    def measure(widths: list[int]) -> Mapping[int, Point]:
        asked.extend(widths)
        scales = 1 + 0.1 * (np.arange(seeds) - (seeds - 1) / 2)  # mean 1
        return {
            w: {"loss": np.minimum(1.0, 0.01 * (crossing_width / w) ** 3) * scales} for w in widths
        }

    return asked, measure


def transition(points: Mapping[int, Point], level: Level) -> float:
    widths = sorted(points)
    mean = [float(np.mean(points[w][level.quantity])) for w in widths]
    return float(transition_widths(widths, mean, level.value).width[0])


def test_bisection_closes_in_on_a_known_crossing_in_about_ten_measurements() -> None:
    asked, measure = power_law(37.3)
    level = Level("loss", 0.01)
    points = search(measure, [[w] for w in log_grid(2048, 1)], [level], ratio=1.05)
    low, high = crossing(points, level)  # type: ignore[misc]
    assert low < 37.3 <= high and (high / low <= 1.05 or high - low == 1)
    assert len(asked) == len(set(asked)) <= 12  # 7 coarse (stopped at 64), then bisection
    assert max(asked) == 64  # nothing wider than the first width past the crossing
    assert transition(points, level) == pytest.approx(37.3, rel=0.01)


def test_without_stopping_early_every_initial_width_is_measured() -> None:
    asked, measure = power_law(37.3)
    search(measure, [[w] for w in log_grid(512, 1)], [Level("loss", 0.01)], 1.05, False)
    assert set(log_grid(512, 1)) <= set(asked)


def test_a_level_never_reached_is_left_at_the_widest_width() -> None:
    _, measure = power_law(500.0)
    level = Level("loss", 0.01)
    points = search(measure, [[w] for w in log_grid(100, 1)], [level], ratio=1.05)
    assert crossing(points, level) is None and max(points) == 100
    assert midpoint(points, level, 1.05) is None


def test_brackets_stop_at_neighbouring_widths() -> None:
    points = {w: {"loss": np.array([v])} for w, v in ((3, 0.5), (4, 0.001))}
    assert crossing(points, Level("loss", 0.01)) == (3, 4)
    assert midpoint(points, Level("loss", 0.01), 1.05) is None  # 4 / 3 > 1.05, but no width between


def test_bisected_transitions_are_within_five_percent_of_a_dense_grid() -> None:
    """The active-set read-out in one cell, every level, measured at every width from 1 to the
    widest (the dense grid) and by the search: the same measurement at each width, so the two
    transitions differ only through the widths measured."""
    config = ToyConfig(ks=(4.0,), features=(64,), seeds=(0, 1), exact_samples=128)
    (cell,) = config.cells()
    measure = _exact_measure(config, cell, "active-set")
    dense = measure(list(range(1, config.widest(cell) + 1)))
    searched = search(
        measure, [[w] for w in config.coarse_widths(cell)], levels(config, "active-set"), 1.05
    )
    # Six levels in a cell only 32 widths wide leave little to skip (the saving at scale is the
    # test above); the search measures a strict subset of the dense grid.
    assert set(searched) < set(dense)
    for level in levels(config, "active-set"):
        assert transition(searched, level) == pytest.approx(transition(dense, level), rel=0.05)
