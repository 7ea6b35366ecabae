"""sparsity-vs-reconstruction: L0 vs MSE, a point per layer, labels that never collide."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from galleryforge.gallery.jobs import Job, context_for
from galleryforge.renderings import sparsity_vs_reconstruction
from galleryforge.renderings.context import RenderContext
from galleryforge.themes.mpl import theme_style
from tests.figures import artists_with_gid


def _context(runs: Path, trial: str, theme: str = "paper") -> RenderContext:
    job = Job(
        runs=runs,
        out=runs,
        trial=trial,
        theme=theme,
        rendering="sparsity-vs-reconstruction",
        formats=(),
    )
    return context_for(job)


@pytest.mark.parametrize(("trial", "theme"), [("A", "paper"), ("C", "social")])
def test_a_point_per_layer_in_layer_order(runs_dir: Path, trial: str, theme: str) -> None:
    ctx = _context(runs_dir, trial, theme)
    with theme_style(ctx.theme):
        fig = sparsity_vs_reconstruction.draw(ctx)
    (points,) = artists_with_gid(fig, "layer-point")
    final = ctx.trial.final
    np.testing.assert_allclose(points.get_offsets(), final[["l0", "mse"]].to_numpy())  # type: ignore[attr-defined]
    labels = artists_with_gid(fig, "layer-label")
    assert labels, "some layers are labelled"
    boxes = [label.get_window_extent() for label in labels]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_alt_text_and_interactive(runs_dir: Path) -> None:
    ctx = _context(runs_dir, "B")
    assert "trial B" in sparsity_vs_reconstruction.describe(ctx)
    (trace,) = sparsity_vs_reconstruction.interactive(ctx).data
    assert len(trace.x) == ctx.trial.n_layers
