"""feature-density: the drawn histogram counts what the features table holds, layer by layer."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from galleryforge.gallery.inputs import RenderInputs
from galleryforge.gallery.request import Job
from galleryforge.renderings import feature_density, feature_density_trials
from galleryforge.renderings.context import RenderContext
from galleryforge.themes.mpl import theme_style
from tests.contexts import drawn, render_context
from tests.feature_factories import TOKENS
from tests.figures import artists_with_gid, inside_canvas, laid_out, overlapping_texts
from tests.stress_runs import DRAWN


def _context(runs: Path, trial: str, rendering: str = "feature-density") -> RenderContext:
    job = Job(runs=runs, out=runs, trial=trial, theme="paper", rendering=rendering, formats=())
    return RenderInputs(runs).job_context(job)


@pytest.mark.parametrize("trial", ["A", "C"])
def test_bar_heights_count_the_latents_in_each_bin(runs_dir: Path, trial: str) -> None:
    ctx = _context(runs_dir, trial)
    with theme_style(ctx.theme):
        fig = feature_density.draw(ctx)
    features = ctx.trial.features
    assert features is not None
    layers = sorted(features["layer"].unique())
    panels = artists_with_gid(fig, "layer-panel")
    assert len(panels) == len(layers)
    for ax, layer in zip(panels, layers, strict=True):
        frequency = features.loc[features["layer"] == layer, "frequency"].to_numpy()
        bars = [b for b in ax.patches if b.get_gid() == "density-bar"]  # type: ignore[attr-defined]
        total = 0
        for bar in bars:
            low, high = bar.get_x(), bar.get_x() + bar.get_width()
            with np.errstate(divide="ignore"):
                logs = np.log10(frequency)
            # half-open bins; the last one closed (a frequency of 1 lands there)
            inside = (logs >= low - 1e-9) & (
                (logs < high - 1e-9) | (math.isclose(high, 0) & (logs <= 0))
            )
            assert bar.get_height() == inside.sum(), (layer, low)
            total += bar.get_height()
        (unseen,) = [b for b in ax.patches if b.get_gid() == "unseen-bar"]  # type: ignore[attr-defined]
        assert unseen.get_height() == (frequency == 0).sum()
        assert unseen.get_x() + unseen.get_width() < bars[0].get_x()  # counted at the left
        assert total + unseen.get_height() == frequency.size
        # The floor is one in the counted tokens, and the lowest bin reaches it.
        (floor,) = [a for a in ax.lines if a.get_gid() == "frequency-floor"]
        assert floor.get_xdata()[0] == pytest.approx(-math.log10(TOKENS))  # type: ignore[index]
        assert bars[0].get_x() <= -math.log10(TOKENS)
    label = fig.get_supxlabel()
    assert f"{TOKENS:,} tokens" in label and "unseen" in label and "dead" not in label
    assert f"{TOKENS:,} tokens" in feature_density.describe(ctx)
    assert "dead" not in feature_density.describe(ctx)
    (threshold,) = {tuple(a.get_xdata()) for a in artists_with_gid(fig, "dense-threshold")}  # type: ignore[attr-defined]
    assert threshold[0] == pytest.approx(-1.0)  # log10 of 10%


def test_overlay_shares_and_unseen_bars_per_trial(runs_dir: Path) -> None:
    ctx = _context(runs_dir, "B", "feature-density-trials")
    with theme_style(ctx.theme):
        fig = feature_density_trials.draw(ctx)
    steps = artists_with_gid(fig, "trial-density")
    unseen = artists_with_gid(fig, "unseen-bar")
    assert [s.get_label().split()[0] for s in steps] == ["A", "B", "C"]  # type: ignore[attr-defined]
    for name, step, bar in zip("ABC", steps, unseen, strict=True):
        frequency = ctx.trials[name].features["frequency"].to_numpy()  # type: ignore[index]
        assert bar.get_height() == pytest.approx((frequency == 0).mean() * 100)  # type: ignore[attr-defined]
        values = step.get_data().values  # type: ignore[attr-defined]
        assert values.sum() == pytest.approx((frequency > 0).mean() * 100)
    described = feature_density_trials.describe(ctx)
    assert "C: " in described and f"unseen in {TOKENS:,} tokens" in described
    assert "dead" not in described
    (floor,) = artists_with_gid(fig, "frequency-floor")
    assert floor.get_xdata()[0] == pytest.approx(-math.log10(TOKENS))  # type: ignore[attr-defined]


def test_run_without_per_latent_tables_skips_with_a_reason(tmp_path: Path) -> None:
    from galleryforge.gallery.build import plan_gallery
    from galleryforge.gallery.request import GalleryRequest
    from tests.factories import write_trial

    write_trial(tmp_path, "B", 2)
    plan = plan_gallery(
        GalleryRequest(tmp_path, tmp_path / "out", renderings=("feature-density", "feature-card"))
    )
    assert plan.jobs == ()
    reasons = {s.rendering: s.reason for s in plan.skipped}
    assert "tables/features.parquet" in reasons["feature-density"]
    assert "tables/features.parquet" in reasons["feature-card"]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("latent_tokens", 0, "column 'latent_tokens', row 1: 0: no tokens counted"),
        (
            "fired_tokens",
            100_001,
            "column 'fired_tokens', row 1: 100,001 is more than the 100,000 tokens counted",
        ),
    ],
)
def test_features_table_counting_more_than_its_tokens_is_one_line(
    tmp_path: Path, column: str, value: int, message: str
) -> None:
    from galleryforge.errors import InputError
    from galleryforge.tables import read_features, write_table
    from tests.feature_factories import build_features

    features = build_features("B", n_layers=1, width=8)
    features.loc[0, column] = value
    path = tmp_path / "features.parquet"
    write_table(features, path)
    with pytest.raises(InputError) as raised:
        read_features(path)
    assert str(raised.value).startswith(str(path)) and message in str(raised.value)


@pytest.mark.parametrize("theme", ["paper", "social"])
def test_the_overlay_legend_keeps_off_the_bars_and_the_threshold_lines(
    stress_runs: Path, theme: str
) -> None:
    ctx = render_context(stress_runs, trial=DRAWN, theme=theme)
    fig = drawn(ctx, feature_density_trials)
    renderer = laid_out(fig)
    (legend,) = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    box = legend.get_window_extent(renderer)
    assert legend.get_title().get_text() == "trial" and len(legend.get_texts()) == 12 + 2
    for bar in artists_with_gid(fig, "unseen-bar"):
        assert not box.overlaps(bar.get_window_extent(renderer))  # type: ignore[attr-defined]
    for gid in ("trial-density", "dense-threshold", "frequency-floor"):
        for artist in artists_with_gid(fig, gid):
            path = artist.get_transform().transform_path(artist.get_path())  # type: ignore[attr-defined]
            assert not path.intersects_bbox(box, filled=False), gid
    (label,) = [ax.xaxis.label for ax in fig.axes]
    assert label.get_window_extent(renderer).x0 >= 0  # one token count, not twelve
    assert label.get_window_extent(renderer).x1 <= fig.bbox.x1


@pytest.mark.parametrize("theme", ["paper", "presentation", "social"])
def test_forty_eight_panels_keep_their_names_apart_and_the_axis_label_on_the_canvas(
    stress_runs: Path, theme: str
) -> None:
    ctx = render_context(stress_runs, trial=DRAWN, theme=theme)
    fig = drawn(ctx, feature_density)
    renderer = laid_out(fig)
    panels = artists_with_gid(fig, "layer-panel")
    notes = [text for ax in panels for text in ax.texts]  # type: ignore[attr-defined]
    assert len(notes) == 48 and notes[10].get_text().startswith("L10")
    assert overlapping_texts(notes, renderer) == []
    label = fig._supxlabel  # type: ignore[attr-defined]
    assert "100,000 tokens" in label.get_text() and inside_canvas(fig, label, renderer)
