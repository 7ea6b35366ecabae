"""Which pages the site has, and what each one's template is given.

Pages: overview, toy experiment (when there is a toy run), one per trial, the gallery, one per
figure (a rendering drawn for one trial; ``gallery_pages``), and reproducibility. Each page names
the figure whose ``social`` rendering becomes its Open Graph card: its own figure, else the first
trial's ``kpi-summary``, else the first figure the site has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from galleryforge.site.config import SiteConfig
from galleryforge.site.content import SiteContent
from galleryforge.site.figures import GalleryIndex
from galleryforge.site.gallery_pages import featured, figure_pages, gallery_page
from galleryforge.site.notes import FigureNote
from galleryforge.site.page import NavLink, Page
from galleryforge.site.views import TOY, FigureView, trial_page

CARD_RENDERING = "kpi-summary"
TOY_CARD_RENDERING = "toy-floor-vs-dstar"


def site_pages(
    site: SiteConfig,
    notes: Mapping[str, FigureNote],
    index: GalleryIndex,
    figures: Mapping[tuple[str, str], FigureView],
    content: SiteContent,
    titles: Mapping[str, str],
) -> tuple[list[Page], list[NavLink]]:
    """Every page of the site and the navigation bar; ``figures``: the gallery's figures by
    (trial, rendering); ``titles`` maps rendering ids to titles."""
    fallback = _site_card(figures, index.trials)
    by_trial: dict[str, list[FigureView]] = {}
    for view in figures.values():
        by_trial.setdefault(view.trial, []).append(view)
    overview = {
        "trials": content.trials,
        "mixed_models": content.mixed_models,
        "featured": featured(figures, notes, index.trials),
        "has_toy": content.toy_rows is not None,
    }
    pages = [
        Page(
            "index.html",
            "site/overview.html",
            site.title,
            site.description,
            "overview",
            fallback,
            overview,
        ),
    ]
    if content.toy_rows is not None:
        toy = {"toy": content.toy_rows, "figures": by_trial.get(TOY, [])}
        pages.append(_toy_page(figures.get((TOY, TOY_CARD_RENDERING)) or fallback, toy))
    for summary in content.trials:
        trial = {"trial": summary, "figures": by_trial.get(summary.name, [])}
        card = figures.get((summary.name, CARD_RENDERING)) or fallback
        pages.append(
            Page(
                trial_page(summary.name),
                "site/trial.html",
                summary.label,
                summary.description,
                f"trial-{summary.name}",
                card,
                trial,
            )
        )
    pages.append(gallery_page(notes, figures, index, titles, fallback))
    pages += figure_pages(figures)
    pages.append(_reproducibility_page(fallback, {"runs": content.runs}))
    return pages, _nav(content)


def _nav(content: SiteContent) -> list[NavLink]:
    nav = [NavLink("Overview", "index.html", "overview")]
    if content.toy_rows is not None:
        nav.append(NavLink("Toy experiment", "toy.html", "toy"))
    nav += [NavLink(t.label, t.page, f"trial-{t.name}") for t in content.trials]
    nav += [
        NavLink("Gallery", "gallery.html", "gallery"),
        NavLink("Reproducibility", "reproducibility.html", "reproducibility"),
    ]
    return nav


def _toy_page(card: FigureView | None, context: Mapping[str, object]) -> Page:
    return Page(
        "toy.html",
        "site/toy.html",
        "Toy experiment",
        "A controlled check of the KD width model: three read-outs recover synthetic "
        "sparse data through a width-d_S bottleneck; where recovery switches on, against "
        "the predicted d*_S.",
        "toy",
        card,
        context,
    )


def _reproducibility_page(card: FigureView | None, context: Mapping[str, object]) -> Page:
    return Page(
        "reproducibility.html",
        "site/reproducibility.html",
        "Reproducibility",
        "Resolved configs, provenance and checkpoints of every run behind the figures.",
        "reproducibility",
        card,
        context,
    )


def _site_card(
    figures: Mapping[tuple[str, str], FigureView], trials: Sequence[str]
) -> FigureView | None:
    for trial in trials:
        if (trial, CARD_RENDERING) in figures:
            return figures[(trial, CARD_RENDERING)]
    return next(iter(figures.values()), None)
