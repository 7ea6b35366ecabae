"""The figures the site shows, taken from the gallery; whatever the gallery lacks is rendered.

Every figure is needed twice (light ``paper`` and dark ``dark``, as PNG/SVG/PDF and interactive
HTML) plus once under ``social`` for the page's Open Graph card. Rendering is the slow part; the
gallery's own content-hash cache (galleryforge/gallery/cache.py) keeps it to what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from galleryforge.gallery.draw import draw_galleries
from galleryforge.gallery.manifest import ManifestEntry
from galleryforge.gallery.outputs import PLOTLYJS_NAME
from galleryforge.gallery.request import GalleryRequest, Job
from galleryforge.gallery.result import Skipped

LIGHT = "paper"
DARK = "dark"
CARD = "social"
FIGURE_FORMATS = ("png", "svg", "pdf", "html")
CARD_FORMATS = ("png",)


@dataclass(frozen=True)
class FileRef:
    path: str
    """Relative to the gallery root (or, in views, to the site root), with forward slashes."""
    width: int
    height: int
    bytes: int


@dataclass(frozen=True)
class FigureFiles:
    """One rendering drawn for one trial: its gallery files by (theme, format)."""

    rendering: str
    title: str
    trial: str
    alt: str
    files: dict[tuple[str, str], FileRef]
    finding: str | None = None
    """The generated sentence stating the measured result (``Rendering.finding``), if any."""


@dataclass
class GalleryIndex:
    root: Path
    figures: dict[tuple[str, str], FigureFiles] = field(default_factory=dict)
    """By (trial, rendering), in the order the plan lists them."""
    skipped: tuple[Skipped, ...] = ()
    trials: tuple[str, ...] = ()
    rendered: int = 0
    """Gallery files this build wrote (0 when the gallery already held everything)."""

    @property
    def plotlyjs(self) -> str | None:
        return PLOTLYJS_NAME if (self.root / PLOTLYJS_NAME).exists() else None


def prepare_gallery(
    runs: Path,
    gallery: Path,
    *,
    renderings: tuple[str, ...] = (),
    trials: tuple[str, ...] = ("all",),
    jobs: int = 1,
    on_planned: Callable[[int], None] | None = None,
    on_done: Callable[[Job], None] | None = None,
) -> GalleryIndex:
    """Make sure ``gallery`` holds every file the site needs for ``trials``; return them indexed.

    The gallery's content-hash cache decides what is drawn (``draw_galleries``): jobs whose
    inputs (tables, themes, code) are unchanged and whose files are intact are not drawn again.
    ``on_planned`` gets the number of jobs to run or check; ``on_done`` follows each.
    """
    requests = [
        _request(runs, gallery, trials, renderings, (LIGHT, DARK), FIGURE_FORMATS, jobs),
        _request(runs, gallery, trials, renderings, (CARD,), CARD_FORMATS, jobs),
    ]
    figures, cards = draw_galleries(requests, on_planned, on_done)
    trials = tuple(dict.fromkeys(entry.trial for entry in figures.entries))
    written = figures.written + cards.written
    index = GalleryIndex(root=gallery, skipped=figures.skipped, trials=trials, rendered=written)
    _fill(index, [*figures.entries, *cards.entries])
    return index


def _request(
    runs: Path,
    gallery: Path,
    trials: tuple[str, ...],
    renderings: tuple[str, ...],
    themes: tuple[str, ...],
    formats: tuple[str, ...],
    jobs: int,
) -> GalleryRequest:
    return GalleryRequest(
        runs=runs,
        out=gallery,
        trials=trials,
        themes=themes,
        renderings=renderings,
        formats=formats,
        jobs=jobs,
    )


def _fill(index: GalleryIndex, entries: Iterable[ManifestEntry]) -> None:
    """Group the gallery's files by (trial, rendering); keep those with a light PNG to show."""
    grouped: dict[tuple[str, str], dict[tuple[str, str], ManifestEntry]] = {}
    for entry in entries:
        theme = Path(entry.theme).stem
        grouped.setdefault((entry.trial, entry.rendering), {})[(theme, entry.format)] = entry
    for key, by_file in grouped.items():
        light_png = by_file.get((LIGHT, "png"))
        if light_png is None:
            continue  # not drawable here; the plan's skips say why
        files = {
            where: FileRef(e.path, e.width_px, e.height_px, e.bytes) for where, e in by_file.items()
        }
        index.figures[key] = FigureFiles(
            rendering=key[1],
            title=light_png.title,
            trial=key[0],
            alt=light_png.alt,
            files=files,
            finding=light_png.finding,
        )
