"""parts.family: a width family's rows and knees as the renderings draw them."""

from __future__ import annotations

from pathlib import Path

import pytest

from galleryforge.renderings.parts.family import family_rows, family_sweep, knee_mse
from tests.contexts import render_context
from tests.factories import family_mse


def test_rows_only_for_a_family(family_runs: Path) -> None:
    assert family_rows(render_context(family_runs, trial="A")) is None
    rows = family_rows(render_context(family_runs, trial="W-F256"))
    assert rows is not None
    assert sorted(rows["width"].unique()) == [128, 256, 512, 1024, 2048]


def test_the_knee_mse_is_the_members_mse_there(family_runs: Path) -> None:
    table, knees = family_sweep(render_context(family_runs, trial="W-F512"))
    # The factory's layers 0 and 1 level off at 512; layer 2 keeps falling (censored knee).
    assert [(k.layer, k.width, k.censored) for k in knees][:2] == [(0, 512, False), (1, 512, False)]
    for knee in knees:
        expected = family_mse(knee.layer, knee.width, 512, falling=knee.layer == 2)
        assert knee_mse(table, knee) == pytest.approx(expected, rel=1e-6)
