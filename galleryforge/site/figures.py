"""The figures the site shows, taken from the gallery; whatever the gallery lacks is rendered.

Every figure is needed twice (light ``paper`` and dark ``dark``, as PNG/SVG/PDF and interactive
HTML) plus once under ``social`` for the page's Open Graph card. Rendering is the slow part; the
gallery's own content-hash cache (galleryforge/gallery/cache.py) keeps it to what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleryforge.gallery.build import build_gallery, plan_gallery
from galleryforge.gallery.jobs import PLOTLYJS_NAME, Job
from galleryforge.gallery.manifest import read_manifest
from galleryforge.gallery.request import GalleryRequest
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
    jobs: int = 1,
    on_planned: Callable[[int], None] | None = None,
    on_done: Callable[[Job], None] | None = None,
) -> GalleryIndex:
    """Make sure ``gallery`` holds every file the site needs; return them indexed.

    The gallery's content-hash cache decides what is drawn: jobs whose inputs (tables, themes,
    code) are unchanged and whose files are intact are not drawn again. ``on_planned`` gets the
    number of jobs the site needs; ``on_done`` is called for each as it is drawn or found.
    """
    figures = plan_gallery(_request(runs, gallery, renderings, (LIGHT, DARK), FIGURE_FORMATS, jobs))
    cards = plan_gallery(_request(runs, gallery, renderings, (CARD,), CARD_FORMATS, jobs))
    if on_planned:
        on_planned(len(figures.jobs) + len(cards.jobs))
    written = sum(build_gallery(plan, on_done=on_done).written for plan in (figures, cards))
    trials = tuple(dict.fromkeys(job.trial for job in figures.jobs))
    index = GalleryIndex(root=gallery, skipped=figures.skipped, trials=trials, rendered=written)
    _fill(index, read_manifest(gallery), figures.jobs, cards.jobs)
    return index


def _request(
    runs: Path,
    gallery: Path,
    renderings: tuple[str, ...],
    themes: tuple[str, ...],
    formats: tuple[str, ...],
    jobs: int,
) -> GalleryRequest:
    return GalleryRequest(
        runs=runs,
        out=gallery,
        trials=("all",),
        themes=themes,
        renderings=renderings,
        formats=formats,
        jobs=jobs,
    )


def _fill(
    index: GalleryIndex,
    manifest: list[dict[str, Any]],
    figure_jobs: Iterable[Job],
    card_jobs: Iterable[Job],
) -> None:
    records = {item["path"]: item for item in manifest}
    wanted: dict[tuple[str, str], list[Job]] = {}
    for job in [*figure_jobs, *card_jobs]:
        wanted.setdefault((job.trial, job.rendering), []).append(job)
    for key, key_jobs in wanted.items():
        files: dict[tuple[str, str], FileRef] = {}
        for job in key_jobs:
            for fmt in job.formats:
                record = records.get(job.path(fmt).relative_to(job.out).as_posix())
                if record is not None:
                    files[(Path(job.theme).stem, fmt)] = FileRef(
                        record["path"], record["width_px"], record["height_px"], record["bytes"]
                    )
        light_png = files.get((LIGHT, "png"))
        if light_png is None:
            continue  # not drawable here; the plan's skips say why
        record = records[light_png.path]
        index.figures[key] = FigureFiles(
            rendering=key[1], title=record["title"], trial=key[0], alt=record["alt"], files=files
        )
