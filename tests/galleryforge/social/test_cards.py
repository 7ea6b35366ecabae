"""``galleryforge social``: exact card sizes, the key numbers drawn, legibility, bad input."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from galleryforge.cli.main import main
from galleryforge.gallery.inputs import RenderInputs
from galleryforge.numbers import format_metric
from galleryforge.renderings.registry import get_rendering
from galleryforge.social import SIZES, CardRequest, card_style, card_theme, draw_card
from galleryforge.tables import TrialTables
from galleryforge.themes.theme import load_theme
from tests.factories import write_trial


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    runs = tmp_path_factory.mktemp("runs")
    write_trial(runs, "B", 6)
    return runs


def _png_size(path: Path) -> tuple[int, int]:
    """(width, height) from the PNG's IHDR chunk."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _card(runs: Path, out: Path, *args: str) -> int:
    return main(["social", "--trial", "B", "--runs", str(runs), "--out", str(out), *args])


@pytest.mark.parametrize("size", sorted(SIZES))
def test_framed_card_has_exact_pixels(runs: Path, tmp_path: Path, size: str) -> None:
    assert _card(runs, tmp_path, "--rendering", "premium-heatmap", "--size", size) == 0
    assert _png_size(tmp_path / "B" / f"premium-heatmap-{size}.png") == SIZES[size]


@pytest.mark.parametrize("size", sorted(SIZES))
def test_default_card_is_kpi_summary_at_exact_pixels(runs: Path, tmp_path: Path, size: str) -> None:
    assert _card(runs, tmp_path, "--size", size) == 0
    assert _png_size(tmp_path / "B" / f"kpi-summary-{size}.png") == SIZES[size]


def test_alias_names_the_file_by_id_and_bytes_repeat(runs: Path, tmp_path: Path) -> None:
    assert _card(runs, tmp_path / "1", "--rendering", "SAE_Premium_Heatmap") == 0
    assert _card(runs, tmp_path / "2", "--rendering", "premium-heatmap") == 0
    first = (tmp_path / "1" / "B" / "premium-heatmap-linkedin.png").read_bytes()
    assert first == (tmp_path / "2" / "B" / "premium-heatmap-linkedin.png").read_bytes()


def _drawn(runs: Path, size: str) -> Figure:
    pixels = SIZES[size]
    request = CardRequest(runs=runs, trial="B", rendering="premium-heatmap", size=size)
    inputs = RenderInputs(runs)
    with card_style(inputs.theme("social"), pixels):
        fig = draw_card(request, get_rendering("premium-heatmap"), inputs, pixels)
        FigureCanvasAgg(fig).draw()  # a Figure made without pyplot has no renderer of its own
    return fig


def _trial(runs: Path) -> TrialTables:
    return RenderInputs(runs).trial("B")


def _texts(fig: Figure, gid: str) -> list[str]:
    return [t.get_text() for t in fig.texts if t.get_gid() == gid]


@pytest.mark.parametrize("size", sorted(SIZES))
def test_key_numbers_are_the_trial_means(runs: Path, size: str) -> None:
    final = _trial(runs).final  # one row per layer, the last checkpoint
    expected = [format_metric(m, float(final[m].mean())) for m in ("l0", "alpha", "d_star", "mse")]
    fig = _drawn(runs, size)
    assert _texts(fig, "card-number") == expected
    assert _texts(fig, "card-headline")[0].startswith("Trial B")


@pytest.mark.parametrize("size", sorted(SIZES))
def test_card_text_is_large_inside_and_apart(runs: Path, size: str) -> None:
    fig = _drawn(runs, size)
    theme = card_theme(load_theme("social"), SIZES[size])
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg, from _drawn
    texts = [t for t in fig.texts if (t.get_gid() or "").startswith("card-")]
    assert len(texts) == 10
    width, height = SIZES[size]
    boxes = []
    for text in texts:
        assert float(text.get_fontsize()) >= theme.font.tick_size
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height
        boxes.append(box)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), "card texts overlap"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--size", "banner"], "--size 'banner'"),
        (["--trial", "Q"], "unknown trial 'Q'"),
        (["--rendering", "no-such-figure"], "unknown rendering"),
        (["--rendering", "toy-loss-floor"], "toy run"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    runs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    out = tmp_path / "cards"
    assert _card(runs, out, "--rendering", "premium-heatmap", *args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err
    assert not out.exists()
