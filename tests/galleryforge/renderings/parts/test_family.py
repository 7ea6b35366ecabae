"""parts.family: a width family's rows, seed means and fits as the renderings draw them."""

from __future__ import annotations

from pathlib import Path

import pytest

from galleryforge.renderings.parts.family import family_rows, family_view
from tests.contexts import render_context
from tests.factories import FAMILY_CURVE, FAMILY_KNEE


def test_rows_only_for_a_family(family_runs: Path) -> None:
    assert family_rows(render_context(family_runs, trial="A")) is None
    rows = family_rows(render_context(family_runs, trial="W-F256"))
    assert rows is not None
    assert sorted(rows["width"].unique()) == [128, 256, 512, 1024, 2048]


def test_the_fits_recover_the_planted_curves(family_runs: Path) -> None:
    view = family_view(render_context(family_runs, trial="W-F512"))
    a, b, floor = FAMILY_CURVE
    for layer in (0, 1):  # s·(a·F^-b + L∞) with s = 1 + 0.1·layer
        fit = view.fits[layer]
        scale = 1 + 0.1 * layer
        assert (fit.curve.a, fit.curve.b, fit.curve.floor) == pytest.approx(
            (scale * a, b, scale * floor), rel=1e-3
        )
        assert fit.knee == pytest.approx(FAMILY_KNEE, rel=1e-2)
    assert view.fits[2].censored
    assert view.widths == [128, 256, 512, 1024, 2048]
