"""feature-card: the shaded tokens and values drawn are the examples table's; markup stays text."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from galleryforge.errors import GalleryforgeError
from galleryforge.gallery.inputs import RenderInputs
from galleryforge.gallery.request import Job
from galleryforge.renderings import feature_card
from galleryforge.renderings.context import RenderContext
from galleryforge.tables import EXAMPLES, ordered, write_table
from galleryforge.themes.mpl import theme_style
from tests.contexts import drawn, render_context
from tests.factories import write_trial
from tests.feature_factories import build_features
from tests.figures import artists_with_gid, laid_out
from tests.stress_runs import DRAWN


def _context(
    runs: Path, trial: str, latent: tuple[int, int] | None = None, theme: str = "paper"
) -> RenderContext:
    job = Job(
        runs=runs,
        out=runs,
        trial=trial,
        theme=theme,
        rendering="feature-card",
        formats=(),
        latent=latent,
    )
    return RenderInputs(runs).job_context(job)


def _hand_made_run(root: Path) -> Path:
    """Trial B, 2 layers × 4 latents; latent 1:2 has two top examples written out by hand."""
    run = write_trial(root, "B", 2)
    features = build_features("B", 2, 4)
    features.loc[
        (features["layer"] == 1) & (features["latent"] == 2),
        ["frequency", "fired_tokens", "max_activation"],
    ] = [0.25, 25_000, 8.0]
    write_table(features, run / "tables" / "features.parquet")
    rows = [
        (
            "top",
            0,
            8.0,
            ["Ġthe", "<script>", "alert", "(1)", "</script>"],
            [0.0, 8.0, 2.0, 0.0, 0.0],
            1,
        ),
        ("top", 1, 4.0, ["x", "Ġ$", "y", "Ċ"], [1.0, 4.0, 0.0, 0.0], 1),
        ("random", 0, 0.5, ["a", "b"], [0.5, 0.0], 0),
    ]
    frame = pd.DataFrame(
        [
            {
                "trial": "B",
                "layer": 1,
                "latent": 2,
                "kind": k,
                "rank": r,
                "activation": a,
                "context": 0,
                "position": f,
                "focus": f,
                "tokens": t,
                "token_activations": v,
            }
            for k, r, a, t, v, f in rows
        ]
    )
    write_table(ordered(frame, EXAMPLES), run / "tables" / "examples.parquet")
    return root


def test_shaded_tokens_and_values_are_the_examples_table(tmp_path: Path) -> None:
    runs = _hand_made_run(tmp_path)
    ctx = _context(runs, "B", (1, 2))
    with theme_style(ctx.theme):
        fig = feature_card.draw(ctx)
    tokens = artists_with_gid(fig, "context-token")
    drawn = [
        (t.get_text(), t.get_bbox_patch().get_alpha() if t.get_bbox_patch() else 0.0)
        for t in tokens
    ]  # type: ignore[attr-defined]
    # shading = activation / max activation (8.0); the BPE space and newline marks shown as such
    assert drawn == [
        (" the", 0.0),
        ("<script>", 1.0),
        ("alert", 0.25),
        ("(1)", 0.0),
        ("</script>", 0.0),
        ("x", 0.125),
        (" $", 0.5),
        ("y", 0.0),
        ("↵", 0.0),
    ]
    values = [t.get_text() for t in artists_with_gid(fig, "example-activation")]  # type: ignore[attr-defined]
    assert values == ["8", "4"]
    heights = [p.get_height() for p in artists_with_gid(fig, "example-histogram")]  # type: ignore[attr-defined]
    # 10 bins over [0, 8]: the top examples (8, 4) in bins 9 and 5, the random one (0.5) in bin 0
    assert heights[:10] == [0, 0, 0, 0, 0, 1, 0, 0, 0, 1]
    assert heights[10:] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    (info,) = artists_with_gid(fig, "latent-stats")
    assert "25% of tokens" in info.get_text() and "max activation 8" in info.get_text()  # type: ignore[attr-defined]
    assert fig.texts[-1].get_text() == "Trial B · L1 · latent 2"


def test_markup_in_a_context_is_written_out_as_text(tmp_path: Path) -> None:
    runs = _hand_made_run(tmp_path)
    ctx = _context(runs, "B", (1, 2))
    with theme_style(ctx.theme):
        fig = feature_card.draw(ctx)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg")
    svg = buffer.getvalue().decode()
    assert ("<script>" not in svg and "&lt;script&gt;" in svg) or "<script" not in svg


def test_default_latent_is_the_largest_max_activation(runs_dir: Path) -> None:
    ctx = _context(runs_dir, "A")
    features, examples = ctx.trial.features, ctx.trial.examples
    assert features is not None and examples is not None
    with_examples = features.merge(examples[["layer", "latent"]].drop_duplicates())
    best = with_examples.loc[with_examples["max_activation"].idxmax()]
    assert feature_card.chosen(ctx) == (best["layer"], best["latent"])
    assert "largest max activation" in feature_card.describe(ctx)


@pytest.mark.parametrize(
    "latent, message", [((1, 9), "no latent 1:9"), ((1, 0), "has no examples")]
)
def test_unknown_or_silent_latent_is_one_line(
    tmp_path: Path, latent: tuple[int, int], message: str
) -> None:
    from galleryforge.gallery.build import plan_gallery
    from galleryforge.gallery.request import GalleryRequest

    runs = _hand_made_run(tmp_path)
    request = GalleryRequest(runs, tmp_path / "out", renderings=("feature-card",), latent=latent)
    with pytest.raises(GalleryforgeError, match=message):
        plan_gallery(request)


def test_social_card_is_legible_at_1200_by_627(tmp_path: Path) -> None:
    from galleryforge.social.cards import card_theme

    runs = _hand_made_run(tmp_path)
    job = Job(
        runs=runs,
        out=runs,
        trial="B",
        theme="paper",
        rendering="feature-card",
        formats=(),
        latent=(1, 2),
    )
    inputs = RenderInputs(runs)
    ctx = inputs.job_context(job)
    theme = card_theme(inputs.theme("social"), (1200, 627))
    ctx = RenderContext(ctx.tables, theme, trials=ctx.trials, latent=(1, 2))
    with theme_style(theme):
        fig = feature_card.draw(ctx)
    fig.canvas.draw()
    assert np.allclose(fig.get_size_inches() * fig.dpi, (1200, 627))
    sizes = {t.get_fontsize() for t in artists_with_gid(fig, "context-token")}  # type: ignore[attr-defined]
    assert min(sizes) * fig.dpi / 72 >= 14  # px at the card's size: readable on a phone


@pytest.mark.parametrize("theme", ["paper", "dark", "social"])
def test_the_legend_keeps_off_the_histogram_and_tokens_off_each_other(
    stress_runs: Path, theme: str
) -> None:
    ctx = render_context(stress_runs, trial=DRAWN, theme=theme)
    fig = drawn(ctx, feature_card)
    renderer = laid_out(fig)
    (legend,) = fig.legends
    box = legend.get_window_extent(renderer)
    bars = artists_with_gid(fig, "example-histogram")
    assert bars and not any(box.overlaps(bar.get_window_extent(renderer)) for bar in bars)  # type: ignore[attr-defined]
    tokens = artists_with_gid(fig, "context-token")
    rows: dict[float, list[Text]] = {}
    for token in tokens:
        rows.setdefault(token.get_position()[1], []).append(token)  # type: ignore[attr-defined]
    for row in rows.values():
        extents = [t.get_window_extent(renderer) for t in row]
        # Each token ends before the next begins (to a pixel: their boxes hold no ink there).
        assert all(a.x1 <= b.x0 + 1 for a, b in itertools.pairwise(extents)), row


@pytest.mark.parametrize("largest", [8.0, 12.4, 97.0])
def test_the_histograms_last_tick_stays_on_the_card(tmp_path: Path, largest: float) -> None:
    """A latent of A-small in the demo (max activation 12.4) had its last activation tick, 12.5,
    2.7 pt past the social card's right edge: the default locator picked it after the layout."""
    from galleryforge.gallery.layout import check_layout

    runs = _hand_made_run(tmp_path)
    features = pd.read_parquet(runs / "B" / "tables" / "features.parquet")
    features.loc[(features["layer"] == 1) & (features["latent"] == 2), "max_activation"] = largest
    write_table(features, runs / "B" / "tables" / "features.parquet")
    examples = pd.read_parquet(runs / "B" / "tables" / "examples.parquet")
    examples.loc[examples["rank"] == 0, "activation"] = largest
    write_table(examples, runs / "B" / "tables" / "examples.parquet")
    ctx = _context(runs, "B", latent=(1, 2), theme="social")
    with theme_style(ctx.theme):
        fig = feature_card.draw(ctx)
        findings = check_layout(fig, rendering="feature-card", theme="social")
    assert [str(finding) for finding in findings] == []
