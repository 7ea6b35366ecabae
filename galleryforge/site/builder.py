"""``build_site``: configs → gallery files → pages rendered with Jinja2 → ``build/site/``.

The site is static and self-contained: every link is relative, figures and plotly.js are copied
in, and nothing is fetched from another host, so it works from ``file://`` and offline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from galleryforge.errors import GalleryforgeError
from galleryforge.gallery.request import Job
from galleryforge.renderings.registry import all_renderings, get_rendering
from galleryforge.resources import data_dir
from galleryforge.site.assets import figure_files, static_files
from galleryforge.site.config import SITE_FILE, load_site_config
from galleryforge.site.content import site_content, with_prose
from galleryforge.site.feature_pages import feature_site, with_feature_links
from galleryforge.site.figures import prepare_gallery
from galleryforge.site.notes import GALLERY_FILE, load_gallery_notes
from galleryforge.site.output import read_cache, sync_site
from galleryforge.site.pages import site_pages
from galleryforge.site.templates import render_pages
from galleryforge.site.views import TOY, figure_view
from galleryforge.tables import load_trial_tables

DefaultTheme = Literal["auto", "light", "dark"]


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
    max_feature_pages: int | None = None
    """Replaces site.toml's ``max_feature_pages`` when set (the demo's smaller browser)."""
    trials: tuple[str, ...] = ("all",)
    """The runs the site shows (``all``: every run under ``runs``, the toy run included)."""


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
        trials=request.trials,
        jobs=request.jobs,
        on_planned=on_planned,
        on_done=on_done,
    )
    titles = {r.id: r.title for r in all_renderings() if not wanted or r.id in wanted}
    tables = {t: load_trial_tables(request.runs / t) for t in index.trials if t != TOY}
    content = site_content(request.runs, index, site, tables)
    site = with_prose(site, content, site_file)
    figures = {key: figure_view(files, notes[key[1]]) for key, files in index.figures.items()}
    pages, nav = site_pages(site, notes, index, figures, content, titles)
    max_pages = (
        site.max_feature_pages if request.max_feature_pages is None else request.max_feature_pages
    )
    features = feature_site(tables, figures, max_pages or None, pages[0].card)
    pages = with_feature_links(pages, features.links) + features.pages
    templates = request.templates or data_dir("templates")
    files: dict[str, bytes | Path] = {}
    files.update(render_pages(pages, nav, site, request.theme, templates))
    files.update(static_files(_source(request.sources, "static")))
    files.update(features.files)
    files.update(figure_files(index, pages))
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
