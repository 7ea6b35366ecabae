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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from galleryforge.atomic import write_bytes
from galleryforge.errors import GalleryforgeError
from galleryforge.gallery.formats import figure_bytes
from galleryforge.gallery.inputs import RenderInputs
from galleryforge.renderings.registry import Rendering, get_rendering
from galleryforge.runs import has_toy, trial_run_dir
from galleryforge.social.frame import Frame, draw_frame, frame_for
from galleryforge.themes.theme import Theme

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from galleryforge.tables import TrialTables

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


def card_theme(social: Theme, pixels: tuple[int, int]) -> Theme:
    """``social``, the loaded social theme, at exactly ``pixels`` (width, height) at 100 dpi."""
    width, height = pixels
    figure = replace(social.figure, width_in=width / DPI, height_in=height / DPI, dpi=float(DPI))
    return replace(social, figure=figure)


@contextmanager
def card_style(social: Theme, pixels: tuple[int, int]) -> Iterator[Theme]:
    """Draw under ``social`` at exactly ``pixels``; yields that theme."""
    from galleryforge.themes.mpl import theme_style

    theme = card_theme(social, pixels)
    with theme_style(theme):
        yield theme


def card_path(request: CardRequest, rendering_id: str) -> Path:
    return request.out / request.trial / f"{rendering_id}-{request.size}.png"


def write_card(request: CardRequest) -> Path:
    """Draw the card and write it atomically; every input is checked before anything is written.
    The tables and the theme are loaded once, as for the gallery (``RenderInputs``)."""
    pixels = card_pixels(request.size)
    trial_run_dir(request.runs, request.trial)  # an unknown trial: the error names those there
    inputs = RenderInputs(request.runs)
    rendering = get_rendering(request.rendering)
    _check_needs(request, rendering, inputs)
    data = card_png(request, rendering, inputs, pixels)
    path = card_path(request, rendering.id)
    write_bytes(path, data)
    return path


def card_png(
    request: CardRequest, rendering: Rendering, inputs: RenderInputs, pixels: tuple[int, int]
) -> bytes:
    with card_style(inputs.theme(CARD_THEME), pixels):
        fig = draw_card(request, rendering, inputs, pixels)
        return figure_bytes(fig, "png", DPI)


def draw_card(
    request: CardRequest, rendering: Rendering, inputs: RenderInputs, pixels: tuple[int, int]
) -> Figure:
    """The card as a matplotlib Figure of exactly ``pixels`` (call under ``card_style``), drawn
    from ``inputs``, those of ``request.runs``."""
    if rendering.id in FULL_CARD:
        return _draw_rendering(request, rendering, inputs, pixels)
    frame = frame_for(pixels)
    panel = _draw_rendering(request, rendering, inputs, frame.panel_size)
    theme = card_theme(inputs.theme(CARD_THEME), frame.pixels)
    return _framed(inputs.trial(request.trial), frame, panel, theme)


def _framed(trial: TrialTables, frame: Frame, panel: Figure, theme: Theme) -> Figure:
    import matplotlib.image as mpimg
    from matplotlib.figure import Figure

    # The panel goes in as pixels, drawn at the card's dpi, so it lands 1:1 and bytes repeat.
    image = mpimg.imread(io.BytesIO(figure_bytes(panel, "png", DPI)), format="png")
    width, height = frame.panel_size
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
    request: CardRequest, rendering: Rendering, inputs: RenderInputs, pixels: tuple[int, int]
) -> Figure:
    with card_style(inputs.theme(CARD_THEME), pixels) as theme:
        ctx = inputs.context(request.trial, theme, rendering.reads_other_runs)
        fig = rendering.draw(ctx)
        # Exact pixels even if a rendering asked for its own aspect.
        fig.set_size_inches(pixels[0] / DPI, pixels[1] / DPI)
        fig.set_dpi(DPI)
    return fig


def _check_needs(request: CardRequest, rendering: Rendering, inputs: RenderInputs) -> None:
    trial = inputs.trial(request.trial)
    if rendering.scope == "toy":
        reason: str | None = "it draws the toy run, and a card shows a trial"
    else:
        trials = inputs.trials_for(request.trial, rendering.reads_other_runs)
        reason = rendering.unmet_need(trial, trials, has_toy(request.runs))
    if reason:
        raise GalleryforgeError(
            f"rendering {rendering.id!r} cannot draw trial {trial.trial}: {reason}"
        )
