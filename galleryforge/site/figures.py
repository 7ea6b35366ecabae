"""The figures the site shows, taken from the gallery; whatever the gallery lacks is rendered.

Every figure is needed twice (light ``paper`` and dark ``dark``, as PNG/SVG/PDF and interactive
HTML) plus once under ``social`` for the page's Open Graph card. Rendering is the slow part, so
it runs only for files that are missing, or for everything when an input of the drawings changed
(run tables, theme files, rendering code) since the site last prepared this gallery. That input
hash is kept in the gallery folder, beside the manifest it vouches for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from galleryforge import __version__
from galleryforge.atomic import write_text
from galleryforge.gallery.build import (
    GalleryPlan,
    GalleryRequest,
    Skipped,
    build_gallery,
    plan_gallery,
)
from galleryforge.gallery.jobs import PLOTLYJS_NAME, Job
from galleryforge.gallery.manifest import read_manifest
from galleryforge.resources import PACKAGE_DIR, data_dir

LIGHT = "paper"
DARK = "dark"
CARD = "social"
FIGURE_FORMATS = ("png", "svg", "pdf", "html")
CARD_FORMATS = ("png",)
INPUTS_NAME = ".site-inputs.sha256"


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
    """Gallery jobs run by this build (0 when the gallery already held everything)."""

    @property
    def plotlyjs(self) -> str | None:
        return PLOTLYJS_NAME if (self.root / PLOTLYJS_NAME).exists() else None


def inputs_digest(runs: Path) -> str:
    """A hash of everything the drawings depend on, to tell when the gallery is out of date.

    Paths enter relative to their folder, so a moved or copied runs folder hashes the same.
    """
    digest = hashlib.sha256(f"galleryforge {__version__}\n".encode())
    sources: list[tuple[Path, Path]] = []
    if runs.is_dir():
        run_files = [*runs.glob("*/*"), *runs.glob("*/tables/*")]
        sources += [(runs, p) for p in sorted(run_files) if p.is_file()]
    themes = data_dir("themes")
    sources += [(themes, p) for p in sorted(themes.glob("*.toml"))]
    # The drawing code itself: a changed rendering must not leave old pictures on the site.
    for package in ("renderings", "themes", "gallery"):
        sources += [(PACKAGE_DIR, p) for p in sorted((PACKAGE_DIR / package).glob("*.py"))]
    for base, path in sources:
        name = path.relative_to(base).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


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

    Every needed job runs when an input changed since the gallery was last prepared; otherwise
    only jobs with a file or a manifest record missing. ``on_planned`` gets the number of jobs
    about to run.
    """
    figures = plan_gallery(_request(runs, gallery, renderings, (LIGHT, DARK), FIGURE_FORMATS, jobs))
    cards = plan_gallery(_request(runs, gallery, renderings, (CARD,), CARD_FORMATS, jobs))
    needed = [*figures.jobs, *cards.jobs]
    recorded = {item["path"] for item in read_manifest(gallery)}
    digest = inputs_digest(runs)
    stamp = gallery / INPUTS_NAME
    changed = not stamp.is_file() or stamp.read_text(encoding="utf-8").strip() != digest
    todo = [job for job in needed if changed or not _complete(job, recorded)]
    if on_planned:
        on_planned(len(todo))
    if todo:
        build_gallery(GalleryPlan(figures.request, tuple(todo), ()), on_done=on_done)
    if changed:
        # Written last: an interrupted render leaves the old stamp, so the next build redoes it.
        write_text(stamp, digest + "\n")
    trials = tuple(dict.fromkeys(job.trial for job in figures.jobs))
    index = GalleryIndex(root=gallery, skipped=figures.skipped, trials=trials, rendered=len(todo))
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
    return GalleryRequest(runs=runs, out=gallery, trials=("all",), themes=themes,
                          renderings=renderings, formats=formats, jobs=jobs)  # fmt: skip


def _complete(job: Job, recorded: set[str]) -> bool:
    for fmt in job.formats:
        path = job.path(fmt)
        if not path.exists() or path.relative_to(job.out).as_posix() not in recorded:
            return False
    return True


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
