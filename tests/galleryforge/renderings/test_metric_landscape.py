"""metric-landscape: ridgelines of the relative per-layer metrics through depth."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from galleryforge.gallery.jobs import Job, context_for
from galleryforge.renderings import metric_landscape
from galleryforge.renderings.registry import get_rendering
from galleryforge.themes.mpl import theme_style
from tests.figures import artists_with_gid


def test_smooth_passes_through_the_layers_without_overshoot() -> None:
    x = np.arange(6.0)
    y = np.array([0.0, 0.2, 0.9, 1.0, 1.0, 0.3])
    xs = np.linspace(0, 5, 501)
    curve = metric_landscape.smooth(x, y, xs)
    np.testing.assert_allclose(curve[::100], y, atol=1e-12)
    assert curve.min() >= 0 and curve.max() <= 1
    rising = (xs >= 0) & (xs <= 3)
    assert np.all(np.diff(curve[rising]) >= -1e-12)  # monotone data, monotone curve


def test_one_ridge_per_varying_metric_through_the_values(runs_dir: Path) -> None:
    job = Job(
        runs=runs_dir,
        out=runs_dir,
        trial="B",
        theme="dark",
        rendering="metric-landscape",
        formats=(),
    )
    ctx = context_for(job)
    with theme_style(ctx.theme):
        fig = metric_landscape.draw(ctx)
    layers, shade, varying, constant = metric_landscape.landscape(ctx.trial)
    assert {"dead", "alive_frac"} <= set(constant) and "feature_density_entropy" in varying
    ridges = artists_with_gid(fig, "ridge-line")
    assert len(ridges) == len(varying)
    for i, ridge in enumerate(ridges):
        base = len(varying) - 1 - i
        at_layers = np.interp(layers, ridge.get_xdata(), ridge.get_ydata())  # type: ignore[attr-defined]
        np.testing.assert_allclose(
            at_layers, base + metric_landscape.RIDGE_HEIGHT * shade[:, i], atol=1e-9
        )
    assert "not drawn: Dead, Alive frac" in metric_landscape.describe(ctx)
    assert len(metric_landscape.interactive(ctx).data) == 2 * len(varying)
    assert get_rendering("SAE_Metric_Landscape").id == "metric-landscape"
