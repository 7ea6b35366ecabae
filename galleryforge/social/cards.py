"""Social cards: one exact-size PNG per trial, rendering and size, legible on a phone.

    build/social/<trial>/<rendering>-<size>.png

Sizes are exact pixel canvases at 100 dpi: ``linkedin`` 1200×627, ``og`` (Open Graph) 1200×630,
``square`` 1080×1080. Everything is drawn under the ``social`` theme (large type) with its figure
size overridden per card.

The default card is the ``kpi-summary`` rendering, which is a card of headline numbers by itself
and fills the whole canvas. Any other rendering is framed: a headline and the trial's key numbers
(the KD means over layers) in a side column on wide cards or a top band on square ones, and the
rendering drawn at the exact pixel size of the remaining panel, placed 1:1 (never rescaled, so its
type stays as large as the theme sets it).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from galleryforge.atomic import write_bytes
from galleryforge.errors import GalleryforgeError
from galleryforge.gallery.formats import figure_bytes
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.registry import Rendering, get_rendering
from galleryforge.runs import TOY, discover_trials, has_toy, trial_run_dir
from galleryforge.social.frame import Frame, draw_frame, frame_for
from galleryforge.tables import TrialTables, load_toy_tables, load_trial_tables
from galleryforge.themes.theme import Theme, load_theme

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 100
SIZES = {"linkedin": (1200, 627), "og": (1200, 630), "square": (1080, 1080)}
DEFAULT_SIZE = "linkedin"
DEFAULT_RENDERING = "kpi-summary"
CARD_THEME = "social"
# Renderings that already are a card (headline numbers, or one latent's card): they get the whole
# canvas, no frame (a frame would repeat their numbers or crowd their contexts).
FULL_CARD = frozenset({"kpi-summary", "feature-card"})


@dataclass(frozen=True)
class CardRequest:
    runs: Path
    trial: str
    rendering: str = DEFAULT_RENDERING
    size: str = DEFAULT_SIZE
    out: Path = Path("build/social")


def card_pixels(size: str) -> tuple[int, int]:
    if size not in SIZES:
        known = ", ".join(f"{name} ({w}x{h})" for name, (w, h) in SIZES.items())
        raise GalleryforgeError(f"--size {size!r}: expected one of {known}")
    return SIZES[size]


def card_theme(pixels: tuple[int, int]) -> Theme:
    """The social theme at exactly ``pixels`` (width, height) at 100 dpi."""
    width, height = pixels
    size = {"width_in": width / DPI, "height_in": height / DPI, "dpi": DPI}
    return load_theme(CARD_THEME, overrides={"figure": size})


@contextmanager
def card_style(pixels: tuple[int, int]) -> Iterator[Theme]:
    """Draw under the social theme at exactly ``pixels``; yields that theme."""
    from galleryforge.themes.mpl import theme_style

    theme = card_theme(pixels)
    with theme_style(theme):
        yield theme


def card_path(request: CardRequest, rendering_id: str) -> Path:
    return request.out / request.trial / f"{rendering_id}-{request.size}.png"


def write_card(request: CardRequest) -> Path:
    """Draw the card and write it atomically; every input is checked before anything is written."""
    pixels = card_pixels(request.size)
    trial = load_trial_tables(trial_run_dir(request.runs, request.trial))
    rendering = get_rendering(request.rendering)
    _check_needs(request, rendering, trial)
    data = card_png(request, rendering, trial, pixels)
    path = card_path(request, rendering.id)
    write_bytes(path, data)
    return path


def card_png(
    request: CardRequest, rendering: Rendering, trial: TrialTables, pixels: tuple[int, int]
) -> bytes:
    with card_style(pixels):
        fig = draw_card(request, rendering, trial, pixels)
        return figure_bytes(fig, "png", DPI)


def draw_card(
    request: CardRequest, rendering: Rendering, trial: TrialTables, pixels: tuple[int, int]
) -> Figure:
    """The card as a matplotlib Figure of exactly ``pixels`` (call under ``card_style``)."""
    if rendering.id in FULL_CARD:
        return _draw_rendering(request, rendering, trial, pixels)
    frame = frame_for(pixels)
    panel = _draw_rendering(request, rendering, trial, frame.panel_size)
    return _framed(trial, frame, panel)


def _framed(trial: TrialTables, frame: Frame, panel: Figure) -> Figure:
    import matplotlib.image as mpimg
    from matplotlib.figure import Figure

    # The panel goes in as pixels, drawn at the card's dpi, so it lands 1:1 and bytes repeat.
    image = mpimg.imread(io.BytesIO(figure_bytes(panel, "png", DPI)), format="png")
    width, height = frame.panel_size
    theme = card_theme(frame.pixels)
    fig = Figure(figsize=theme.figsize(), dpi=DPI, facecolor=theme.colors.background)
    fig.figimage(
        image[:height, :width],
        xo=frame.panel_origin[0],
        yo=frame.panel_origin[1],
        origin="upper",
        zorder=0,
    ).set_gid("card-figure")
    draw_frame(fig, frame, trial, theme)
    return fig


def _draw_rendering(
    request: CardRequest, rendering: Rendering, trial: TrialTables, pixels: tuple[int, int]
) -> Figure:
    with card_style(pixels) as theme:
        fig = rendering.draw(_context(request, trial, theme))
        # Exact pixels even if a rendering asked for its own aspect.
        fig.set_size_inches(pixels[0] / DPI, pixels[1] / DPI)
        fig.set_dpi(DPI)
    return fig


def _check_needs(request: CardRequest, rendering: Rendering, trial: TrialTables) -> None:
    if rendering.scope == "toy":
        reason: str | None = "it draws the toy run, and a card shows a trial"
    else:
        reason = rendering.unmet_need(trial, _all_trials(request, trial), has_toy(request.runs))
    if reason:
        raise GalleryforgeError(
            f"rendering {rendering.id!r} cannot draw trial {trial.trial}: {reason}"
        )


def _context(request: CardRequest, trial: TrialTables, theme: Theme) -> RenderContext:
    toy = load_toy_tables(request.runs / TOY) if has_toy(request.runs) else None
    return RenderContext(trial, theme, trials=_all_trials(request, trial), toy=toy)


def _all_trials(request: CardRequest, trial: TrialTables) -> dict[str, TrialTables]:
    """Every trial under the runs folder by folder name (comparisons draw them), the card's own
    ``trial`` as already loaded."""
    return {
        name: trial if name == request.trial else load_trial_tables(request.runs / name)
        for name in discover_trials(request.runs)
    }
