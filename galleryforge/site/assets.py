"""The files a site copies in rather than renders: its static folder (CSS, scripts) and the gallery
files its pages show, with plotly.js when a page embeds an interactive figure."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from galleryforge.errors import GalleryforgeError
from galleryforge.site.figures import GalleryIndex
from galleryforge.site.page import Page
from galleryforge.site.views import GALLERY_PREFIX, FigureView

STATIC_PREFIX = "assets/"


def static_files(folder: Path) -> dict[str, bytes | Path]:
    if not folder.is_dir():
        raise GalleryforgeError(f"{folder}: the site's static folder is missing")
    return {
        STATIC_PREFIX + path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def figure_files(index: GalleryIndex, pages: Sequence[Page]) -> dict[str, bytes | Path]:
    """Copy in exactly the gallery files the pages use, keeping their gallery layout.

    Every figure shown anywhere has its own page, so figure pages and cards cover them all.
    """
    views: dict[tuple[str, str], FigureView] = {}
    for page in pages:
        for view in (page.card, page.context.get("figure")):
            if isinstance(view, FigureView):
                views[(view.trial, view.id)] = view
    files: dict[str, bytes | Path] = {}
    for view in views.values():
        refs = [*view.light.values(), *view.dark.values()]
        if view.card is not None:
            refs.append(view.card)
        for ref in refs:
            files[ref.path] = index.root / ref.path.removeprefix(GALLERY_PREFIX)
    if any(p.endswith(".html") for p in files) and index.plotlyjs:
        files[GALLERY_PREFIX + index.plotlyjs] = index.root / index.plotlyjs
    return files
