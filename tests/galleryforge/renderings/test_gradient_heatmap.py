"""gradient-heatmap: the relative metric matrix, bicubically smoothed, no values written."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from galleryforge.gallery.jobs import Job, context_for
from galleryforge.renderings import gradient_heatmap
from galleryforge.renderings.registry import get_rendering
from galleryforge.renderings.shared import headline_metrics, relative_within_columns
from galleryforge.themes.mpl import theme_style
from tests.figures import artists_with_gid


def test_smooth_field_without_values(runs_dir: Path) -> None:
    job = Job(
        runs=runs_dir,
        out=runs_dir,
        trial="A",
        theme="blog",
        rendering="gradient-heatmap",
        formats=(),
    )
    ctx = context_for(job)
    with theme_style(ctx.theme):
        fig = gradient_heatmap.draw(ctx)
    (image,) = artists_with_gid(fig, "heatmap")
    metrics = headline_metrics(ctx.trial)
    expected = relative_within_columns(ctx.trial.final[metrics].to_numpy(dtype=float))
    np.testing.assert_allclose(image.get_array(), expected)  # type: ignore[attr-defined]
    assert image.get_interpolation() == "bicubic"  # type: ignore[attr-defined]
    assert artists_with_gid(fig, "cell-value") == []
    assert "trial A" in gradient_heatmap.describe(ctx)
    (trace,) = gradient_heatmap.interactive(ctx).data
    assert trace.zsmooth == "best"
    assert get_rendering("SAE_Gradient_Heatmap").id == "gradient-heatmap"
