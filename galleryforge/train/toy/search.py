"""Finding where a read-out's curves cross their levels: a coarse log grid, then bisection.

A read-out's measurement at a width gives, per seed, its normalised loss (and for an exact
read-out the share of samples it did not recover exactly, ``missed``). Each *level* is a value
one of these seed-mean curves falls to: the loss at ε = 0.1, 0.01, 0.001, the configured ε and
the onset level; the missed share at 0.5 (the 50% exact-recovery width).

1. The initial widths (the coarse grid, or the full curve's grid) are measured group by group
   from the narrowest; with ``stop_early``, no wider group is measured once every level has been
   crossed (a wider width cannot move a *first* crossing).
2. Each level's crossing is bracketed by the two measured widths around it: the first at or below
   the level and the one before it. While a bracket's widths are more than ``ratio`` apart (and
   not neighbouring whole numbers), its geometric midpoint is measured; every level's midpoint of a
   round is measured in one call (batched), until no bracket is left to split.

The transition is then read from all measured points by ``toy.transition`` (the first crossing,
interpolated in log-log), which sees the same first crossing the brackets closed in on. A level
never crossed within the measured widths is censored at the widest.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Point = Mapping[str, np.ndarray]
"""One width's measurement: each quantity's value per seed."""
Measure = Callable[[list[int]], Mapping[int, Point]]
"""Measures the given widths (all seeds) and returns each width's point."""


@dataclass(frozen=True)
class Level:
    """A level a seed-mean curve falls to: ``quantity`` (a key of the points) at ``value``."""

    quantity: str
    value: float


def crossing(points: Mapping[int, Point], level: Level) -> tuple[int, int] | None:
    """(the measured width before the first crossing, the first at or below the level), or None
    when the curve never gets there. At the narrowest width both are that width."""
    widths = sorted(points)
    means = [float(np.mean(points[w][level.quantity])) for w in widths]
    for i, mean in enumerate(means):
        if mean <= level.value:
            return widths[max(i - 1, 0)], widths[i]
    return None


def midpoint(points: Mapping[int, Point], level: Level, ratio: float) -> int | None:
    """The width that halves ``level``'s bracket in log width, or None when it is closed."""
    found = crossing(points, level)
    if found is None:
        return None
    low, high = found
    if high - low <= 1 or high <= ratio * low:
        return None
    return min(max(round(math.sqrt(low * high)), low + 1), high - 1)


def search(
    measure: Measure,
    groups: Sequence[Sequence[int]],
    levels: Sequence[Level],
    ratio: float,
    stop_early: bool = True,
) -> dict[int, Point]:
    """Every width measured while finding each level's crossing, with its point (see above)."""
    points: dict[int, Point] = {}
    for group in groups:
        points.update(measure(list(group)))
        if stop_early and all(crossing(points, level) is not None for level in levels):
            break
    while True:
        wanted = {midpoint(points, level, ratio) for level in levels} - {None}
        if not wanted:
            return points
        points.update(measure(sorted(w for w in wanted if w is not None)))
