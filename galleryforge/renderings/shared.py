"""What is left of the old shared module: the toy summary comparison.

The other shared pieces live in ``galleryforge.renderings.parts``, one job a module, and number
text in ``galleryforge.numbers``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def toy_comparison(summary: pd.DataFrame) -> pd.DataFrame:
    """The toy summary with d*_S from ``kd.toy_d_star`` and the measured / predicted floor ratio."""
    from galleryforge import kd

    out = summary.sort_values(["alpha", "features"]).reset_index(drop=True).copy()
    out["d_star"] = kd.toy_d_star(out["alpha"], out["features"])
    out["ratio"] = out["floor_width"] / out["d_star"]
    return out
