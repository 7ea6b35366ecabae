"""Which pages the site has, and what each one's template is given.

Pages: overview, toy experiment (when there is a toy run), one per trial, the gallery, one per
figure (a rendering drawn for one trial), and reproducibility. Each page names the figure whose
``social`` rendering becomes its Open Graph card: its own figure, else the first trial's
``kpi-summary``, else the first figure the site has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from galleryforge.site.config import FigureNote, SiteConfig
from galleryforge.site.figures import GalleryIndex
from galleryforge.site.views import (
    TOY,
    FigureView,
    RunRecord,
    ToyView,
    TrialSummary,
    figure_view,
    trial_page,
)
from galleryforge.study import TrialFacts

CARD_RENDERING = "kpi-summary"
TOY_CARD_RENDERING = "toy-floor-vs-dstar"


@dataclass(frozen=True)
class NavLink:
    title: str
    path: str
    section: str


@dataclass(frozen=True)
class Page:
    path: str
    """Relative to the site root, e.g. ``figures/B/premium-heatmap.html``."""
    template: str
    title: str
    description: str
    section: str
    """The nav entry to highlight."""
    card: FigureView | None
    context: Mapping[str, Any] = field(default_factory=dict)


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


@dataclass(frozen=True)
class SiteContent:
    """Everything read from the runs that pages show, gathered by the builder."""

    trials: Sequence[TrialSummary]
    toy_rows: ToyView | None
    runs: Sequence[RunRecord]
    facts: Sequence[TrialFacts] = ()

    @property
    def mixed_models(self) -> bool:
        """Whether the trials ran on different models (the overview then names each one's)."""
        return len({f.model for f in self.facts}) > 1


def site_pages(
    site: SiteConfig,
    notes: Mapping[str, FigureNote],
    index: GalleryIndex,
    content: SiteContent,
    titles: Mapping[str, str],
) -> tuple[list[Page], list[NavLink]]:
    """Every page of the site and the navigation bar; ``titles`` maps rendering ids to titles."""
    figures = {key: figure_view(files, notes[key[1]]) for key, files in index.figures.items()}
    fallback = _site_card(figures, index.trials)
    by_trial: dict[str, list[FigureView]] = {}
    for view in figures.values():
        by_trial.setdefault(view.trial, []).append(view)
    nav = [NavLink("Overview", "index.html", "overview")]
    if content.toy_rows is not None:
        nav.append(NavLink("Toy experiment", "toy.html", "toy"))
    nav += [NavLink(t.label, t.page, f"trial-{t.name}") for t in content.trials]
    nav += [
        NavLink("Gallery", "gallery.html", "gallery"),
        NavLink("Reproducibility", "reproducibility.html", "reproducibility"),
    ]

    featured = _featured(figures, notes, index.trials)
    pages = [
        Page(
            "index.html",
            "site/overview.html",
            site.title,
            site.description,
            "overview",
            fallback,
            {
                "trials": content.trials,
                "mixed_models": content.mixed_models,
                "featured": featured,
                "has_toy": content.toy_rows is not None,
            },
        ),
    ]
    if content.toy_rows is not None:
        toy_figures = by_trial.get(TOY, [])
        pages.append(
            Page(
                "toy.html",
                "site/toy.html",
                "Toy experiment",
                "A controlled check of the KD width model: three read-outs recover synthetic "
                "sparse data through a width-d_S bottleneck; where recovery switches on, against "
                "the predicted d*_S.",
                "toy",
                figures.get((TOY, TOY_CARD_RENDERING)) or fallback,
                {"toy": content.toy_rows, "figures": toy_figures},
            )
        )
    for summary in content.trials:
        trial_figures = by_trial.get(summary.name, [])
        card = figures.get((summary.name, CARD_RENDERING)) or fallback
        pages.append(
            Page(
                trial_page(summary.name),
                "site/trial.html",
                summary.label,
                summary.description,
                f"trial-{summary.name}",
                card,
                {"trial": summary, "figures": trial_figures},
            )
        )
    sections = _gallery_sections(notes, figures, index, titles)
    pages.append(
        Page(
            "gallery.html",
            "site/gallery.html",
            "Gallery",
            "Every figure of the study with its caption, where it was used, and why it was or "
            "was not picked.",
            "gallery",
            fallback,
            {"sections": sections},
        )
    )
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
    pages.append(
        Page(
            "reproducibility.html",
            "site/reproducibility.html",
            "Reproducibility",
            "Resolved configs, provenance and checkpoints of every run behind the figures.",
            "reproducibility",
            fallback,
            {"runs": content.runs},
        )
    )
    return pages, nav


def _site_card(
    figures: Mapping[tuple[str, str], FigureView], trials: Sequence[str]
) -> FigureView | None:
    for trial in trials:
        if (trial, CARD_RENDERING) in figures:
            return figures[(trial, CARD_RENDERING)]
    return next(iter(figures.values()), None)


def _featured(
    figures: Mapping[tuple[str, str], FigureView],
    notes: Mapping[str, FigureNote],
    trials: Sequence[str],
) -> list[FigureView]:
    """The picked renderings, each in the first trial that has it."""
    featured = []
    for rendering, note in notes.items():
        if not note.picked:
            continue
        for trial in trials:
            if (trial, rendering) in figures:
                featured.append(figures[(trial, rendering)])
                break
    return featured


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
