"""The static research site: overview, toy experiment, trials, gallery, figures, reproducibility."""

from __future__ import annotations

from galleryforge.site.builder import SiteRequest, SiteResult, build_site
from galleryforge.site.config import SiteConfig, load_site_config
from galleryforge.site.notes import FigureNote, load_gallery_notes

__all__ = [
    "FigureNote",
    "SiteConfig",
    "SiteRequest",
    "SiteResult",
    "build_site",
    "load_gallery_notes",
    "load_site_config",
]
