"""The gallery's pages: the gallery page (every rendering with its note, grouped by section, and
why one has no figure) and a page per figure (a rendering drawn for one trial)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from galleryforge.site.figures import GalleryIndex
from galleryforge.site.notes import FigureNote
from galleryforge.site.page import Page
from galleryforge.site.views import FigureView


@dataclass(frozen=True)
class GallerySection:
    title: str
    entries: tuple[GalleryEntry, ...]


@dataclass(frozen=True)
class GalleryEntry:
    """One rendering on the gallery page: its note and the figures drawn of it."""

    id: str
    title: str
    note: FigureNote
    figures: tuple[FigureView, ...]
    missing: str | None
    """Why it has no figure on this site, when it has none."""


def gallery_page(
    notes: Mapping[str, FigureNote],
    figures: Mapping[tuple[str, str], FigureView],
    index: GalleryIndex,
    titles: Mapping[str, str],
    card: FigureView | None,
) -> Page:
    return Page(
        "gallery.html",
        "site/gallery.html",
        "Gallery",
        "Every figure of the study with its caption, where it was used, and why it was or "
        "was not picked.",
        "gallery",
        card,
        {"sections": _gallery_sections(notes, figures, index, titles)},
    )


def figure_pages(figures: Mapping[tuple[str, str], FigureView]) -> list[Page]:
    """A page per figure, linking the same rendering drawn for the other trials."""
    pages = []
    for view in figures.values():
        siblings = [v for v in figures.values() if v.id == view.id and v.trial != view.trial]
        pages.append(
            Page(
                view.page,
                "site/figure.html",
                view.name,
                _shorten(view.note.caption),
                "gallery",
                view,
                {"figure": view, "siblings": siblings},
            )
        )
    return pages


def featured(
    figures: Mapping[tuple[str, str], FigureView],
    notes: Mapping[str, FigureNote],
    trials: Sequence[str],
) -> list[FigureView]:
    """The picked renderings, each in the first trial that has it."""
    found = []
    for rendering, note in notes.items():
        if not note.picked:
            continue
        for trial in trials:
            if (trial, rendering) in figures:
                found.append(figures[(trial, rendering)])
                break
    return found


def _gallery_sections(
    notes: Mapping[str, FigureNote],
    figures: Mapping[tuple[str, str], FigureView],
    index: GalleryIndex,
    titles: Mapping[str, str],
) -> list[GallerySection]:
    reasons: dict[str, str] = {}
    for skip in index.skipped:
        reasons.setdefault(skip.rendering, f"{skip.reason} ({skip.trial})")
    grouped: dict[str, list[GalleryEntry]] = {}
    for rendering, note in notes.items():
        if rendering not in titles:
            continue  # left out of this build (the build was limited to some renderings)
        drawn = tuple(v for v in figures.values() if v.id == rendering)
        missing = None if drawn else reasons.get(rendering, "not drawn for these runs")
        entry = GalleryEntry(rendering, titles[rendering], note, drawn, missing)
        grouped.setdefault(note.section, []).append(entry)
    return [GallerySection(title, tuple(entries)) for title, entries in grouped.items()]


def _shorten(text: str, limit: int = 200) -> str:
    """A description short enough for link previews, cut at a word."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
