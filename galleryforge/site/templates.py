"""Pages rendered with Jinja2: each page's template gets its own context plus what every page
needs (the site, the navigation bar, the way back to the root, its card and URLs)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from galleryforge import __version__
from galleryforge.site.config import SiteConfig
from galleryforge.site.page import NavLink, Page
from galleryforge.site.typeset import typeset


def render_pages(
    pages: Sequence[Page],
    nav: Sequence[NavLink],
    site: SiteConfig,
    default_theme: str,
    templates: Path,
) -> dict[str, bytes]:
    """Site-relative path -> the page's HTML, UTF-8, the KD symbols in its text typeset."""
    env = _environment(templates)
    return {
        page.path: typeset(
            env.get_template(page.template).render(_page_context(page, nav, site, default_theme))
        ).encode("utf-8")
        for page in pages
    }


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


def _page_context(
    page: Page, nav: Sequence[NavLink], site: SiteConfig, default_theme: str
) -> dict[str, Any]:
    root = "../" * page.path.count("/")
    card = page.card.card if page.card is not None else None
    return {
        **page.context,
        "site": site,
        "page": page,
        "nav": nav,
        "root": root,
        "default_theme": default_theme,
        "version": __version__,
        "page_url": site.absolute(page.path),
        "card": card,
        "card_url": (site.absolute(card.path) or root + card.path) if card else None,
        "card_alt": page.card.alt if page.card is not None else "",
    }
