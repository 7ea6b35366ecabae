"""parts.monotone_cubic: through every point, no overshoot, monotone where the data is."""

from __future__ import annotations

import numpy as np

from galleryforge.renderings.parts.monotone_cubic import smooth


def test_smooth_passes_through_the_layers_without_overshoot() -> None:
    x = np.arange(6.0)
    y = np.array([0.0, 0.2, 0.9, 1.0, 1.0, 0.3])
    xs = np.linspace(0, 5, 501)
    curve = smooth(x, y, xs)
    np.testing.assert_allclose(curve[::100], y, atol=1e-12)
    assert curve.min() >= 0 and curve.max() <= 1
    rising = (xs >= 0) & (xs <= 3)
    assert np.all(np.diff(curve[rising]) >= -1e-12)  # monotone data, monotone curve


def test_a_straight_line_stays_straight() -> None:
    x = np.array([0.0, 1.0, 3.0, 4.0])  # uneven spacing
    halfway = smooth(x, x / 4, np.array([0.5, 2.0, 3.5]))
    np.testing.assert_allclose(halfway, [0.125, 0.5, 0.875], atol=1e-12)
