"""The knee of a width family's MSE curve, on hand-computed curves."""

from __future__ import annotations

import pandas as pd

from galleryforge.width_family import Knee, knee_finding, knee_width, layer_knees

WIDTHS = [128, 256, 512, 1024]


def test_knee_is_where_every_further_doubling_gains_under_five_percent() -> None:
    # Drops per doubling: 50%, 20%, 2% -> flat from 512.
    assert knee_width(WIDTHS, [1.0, 0.5, 0.4, 0.392]) == (512, False)
    # 50%, 2%, 10%: the last step still falls, so the knee lies beyond 1,024 (censored).
    assert knee_width(WIDTHS, [1.0, 0.5, 0.49, 0.441]) == (1024, True)
    # A step over two doublings counts per doubling: 0.81 over 128 -> 512 is 10% per doubling.
    assert knee_width([128, 512, 1024], [1.0, 0.81, 0.80]) == (512, False)
    assert knee_width([128, 512, 1024], [1.0, 0.98, 0.97]) == (128, False)


def test_a_wider_sae_ending_worse_is_reported() -> None:
    table = pd.DataFrame(
        {"layer": [0] * 4, "width": WIDTHS, "mse": [1.0, 0.5, 0.49, 0.7]}  # 1,024 ended worse
    )
    (knee,) = layer_knees(table)
    assert knee == Knee(0, 256, False, rises=True)
    text = knee_finding([knee], {0: 64.0}, "T")
    assert "in 1 of 1 layers at F = 256, 4.0× trial T's d*_S" in text
    assert "a wider SAE ended with an MSE more than 5% above the knee's" in text
