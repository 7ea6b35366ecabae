"""``build_site``: configs → gallery files → pages rendered with Jinja2 → ``build/site/``.

The site is static and self-contained: every link is relative, figures and plotly.js are copied
in, and nothing is fetched from another host, so it works from ``file://`` and offline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import jinja2

from galleryforge import __version__
from galleryforge.errors import GalleryforgeError
from galleryforge.gallery.jobs import Job
from galleryforge.renderings.registry import all_renderings, get_rendering
from galleryforge.resources import data_dir
from galleryforge.site.config import (
    GALLERY_FILE,
    SITE_FILE,
    SiteConfig,
    load_gallery_notes,
    load_site_config,
)
from galleryforge.site.feature_pages import feature_site, with_feature_links
from galleryforge.site.figures import GalleryIndex, prepare_gallery
from galleryforge.site.output import read_cache, sync_site
from galleryforge.site.pages import NavLink, Page, SiteContent, site_pages
from galleryforge.site.prose import PROSE_KEYS, default_prose, fill, study_values
from galleryforge.site.views import (
    GALLERY_PREFIX,
    TOY,
    FigureView,
    figure_view,
    run_record,
    toy_rows,
    trial_summary,
)
from galleryforge.study import TrialFacts, trial_facts
from galleryforge.tables import TrialTables, load_toy_tables, load_trial_tables

DefaultTheme = Literal["auto", "light", "dark"]
STATIC_PREFIX = "assets/"


@dataclass(frozen=True)
class SiteRequest:
    runs: Path = Path("runs")
    gallery: Path = Path("build/gallery")
    out: Path = Path("build/site")
    theme: DefaultTheme = "auto"
    """The colour scheme shown when the reader stored no choice; ``auto`` follows their system."""
    jobs: int = 1
    renderings: tuple[str, ...] = ()
    """Ids or aliases to limit the site to (empty: every rendering); gallery.toml must still
    describe every registered rendering."""
    sources: Path | None = None
    """Folder with your own site.toml, gallery.toml and/or static/; what it lacks is taken from
    the shipped ``site`` folder."""
    prose: Mapping[str, str] = field(default_factory=dict)
    """Title, description or intro replacing site.toml's, placeholders allowed (the demo's
    description of what it ran)."""
    templates: Path | None = None
    """Templates folder (default: the shipped ``templates`` folder)."""


@dataclass(frozen=True)
class SiteResult:
    out: Path
    pages: tuple[str, ...]
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]
    rendered: int
    """Gallery jobs this build had to render."""
    warnings: tuple[str, ...] = ()
    """One line per site.toml field left unset that a published site needs."""


def build_site(
    request: SiteRequest,
    on_planned: Callable[[int], None] | None = None,
    on_done: Callable[[Job], None] | None = None,
) -> SiteResult:
    """Build the site; ``on_planned``/``on_done`` report gallery rendering (for a progress bar)."""
    if request.theme not in ("auto", "light", "dark"):
        raise GalleryforgeError(f"unknown site theme {request.theme!r}; known: auto, light, dark")
    if request.sources is not None and not request.sources.is_dir():
        raise GalleryforgeError(f"{request.sources}: no such site sources folder")
    site_file = _source(request.sources, SITE_FILE)
    site = load_site_config(site_file, request.prose)
    notes = load_gallery_notes(
        _source(request.sources, GALLERY_FILE), [r.id for r in all_renderings()]
    )
    wanted = tuple(dict.fromkeys(get_rendering(name).id for name in request.renderings))
    cache = read_cache(request.out)  # refuses a foreign --out before anything is rendered
    index = prepare_gallery(
        request.runs,
        request.gallery,
        renderings=wanted,
        jobs=request.jobs,
        on_planned=on_planned,
        on_done=on_done,
    )
    titles = {r.id: r.title for r in all_renderings() if not wanted or r.id in wanted}
    tables = {t: load_trial_tables(request.runs / t) for t in index.trials if t != TOY}
    content = _content(request.runs, index, site, tables)
    site = _with_prose(site, content.facts, content.toy_rows is not None, site_file)
    pages, nav = site_pages(site, notes, index, content, titles)
    views = {key: figure_view(files, notes[key[1]]) for key, files in index.figures.items()}
    features = feature_site(tables, views, site.max_feature_pages or None, pages[0].card)
    pages = with_feature_links(pages, features.links) + features.pages
    files: dict[str, bytes | Path] = {}
    env = _environment(request.templates or data_dir("templates"))
    for page in pages:
        context = _page_context(page, nav, site, request)
        files[page.path] = env.get_template(page.template).render(context).encode("utf-8")
    files.update(_static_files(_source(request.sources, "static")))
    files.update(features.files)
    files.update(_figure_files(index, pages))
    synced = sync_site(request.out, files, cache)
    return SiteResult(
        out=request.out,
        pages=tuple(p.path for p in pages),
        written=synced.written,
        unchanged=synced.unchanged,
        removed=synced.removed,
        rendered=index.rendered,
        warnings=tuple(f"{site_file}: {line}" for line in site.publishing_warnings()),
    )


def _source(folder: Path | None, name: str) -> Path:
    """``name`` in the user's sources folder if it is there, else the shipped one."""
    if folder is not None and (folder / name).exists():
        return folder / name
    return data_dir("site") / name


def _with_prose(
    site: SiteConfig, facts: Sequence[TrialFacts], has_toy: bool, source: Path
) -> SiteConfig:
    """The site with its prose filled from the runs, or written from them where it is empty."""
    values = study_values(facts)
    defaults = default_prose(facts, has_toy)
    prose: dict[str, Any] = {}  # text fields only; SiteConfig also holds an int
    for key in PROSE_KEYS:
        text = getattr(site, key)
        prose[key] = fill(text, values, source, key) if text else defaults.get(key, "")
    return replace(site, **prose)


def _environment(templates: Path) -> jinja2.Environment:
    # StrictUndefined: a misspelt field fails the build. Autoescape: captions and anything read
    # from tables or configs is text, never markup.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _content(
    runs: Path, index: GalleryIndex, site: SiteConfig, tables: dict[str, TrialTables]
) -> SiteContent:
    records = [run_record(t, tb.root, tb.config, tb.provenance, site) for t, tb in tables.items()]
    rows = None
    if TOY in index.trials:
        toy = load_toy_tables(runs / TOY)
        rows = toy_rows(toy)
        records.append(run_record(TOY, toy.root, toy.config, toy.provenance, site))
    facts = [trial_facts(tb) for tb in tables.values()]
    summaries = [trial_summary(tb, f) for tb, f in zip(tables.values(), facts, strict=True)]
    return SiteContent(trials=summaries, toy_rows=rows, runs=records, facts=facts)


def _page_context(
    page: Page, nav: list[NavLink], site: SiteConfig, request: SiteRequest
) -> dict[str, Any]:
    root = "../" * page.path.count("/")
    card = page.card.card if page.card is not None else None
    return {
        **page.context,
        "site": site,
        "page": page,
        "nav": nav,
        "root": root,
        "default_theme": request.theme,
        "version": __version__,
        "page_url": site.absolute(page.path),
        "card": card,
        "card_url": (site.absolute(card.path) or root + card.path) if card else None,
        "card_alt": page.card.alt if page.card is not None else "",
    }


def _static_files(folder: Path) -> dict[str, bytes | Path]:
    if not folder.is_dir():
        raise GalleryforgeError(f"{folder}: the site's static folder is missing")
    return {
        STATIC_PREFIX + path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def _figure_files(index: GalleryIndex, pages: list[Page]) -> dict[str, bytes | Path]:
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
