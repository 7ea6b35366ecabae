"""kpi-summary: the trial's headline numbers on one card."""

from __future__ import annotations

from pathlib import Path

import pytest

from galleryforge.numbers import format_metric
from galleryforge.renderings import kpi_summary
from galleryforge.renderings.registry import get_rendering
from galleryforge.themes.mpl import theme_style
from tests.contexts import BuildRenderContext, drawn, render_context
from tests.figures import artists_with_gid, laid_out
from tests.stress_runs import DRAWN


@pytest.mark.parametrize("theme", ["social", "paper"])
def test_numbers_are_the_formatted_trial_means(
    build_render_context: BuildRenderContext, theme: str
) -> None:
    ctx = build_render_context(trial="C", theme=theme)
    with theme_style(ctx.theme):
        fig = kpi_summary.draw(ctx)
        fig.canvas.draw()
    kd, final = ctx.trial.kd, ctx.trial.final
    values = [t.get_text() for t in artists_with_gid(fig, "kpi-value")]  # type: ignore[attr-defined]
    assert values == [
        format_metric("alpha", kd.alpha),
        format_metric("l0", kd.l0),
        format_metric("dead", float(final["dead"].sum())),
        format_metric("d_star", kd.d_star),
        format_metric("mse", kd.mse),
        "32 × 4,096",
    ]
    assert [t.get_text() for t in artists_with_gid(fig, "kpi-trial")] == ["Trial C"]  # type: ignore[attr-defined]
    if theme == "social":
        assert tuple(round(x * 100) for x in fig.get_size_inches()) == (1200, 627)
    canvas = fig.bbox
    boxes = [t.get_window_extent() for t in fig.texts]
    for box in boxes:  # everything on the card, nothing overlapping
        assert canvas.x0 <= box.x0 and box.x1 <= canvas.x1 and canvas.y0 <= box.y0
        assert box.y1 <= canvas.y1
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_alt_text_and_alias(build_render_context: BuildRenderContext) -> None:
    ctx = build_render_context(trial="A")
    alt = kpi_summary.describe(ctx)
    assert "trial A" in alt and format_metric("alpha", ctx.trial.kd.alpha) in alt
    assert get_rendering("SAE_KPI_Summary").id == "kpi-summary"


def test_a_long_trial_name_and_the_subtitle_stay_on_the_social_card(stress_runs: Path) -> None:
    ctx = render_context(stress_runs, trial=DRAWN, theme="social")
    fig = drawn(ctx, kpi_summary)
    renderer = laid_out(fig)
    (name,) = artists_with_gid(fig, "kpi-trial")
    (subtitle,) = artists_with_gid(fig, "kpi-subtitle")
    for text in (name, subtitle):
        box = text.get_window_extent(renderer)  # type: ignore[attr-defined]
        assert box.x0 >= 0 and box.x1 <= fig.bbox.x1, (text.get_text(), box)  # type: ignore[attr-defined]
    assert name.get_text() == f"Trial {DRAWN}" or "…" in name.get_text()  # type: ignore[attr-defined]
    assert f"trial {DRAWN}" in kpi_summary.describe(ctx)  # the alt text keeps the full name
    words = subtitle.get_text().split()  # type: ignore[attr-defined]
    assert "means over layers" in " ".join(words)  # wrapped, not cut
